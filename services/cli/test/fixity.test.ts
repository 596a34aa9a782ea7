import { describe, expect, it } from 'vitest';
import { fixitySettingsOf, replicaS3SettingsOf } from '@oa-archive/config';
import { loadCliConfig } from '../src/config.ts';
import type { AipAuditReport } from '@oa-archive/pipeline';
import { auditSelectionOf, fixityTable } from '../src/commands/fixity.ts';

describe('archive fixity', () => {
  it('takes the AIPs due by default, or all, named ones, or those filed since a time', () => {
    expect(auditSelectionOf({})).toEqual({ kind: 'due' });
    expect(auditSelectionOf({ all: true })).toEqual({ kind: 'all' });
    expect(auditSelectionOf({ ingest: 'a, b' })).toEqual({ kind: 'ingests', ingestIds: ['a', 'b'] });
    expect(auditSelectionOf({ since: '2026-12-01' })).toEqual({ kind: 'since', since: new Date('2026-12-01') });
    expect(() => auditSelectionOf({ since: 'last tuesday' })).toThrow(/--since "last tuesday" is not a date/);
  });

  it('prints one row per copy, with what failed and what was repaired', () => {
    const reports: AipAuditReport[] = [
      {
        ingestId: 'ing-1',
        prefix: 'WS/2026/BGS/Y/X-1',
        outcome: 'failed',
        nextAuditAt: new Date('2027-03-01T00:00:00Z'),
        copies: [
          { copy: 'primary', bucket: 'a', objectsChecked: 12, bytesRead: 100, findings: [{ path: 'data/x.pdf', key: 'p/data/x.pdf', problem: 'missing', detail: '' }] },
          { copy: 'replica', bucket: 'b', objectsChecked: 12, bytesRead: 100, findings: [] },
        ],
        repairs: [{ copy: 'primary', path: 'data/x.pdf', action: 'restored', detail: '' }],
      },
    ];
    const table = fixityTable(reports, { locale: 'en', timeZone: 'UTC' }).split('\n');
    expect(table[0]).toMatch(/^ingest\s+copy\s+outcome\s+objects checked\s+objects failed\s+findings\s+repairs\s+next audit$/);
    expect(table[2]).toMatch(/^ing-1\s+primary\s+failed\s+12\s+1\s+data\/x\.pdf: missing\s+data\/x\.pdf: restored\s+2027-03-01$/);
    expect(table[3]).toMatch(/^ing-1\s+replica\s+intact\s+12\s+0\s+2027-03-01$/);
    // zh-CN by default in the CLI; the next audit is the agency's day (23:30 UTC on 28 February is 1 March in Shanghai).
    const zh = fixityTable([{ ...reports[0]!, nextAuditAt: new Date('2027-02-28T23:30:00Z') }], { locale: 'zh-CN', timeZone: 'Asia/Shanghai' }).split('\n');
    expect(zh[0]).toMatch(/^归档编号\s+副本\s+结果\s+检测对象数\s+不符对象数\s+发现的问题\s+修复\s+下次检测$/);
    expect(zh[2]).toMatch(/^ing-1\s+primary\s+不符\s+12\s+1\s+.*2027-03-01$/);
  });

  it('audits every 90 days at 20 MiB/s by default, with replication off until a replica bucket is named', () => {
    const config = loadCliConfig({});
    expect(fixitySettingsOf(config)).toEqual({ cycleMs: 90 * 86_400_000, maxBytesPerSecond: 20 * 1024 * 1024 });
    expect(replicaS3SettingsOf(config)).toBeUndefined();
    const replica = replicaS3SettingsOf(loadCliConfig({ REPLICA_S3_BUCKET: 'oa-archive-copy', REPLICA_S3_ENDPOINT: 'http://127.0.0.1:9100' }));
    expect(replica).toMatchObject({ bucket: 'oa-archive-copy', s3: { endpoint: 'http://127.0.0.1:9100', accessKeyId: 'oa-archive-local' } });
    expect(() => loadCliConfig({ FIXITY_CYCLE_DAYS: '0' })).toThrow(/FIXITY_CYCLE_DAYS/);
  });

  it('asks the replica store for the archive\'s encryption unless the replica names its own', () => {
    const replicaOf = (env: Record<string, string>) => replicaS3SettingsOf(loadCliConfig({ REPLICA_S3_BUCKET: 'oa-archive-copy', ...env }))!.s3.serverSideEncryption;
    expect(replicaOf({})).toEqual({ mode: 'none' });
    expect(replicaOf({ S3_SSE: 'aws:kms', S3_SSE_KMS_KEY_ID: 'archive-key' })).toEqual({ mode: 'aws:kms', kmsKeyId: 'archive-key' });
    expect(replicaOf({ S3_SSE: 'aws:kms', S3_SSE_KMS_KEY_ID: 'archive-key', REPLICA_S3_SSE: 'AES256' })).toEqual({ mode: 'AES256' });
    expect(replicaOf({ S3_SSE: 'AES256', REPLICA_S3_SSE: 'aws:kms', REPLICA_S3_SSE_KMS_KEY_ID: 'replica-key' })).toEqual({ mode: 'aws:kms', kmsKeyId: 'replica-key' });
    expect(() => replicaOf({ REPLICA_S3_SSE_KMS_KEY_ID: 'replica-key' })).toThrow(/REPLICA_S3_SSE_KMS_KEY_ID: set, but REPLICA_S3_SSE is not/);
    expect(() => replicaOf({ REPLICA_S3_SSE: 'AES256', REPLICA_S3_SSE_KMS_KEY_ID: 'replica-key' })).toThrow(/REPLICA_S3_SSE_KMS_KEY_ID: set, but REPLICA_S3_SSE is AES256, not aws:kms/);
  });
});
