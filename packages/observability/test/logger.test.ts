import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, ingestLogger, redactUrl } from '../src/index.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('writes JSON lines carrying the ingest id and event id', () => {
    const { lines, destination } = capture();
    const log = ingestLogger(createLogger({ service: 'worker', destination }), { ingestId: 'ing_1', eventId: 'ev-1' });
    log.info({ stage: 'fetch' }, 'stage completed');
    log.child({ component: 1 }).warn('slow');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({ service: 'worker', ingestId: 'ing_1', eventId: 'ev-1' });
    }
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'stage completed', stage: 'fetch' });
  });

  it('redacts tokens, authorization headers and secrets', () => {
    const { lines, destination } = capture();
    const log = createLogger({ service: 'intake', destination });
    log.info({ source: { token: 'sekret-1' }, request: { headers: { authorization: 'Bearer sekret-2' } }, config: { S3_SECRET_ACCESS_KEY: 'sekret-3' } });
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/sekret/);
    expect(text).toContain('[redacted]');
  });

  it('strips passwords from URLs', () => {
    expect(redactUrl('postgres://archive:hunter2@db:5432/oa')).toBe('postgres://archive:redacted@db:5432/oa');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
