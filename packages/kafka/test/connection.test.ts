import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@oa-archive/observability';
import { createKafka, describeKafkaConnection, KafkaConnectionError, kafkaJsConnectionOf, redactSecrets } from '../src/index.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kafka-ca-'));
  await writeFile(path.join(dir, 'ca.pem'), PEM);
  await writeFile(path.join(dir, 'not-a-ca.txt'), 'hello');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kafkaJsConnectionOf', () => {
  it('leaves a PLAINTEXT connection alone', () => {
    expect(kafkaJsConnectionOf({ brokers: ['127.0.0.1:9092'] })).toEqual({ brokers: ['127.0.0.1:9092'] });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('passes SASL %s to kafkajs', (mechanism) => {
    expect(kafkaJsConnectionOf({ brokers: ['b:9093'], sasl: { mechanism, username: 'u', password: 'p' } })).toEqual({
      brokers: ['b:9093'],
      sasl: { mechanism, username: 'u', password: 'p' },
    });
  });

  it('turns TLS on with the system CAs, or with the CA file read once', () => {
    expect(kafkaJsConnectionOf({ brokers: ['b:9093'], tls: {} }).ssl).toBe(true);
    expect(kafkaJsConnectionOf({ brokers: ['b:9093'], tls: { caFile: path.join(dir, 'ca.pem') } }).ssl).toEqual({ ca: [PEM] });
  });

  it('names a CA file it cannot use', () => {
    expect(() => kafkaJsConnectionOf({ brokers: ['b'], tls: { caFile: path.join(dir, 'missing.pem') } })).toThrow(KafkaConnectionError);
    expect(() => kafkaJsConnectionOf({ brokers: ['b'], tls: { caFile: path.join(dir, 'missing.pem') } })).toThrow(/missing\.pem cannot be read/);
    expect(() => kafkaJsConnectionOf({ brokers: ['b'], tls: { caFile: path.join(dir, 'not-a-ca.txt') } })).toThrow(/holds no PEM certificate/);
  });
});

describe('secrets stay out of logs', () => {
  const connection = { brokers: ['b:9093'], sasl: { mechanism: 'plain' as const, username: 'archive', password: 'hunter2' } };

  it('describes a connection without its password', () => {
    const described = describeKafkaConnection(connection);
    expect(described).toEqual({ brokers: ['b:9093'], tls: false, sasl: { mechanism: 'plain', username: 'archive', password: '[redacted]' } });
    expect(JSON.stringify(described)).not.toContain('hunter2');
  });

  it('redacts credential-like fields of kafkajs log entries, keeping errors whole', () => {
    const error = new Error('boom');
    const redacted = redactSecrets({ broker: 'b:9093', sasl: connection.sasl, nested: { password: 'x', ok: 1 }, error }) as Record<string, unknown>;
    expect(redacted).toEqual({ broker: 'b:9093', sasl: '[redacted]', nested: { password: '[redacted]', ok: 1 }, error });
    expect(redacted.error).toBe(error);
  });

  it('keeps the password out of the service logs when a configuration is logged', () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    createLogger({ service: 'test', destination }).info({ config: { KAFKA_SASL_PASSWORD: 'hunter2' }, kafka: { sasl: connection.sasl } }, 'starting');
    expect(lines.join('')).toContain('[redacted]');
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('warns, without the password, when SASL PLAIN would go in clear', () => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    createKafka({ clientId: 't', logger: createLogger({ service: 'test', destination }), ...connection });
    expect(lines.join('')).toMatch(/SASL PLAIN without TLS/);
    expect(lines.join('')).not.toContain('hunter2');
  });
});
