import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, databaseEnv, loadConfig, s3Env, s3SettingsOf, serverSideEncryptionOf } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'oa-config-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, content: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

const schema = z.object({ ...s3Env.shape, ...databaseEnv.shape });

describe('secrets from <NAME>_FILE', () => {
  it('reads the value from a file only its owner can read, without the trailing line break', () => {
    const config = loadConfig(schema, {
      S3_SECRET_ACCESS_KEY_FILE: secretFile('s3-secret', 'from-a-file-secret\n', 0o600),
      DATABASE_URL_FILE: secretFile('db-url', 'postgres://archive:pa55@db.example:5432/oa_archive', 0o400),
    });
    expect(config.S3_SECRET_ACCESS_KEY).toBe('from-a-file-secret');
    expect(config.DATABASE_URL).toBe('postgres://archive:pa55@db.example:5432/oa_archive');
  });

  it('refuses a file its group or others may read, naming the mode and the fix', () => {
    const path = secretFile('open-secret', 'visible-secret', 0o644);
    const error = (() => {
      try {
        loadConfig(schema, { S3_SECRET_ACCESS_KEY_FILE: path });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([`S3_SECRET_ACCESS_KEY_FILE: ${path} is open to group or others (mode 644); chmod 600 it (or 400)`]);
  });

  it('refuses both the variable and its file, and a file that is not there', () => {
    const path = secretFile('both', 'x-secret', 0o600);
    expect(() => loadConfig(schema, { S3_SECRET_ACCESS_KEY: 'direct', S3_SECRET_ACCESS_KEY_FILE: path })).toThrow(/S3_SECRET_ACCESS_KEY is set too/);
    expect(() => loadConfig(schema, { S3_SECRET_ACCESS_KEY_FILE: join(dir, 'missing') })).toThrow(/cannot read .*missing \(ENOENT\)/);
  });

  it('leaves other _FILE variables (paths the service reads itself) alone', () => {
    const config = loadConfig(z.object({ KAFKA_TLS_CA_FILE: z.string() }), { KAFKA_TLS_CA_FILE: '/etc/ssl/ca.pem' });
    expect(config.KAFKA_TLS_CA_FILE).toBe('/etc/ssl/ca.pem');
  });
});

describe('S3_SSE', () => {
  it('is off by default and passes the mode and KMS key to the storage settings', () => {
    expect(s3SettingsOf(loadConfig(s3Env, {})).serverSideEncryption).toEqual({ mode: 'none' });
    expect(s3SettingsOf(loadConfig(s3Env, { S3_SSE: 'AES256' })).serverSideEncryption).toEqual({ mode: 'AES256' });
    expect(s3SettingsOf(loadConfig(s3Env, { S3_SSE: 'aws:kms', S3_SSE_KMS_KEY_ID: 'archive-key' })).serverSideEncryption).toEqual({ mode: 'aws:kms', kmsKeyId: 'archive-key' });
  });

  it('refuses an unknown mode, and a KMS key without aws:kms', () => {
    expect(() => loadConfig(s3Env, { S3_SSE: 'sm4' })).toThrow(/S3_SSE/);
    expect(() => serverSideEncryptionOf(loadConfig(s3Env, { S3_SSE: 'AES256', S3_SSE_KMS_KEY_ID: 'k' }))).toThrow(/S3_SSE_KMS_KEY_ID: set, but S3_SSE is AES256/);
  });
});
