import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventsOf, listCallbackDeliveries } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import { deliverCallbacks, type CallbackDeps } from '@oa-archive/pipeline';
import { CallbackReceiver, waitFor } from '@oa-archive/testing';
import type { Locale } from '@oa-archive/messages';
import { callbacksCommand } from '../src/commands/callbacks.ts';

const MAIN = path.join(import.meta.dirname, '..', 'src', 'main.ts');

/** `archive callbacks`: what waits per source, the dead letters, and re-driving them, against a real OA endpoint. */
const SECRET = 'cli-test-callback-key-0123456789';
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let oa: CallbackReceiver;
let delivery: CallbackDeps;

beforeAll(async () => {
  db = await createTestCatalog();
  oa = new CallbackReceiver(SECRET);
  const url = await oa.listen();
  delivery = {
    catalog: db.catalog,
    sources: { 'oa-simulator': { allowedOrigins: ['http://127.0.0.1:8088'], callback: { url, secret: SECRET } } },
    settings: { attempts: 1, backoff: { baseMs: 10, maxMs: 10 }, timeoutMs: 2_000, batchSize: 10, worker: 'cli-test' },
  };
  oa.answer = () => 502;
  for (const n of [1, 2]) await seedIngestAt(db.catalog, `ing_cli_cb_${n}`, exampleEventFor(`CLI-CB-${n}`), { status: 'EXCLUDED' });
  await waitFor(async () => {
    await deliverCallbacks(delivery);
    return (await listCallbackDeliveries(db.catalog.pool, { state: 'dead' })).length === 2;
  }, { what: 'two dead letters' });
});
afterAll(async () => {
  await oa?.close();
  await db?.drop();
});

const run = async (sub: string | undefined, args: string[] = [], values: Record<string, string | boolean> = {}, locale: Locale = 'en') => {
  const lines: string[] = [];
  const code = await callbacksCommand(db.catalog, sub, args, values, 'li.qiang', (line) => lines.push(line), locale);
  return { code, out: lines.join('\n') };
};

describe('archive callbacks', () => {
  it('shows per source what is pending, delivered and dead, and lists the dead letters with their last error', async () => {
    const summary = await run(undefined);
    expect(summary.out).toMatch(/oa-simulator\s+0\s+0\s+2/);
    const list = await run('list', [], { state: 'dead' });
    expect(list.out).toContain('HTTP 502: OA busy, try later');
    expect(list.out).toContain('CLI-CB-1');
    expect(list.out).toMatch(/2 dead deliveries$/);
    await expect(run('list', [], { state: 'lost' })).rejects.toThrow(/--state must be one of pending, delivered, dead/);
  });

  it('speaks Chinese in zh-CN: headings and the count translated, ids, sources and the OA\'s own error as they are', async () => {
    const summary = await run(undefined, [], {}, 'zh-CN');
    expect(summary.out.split('\n')[0]).toMatch(/^来源\s+待送达\s+已送达\s+死信\s+最早待送达\s+待送达的原因/);
    expect(summary.out).toMatch(/oa-simulator\s+0\s+0\s+2/);
    const list = await run('list', [], { state: 'dead' }, 'zh-CN');
    expect(list.out).toContain('HTTP 502: OA busy, try later');
    expect(list.out).toMatch(/死信：2条$/);
    await expect(run('list', [], { state: 'lost' }, 'zh-CN')).rejects.toThrow('--state 须为以下之一：pending, delivered, dead');
  });

  it('takes its language from the shell when ARCHIVE_LOCALE is unset: LANG=en_US.UTF-8 → English, LANG=zh_CN.UTF-8 → Chinese', async () => {
    const { ARCHIVE_LOCALE: _a, LC_ALL: _b, LC_MESSAGES: _c, ...inherited } = process.env;
    const cli = (LANG: string) => promisify(execFile)(process.execPath, [MAIN, 'callbacks', 'list', '--state', 'dead'], { env: { ...inherited, DATABASE_URL: db.url, LANG } });
    const en = (await cli('en_US.UTF-8')).stdout;
    expect(en).toMatch(/^id\s+document\s+receipt\s+outcome/);
    expect(en).toMatch(/2 dead deliveries\n$/);
    const zh = (await cli('zh_CN.UTF-8')).stdout;
    expect(zh).toMatch(/^编号\s+文件编号\s+回执\s+结果/);
    expect(zh).toMatch(/死信：2条\n$/);
  });

  it('re-drives named dead letters, audited under the person, and says which it left alone', async () => {
    const [dead] = await listCallbackDeliveries(db.catalog.pool, { state: 'dead', ingestId: 'ing_cli_cb_1' });
    const result = await run('redrive', [String(dead!.id), '999999'], { note: 'OA fixed' });
    expect(result.code).toBe(1);
    expect(result.out).toBe(`${dead!.id}: ${dead!.receiptId} → oa-simulator pending again\n999999: not a dead letter (unknown, delivered, or re-driven already); left alone`);
    expect((await auditEventsOf(db.catalog.pool, 'ing_cli_cb_1')).find((e) => e.type === 'callback.redriven')).toMatchObject({ actor: 'person:li.qiang', payload: { reason: 'OA fixed' } });
    oa.answer = () => 200;
    await deliverCallbacks(delivery);
    expect((await listCallbackDeliveries(db.catalog.pool, { ingestId: 'ing_cli_cb_1' }))[0]).toMatchObject({ state: 'delivered' });
  });

  it('re-drives all dead letters of a source with --all', async () => {
    expect((await run('redrive', [], { all: true, source: 'oa-simulator' })).out).toBe('re-drove 1 dead letter(s) of oa-simulator; the workers deliver them at their next pass');
    await deliverCallbacks(delivery);
    expect((await run('list', [], { state: 'delivered' })).out).toMatch(/2 delivered deliveries$/);
    await expect(run('redrive')).rejects.toThrow(/give the ids of dead letters/);
  });
});
