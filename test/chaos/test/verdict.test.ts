import { describe, expect, it } from 'vitest';
import type { Facts, IngestFact } from '../src/facts.ts';
import { checkAips, checkAuditVerify, checkLost, checkReceipts, checkReferenceNumbers, checkStranded, evaluate, reportFailed } from '../src/verdict.ts';

const ingest = (n: number, status: string, extra: Partial<IngestFact> = {}): IngestFact => ({
  ingestId: `ing_${n}`,
  documentId: `SIM-1-0000${n}`,
  status,
  currentStage: status === 'IN_PROGRESS' ? 'convert' : 'notify',
  failedStage: null,
  failureReason: null,
  enqueuedAt: 1000,
  updatedAt: 2000,
  settledAt: status === 'IN_PROGRESS' ? null : 2000,
  lastRun: { stage: 'characterize', status: 'SUCCEEDED', attempt: 1, finishedAt: 1500, reason: null },
  jobs: [],
  ...extra,
});

/** Two documents, one filed (档号 item 1 of its class) and one excluded, each with its receipt: all well. */
function healthy(): Facts {
  return {
    published: [1, 2].map((n) => ({ documentId: `SIM-1-0000${n}`, publishedAt: 0 })),
    ingests: [ingest(1, 'FILED'), ingest(2, 'EXCLUDED')],
    receipts: [
      { id: 'ing_1-filed', ingestId: 'ing_1', documentId: 'SIM-1-00001', outcome: 'FILED', at: 3000 },
      { id: 'ing_2-excluded', ingestId: 'ing_2', documentId: 'SIM-1-00002', outcome: 'EXCLUDED', at: 3000 },
    ],
    deadLetters: [],
    aips: [{ ingestId: 'ing_1', prefix: 'A182/2025/WS/D30/A182-WS·2025-D30-BGS-0001' }],
    bags: [{ prefix: 'A182/2025/WS/D30/A182-WS·2025-D30-BGS-0001', objects: 9, ingestId: 'ing_1' }],
    otherArchiveKeys: 0,
    numbering: [{ itemClass: 'A182-WS·2025-D30-BGS', lastItem: 1, items: [{ itemNumber: 1, ingestId: 'ing_1', referenceCode: 'A182-WS·2025-D30-BGS-0001', status: 'FILED' }], voided: [] }],
    voidedSource: 'none',
    auditVerify: { exitCode: 0, lines: ['audit chain intact: 40 events', 'audit anchors matching the recomputed chain: 2 of 2 (latest at event 36, 2026-12-02T05:00:00.000Z)', 'archive objects matching the catalog: 9 of 9'] },
  };
}
const time = { describe: (ms: number) => `${ms / 1000} s`, redisLossAfter: (ms: number) => (ms < 5000 ? '#3 restart-redis at 5 s' : undefined) };

describe('the checks', () => {
  it('all pass on a healthy run', () => {
    const checks = evaluate(healthy(), time);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual(['lost', 'stranded', 'failed (final, reported)', 'duplicate AIPs', '档号', 'audit verify --read-back', 'receipts']);
  });

  it('names a published document without an ingest, and whether it was dead-lettered', () => {
    const facts = healthy();
    facts.published.push({ documentId: 'SIM-1-00003', publishedAt: 0 }, { documentId: 'SIM-1-00004', publishedAt: 0 });
    facts.deadLetters.push({ reason: 'catalog refused', documentId: 'SIM-1-00004' });
    const check = checkLost(facts);
    expect(check.ok).toBe(false);
    expect(check.summary).toBe('2 of 4 published documents have no ingest');
    expect(check.details).toEqual(['SIM-1-00003: no ingest; not dead-lettered either', 'SIM-1-00004: no ingest; dead-lettered: catalog refused']);
  });

  it('groups stranded ingests by where they stopped and whether Redis still has their job', () => {
    const facts = healthy();
    facts.ingests.push(ingest(3, 'IN_PROGRESS'), ingest(4, 'IN_PROGRESS'), ingest(5, 'IN_PROGRESS', { jobs: [{ stage: 'convert', jobId: 'ing_5-convert', state: 'failed' }] }), ingest(6, 'RECEIVED', { currentStage: null, enqueuedAt: null, lastRun: null }));
    const check = checkStranded(facts, time);
    expect(check.ok).toBe(false);
    expect(check.summary).toBe('4 of 6 ingests are not in a final state');
    expect(check.details.slice(0, 3)).toEqual([
      '2 × IN_PROGRESS at convert; no job in Redis',
      '1 × IN_PROGRESS at convert; convert job failed',
      '1 × RECEIVED at (no stage), never enqueued; no job in Redis',
    ]);
    expect(check.details[3]).toBe('e.g. IN_PROGRESS at convert; no job in Redis:');
    expect(check.details[4]).toBe('    SIM-1-00003 ing_3: last run characterize SUCCEEDED (attempt 1) at 1.5 s; last change at 2 s; its job went with #3 restart-redis at 5 s');
  });

  it('reports FAILED ingests without failing the run', () => {
    const facts = healthy();
    facts.ingests.push(ingest(3, 'FAILED', { failedStage: 'deposit', failureReason: 'ObjectStoreError: connect ECONNREFUSED' }));
    const check = reportFailed(facts);
    expect(check.ok).toBe(true);
    expect(check.details).toEqual(['1 × FAILED at deposit: ObjectStoreError — e.g. SIM-1-00003: ObjectStoreError: connect ECONNREFUSED']);
  });

  it('finds a second bag for one ingest, a bag nobody owns, and a filed ingest without its bag', () => {
    const facts = healthy();
    facts.bags.push({ prefix: 'A182/2025/WS/D30/A182-WS·2025-D30-BGS-0002', objects: 9, ingestId: 'ing_1' }, { prefix: 'x/y', objects: 1, ingestId: null });
    facts.ingests.push(ingest(3, 'FILED'));
    const details = checkAips(facts).details;
    expect(checkAips(facts).ok).toBe(false);
    expect(details).toContain('ing_1 (FILED) has 2 bags: A182/2025/WS/D30/A182-WS·2025-D30-BGS-0001, A182/2025/WS/D30/A182-WS·2025-D30-BGS-0002');
    expect(details).toContain('bag x/y (1 objects) belongs to no ingest');
    expect(details).toContain('SIM-1-00003 ing_3 is FILED but its bag (no AIP recorded) is not in the archive bucket');
  });

  it('notes a partial bag of an unfinished ingest without calling it a duplicate', () => {
    const facts = healthy();
    facts.ingests.push(ingest(3, 'IN_PROGRESS'));
    facts.bags.push({ prefix: 'p3', objects: 2, ingestId: 'ing_3' });
    const check = checkAips(facts);
    expect(check.ok).toBe(true);
    expect(check.details).toEqual(['note: bag p3 (2 objects) of an ingest that is IN_PROGRESS, not FILED']);
  });

  it('finds duplicate, missing and out-of-range 档号, and accepts voided gaps', () => {
    const facts = healthy();
    const c = facts.numbering[0]!;
    c.lastItem = 5;
    c.items.push({ itemNumber: 1, ingestId: 'ing_7', referenceCode: 'r', status: 'FILED' }, { itemNumber: 3, ingestId: 'ing_8', referenceCode: 'r', status: 'FILED' }, { itemNumber: 6, ingestId: 'ing_9', referenceCode: 'r', status: 'FILED' });
    c.voided = [4];
    const check = checkReferenceNumbers(facts);
    expect(check.ok).toBe(false);
    expect(check.details).toEqual([
      'A182-WS·2025-D30-BGS: item 1 is held by 2 documents: ing_1 (FILED), ing_7 (FILED)',
      'A182-WS·2025-D30-BGS: item 6 lies outside 1..5',
      'A182-WS·2025-D30-BGS: 2 number(s) missing from 1..5 and not voided: 2, 5',
    ]);
    c.items = [1, 2, 3, 5].map((n) => ({ itemNumber: n, ingestId: `ing_${n}`, referenceCode: 'r', status: 'FILED' }));
    facts.ingests = [];
    expect(checkReferenceNumbers(facts).ok).toBe(true);
  });

  it('fails on a FILED ingest without a 档号', () => {
    const facts = healthy();
    facts.ingests.push(ingest(3, 'FILED'));
    expect(checkReferenceNumbers(facts).details).toEqual(['SIM-1-00003 ing_3 is FILED without a 档号']);
  });

  it('fails when audit verify does, grouping the objects it could not match by ingest', () => {
    const facts = healthy();
    facts.ingests.push(ingest(3, 'FAILED', { failedStage: 'deposit' }));
    facts.auditVerify = {
      exitCode: 1,
      lines: ['audit chain intact: 40 events', 'MISSING s3://b/p/bagit.txt (ingest ing_3, bagit.txt)', 'MISSING s3://b/p/bag-info.txt (ingest ing_3, bag-info.txt)', 'DIGEST MISMATCH s3://b/q/x (ingest ing_1, data/x): catalog a, store b', 'archive objects matching the catalog: 7 of 10'],
    };
    const check = checkAuditVerify(facts);
    expect(check.ok).toBe(false);
    expect(check.summary).toBe('exit 1: audit chain intact: 40 events; archive objects matching the catalog: 7 of 10');
    expect(check.details).toEqual([
      'MISSING: 2 object(s) of ing_3 (SIM-1-00003, FAILED at deposit): bagit.txt, bag-info.txt',
      'DIGEST MISMATCH: 1 object(s) of ing_1 (SIM-1-00001, FILED): data/x',
      'no audit anchor was written during the run: the trail is not anchored',
    ]);
  });

  it('passes audit verify only when the workers anchored the trail during the run', () => {
    const facts = healthy();
    expect(checkAuditVerify(facts)).toMatchObject({ ok: true, details: [] });
    facts.auditVerify.lines = ['audit chain intact: 40 events', 'no audit anchors under s3://b/audit-anchors/ yet (the worker writes one every AUDIT_ANCHOR_INTERVAL_MS; or run: archive audit anchor)', 'archive objects matching the catalog: 9 of 9'];
    expect(checkAuditVerify(facts)).toMatchObject({ ok: false, details: ['no audit anchor was written during the run: the trail is not anchored'] });
  });

  it('counts final receipts per ingest after dropping copies of the same id', () => {
    const facts = healthy();
    facts.receipts.push({ ...facts.receipts[0]! }, { id: 'ing_2-failed', ingestId: 'ing_2', documentId: 'SIM-1-00002', outcome: 'FAILED', at: 4000 });
    facts.ingests.push(ingest(3, 'QUARANTINED'));
    const check = checkReceipts(facts);
    expect(check.ok).toBe(false);
    expect(check.details).toEqual([
      'SIM-1-00002 ing_2 (EXCLUDED) got 2 different final receipts: ing_2-excluded (EXCLUDED), ing_2-failed (FAILED)',
      'SIM-1-00003 ing_3 is QUARANTINED but no final receipt was sent',
      'note: 1 receipt id(s) were sent more than once (same id, so the OA can drop the copies), e.g. ing_1-filed × 2',
    ]);
  });

  it('passes receipts that were only redelivered, and flags one that contradicts the catalog', () => {
    const facts = healthy();
    facts.receipts.push({ ...facts.receipts[0]! });
    expect(checkReceipts(facts).ok).toBe(true);
    facts.receipts[1] = { ...facts.receipts[1]!, outcome: 'REVIEW' };
    expect(checkReceipts(facts).details[0]).toBe('SIM-1-00002 ing_2 is EXCLUDED but its receipt says REVIEW (ing_2-excluded)');
  });
});
