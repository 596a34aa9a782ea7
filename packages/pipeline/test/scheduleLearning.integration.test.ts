import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { classificationOf, recordCharacterization, recordClassification, ruleProposalOf, scheduleVersions } from '@oa-archive/catalog';
import { createTestCatalog, exampleEventFor, seedIngestAt } from '@oa-archive/catalog/testing';
import type { DocumentFinalizedEvent } from '@oa-archive/contracts';
import { createLogger } from '@oa-archive/observability';
import { uniqueName } from '@oa-archive/testing';
import {
  acceptRuleProposal,
  dryRunProposal,
  effectiveSchedule,
  OperationError,
  readScheduleSource,
  refreshRuleProposals,
  rejectRuleProposal,
  settleReview,
  stageHandlers,
  startScheduleRefresh,
  StageQueues,
  type PipelineDeps,
  type ScheduleSource,
} from '../src/index.ts';
import { LEARNING_SCHEDULE_PATH } from '@oa-archive/classify/testing';

/** The review queue teaching the schedule, against the real PostgreSQL (and Redis, which settling queues the next stage on). */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let redis: Redis;
let queues: StageQueues;
let root: ScheduleSource;
const prefix = uniqueName('learning');
const logger = createLogger({ service: 'test', level: 'silent' });
const DAY = 86_400_000;

beforeAll(async () => {
  db = await createTestCatalog();
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queues = new StageQueues(redis, { prefix, retry: { attempts: 2, backoffMs: 10 } });
  root = await readScheduleSource(LEARNING_SCHEDULE_PATH);
});
afterAll(async () => {
  for (const key of await redis.keys(`${prefix}:*`)) await redis.del(key);
  await queues?.close();
  await redis?.quit();
  await db?.drop();
});

let n = 0;
function event(title: string, documentType: string, daysAgo = 10): DocumentFinalizedEvent {
  const base = exampleEventFor(`LRN-${++n}`);
  const finalized = new Date(Date.now() - daysAgo * DAY).toISOString();
  return { ...base, data: { ...base.data, title, documentType, dates: { ...base.data.dates, signed: finalized, finalized } } };
}

/** A document classified by the schedule in force and waiting for review after classify, as the pipeline leaves one. */
async function waitingForReview(title: string, documentType = '请示'): Promise<string> {
  const id = `ing_lrn_${n + 1}`;
  await seedIngestAt(db.catalog, id, event(title, documentType), { status: 'REVIEW', stage: 'classify' });
  await recordClassification(db.catalog.pool, id, { outcome: 'REVIEW', category: null, retention: null, organisationCode: null, year: null, ruleIds: ['REVIEW-REQUEST'], scheduleVersion: root.schedule.version, explanation: '待鉴定：请示的重要程度无法判定' });
  return id;
}

/** A document at the classify stage with its components characterized: what the classify stage is given. */
async function readyToClassify(title: string, documentType = '请示'): Promise<string> {
  const id = `ing_lrn_${n + 1}`;
  const e = event(title, documentType);
  await seedIngestAt(db.catalog, id, e, { status: 'IN_PROGRESS', stage: 'classify' });
  for (const [i] of e.data.components.entries()) {
    await recordCharacterization(db.catalog.pool, id, { ordinal: i + 1, formatName: 'PDF', mediaType: 'application/pdf', puid: 'fmt/276', format: { mediaKind: 'text' }, size: 10, sha256: `${i}`.repeat(64), sm3: `${id}${i}`, technical: {}, findings: [] });
  }
  return id;
}

const settleDeps = () => ({ catalog: db.catalog, queues, schedule: root.schedule });
const learning = () => ({ catalog: db.catalog, root });

describe('the review queue teaches the schedule', () => {
  let proposalId: number;
  let settled: string[];

  it('proposes a rule once three similar 请示 were settled the same way, with the documents it would have decided', async () => {
    settled = [];
    for (const title of ['关于申请安全生产检查经费的请示', '关于安全生产专项整治工作的请示']) {
      const id = await waitingForReview(title);
      await settleReview(settleDeps(), id, { action: 'file', category: 'WS', retention: 'Y', note: '重要问题请示' }, 'wang');
      settled.push(id);
    }
    // Two are not enough.
    expect((await refreshRuleProposals(learning())).open).toEqual([]);

    const third = await waitingForReview('关于开展安全生产月活动的请示');
    await settleReview(settleDeps(), third, { action: 'file', category: 'WS', retention: 'Y' }, 'li');
    settled.push(third);
    const { open, created } = await refreshRuleProposals(learning());
    expect(created).toBe(1);
    expect(open).toHaveLength(1);
    const [proposal] = open;
    expect(proposal).toMatchObject({ status: 'proposed', scheduleVersion: 'learn.1', ingestIds: [...settled].sort(), settlement: { outcome: 'FILE', category: 'WS', retention: 'Y' } });
    expect(proposal!.rule).toMatchObject({ outcome: 'FILE', retention: 'Y', category: 'WS', priority: 301, when: { documentType: ['请示'], issuerRelation: ['本机关'], titleMatches: ['安全生产'] } });
    proposalId = proposal!.id;

    // Looking again changes nothing and proposes nothing twice.
    const again = await refreshRuleProposals(learning());
    expect(again).toMatchObject({ created: 0, withdrawn: 0 });
    expect(again.open.map((p) => p.id)).toEqual([proposalId]);
    const { rows } = await db.catalog.pool.query(`SELECT actor, payload FROM audit_events WHERE type = 'schedule.rule-proposed'`);
    expect(rows).toEqual([{ actor: 'system:rule-learning', payload: expect.objectContaining({ proposalId }) }]);
  });

  it('dry-runs the rule over the last year’s documents: what else it would change, from → to', async () => {
    const waiting = await waitingForReview('关于安全生产大检查的请示');
    const letter = await readyToClassify('关于安全生产培训的函', '函');
    const old = `ing_lrn_${n + 1}`;
    await seedIngestAt(db.catalog, old, event('关于安全生产考核的请示', '请示', 400), { status: 'REVIEW', stage: 'classify' });
    const proposal = (await ruleProposalOf(db.catalog.pool, proposalId))!;
    const result = await dryRunProposal(learning(), proposal);
    const changed = result.changes.map((c) => c.ingestId).sort();
    // The settled three and the one still waiting; not the letter (another 文种), not the document of 400 days ago.
    expect(changed).toEqual([...settled, waiting].sort());
    expect(changed).not.toContain(letter);
    expect(changed).not.toContain(old);
    expect(result.changes.find((c) => c.ingestId === waiting)).toMatchObject({ from: { outcome: 'REVIEW', ruleIds: ['REVIEW-REQUEST'] }, to: { outcome: 'FILE', category: 'WS', retention: 'Y', ruleIds: [proposal.rule.id] } });
    expect(result.scheduleVersion).toBe('learn.1');
  });

  it('accepting stores a new schedule version, and the classify stage decides a fresh similar document by the new rule', async () => {
    const deps = { catalog: db.catalog, schedule: root.schedule, logger, queues } as unknown as PipelineDeps;
    const refresh = startScheduleRefresh(deps, root, 50);
    try {
      const { proposal, version } = await acceptRuleProposal(learning(), proposalId, 'admin.zhao', '重要问题请示一律永久');
      expect(proposal).toMatchObject({ status: 'accepted', decidedBy: 'admin.zhao', reason: '重要问题请示一律永久', acceptedVersion: 'learn.1+learned.1' });
      expect(version).toMatchObject({ version: 'learn.1+learned.1', rootVersion: 'learn.1', baseVersion: 'learn.1', createdBy: 'admin.zhao' });
      expect(version.yaml).toContain('# The regulation tells 重要 from 一般 请示; the event cannot.');
      expect((await effectiveSchedule(db.catalog.pool, root)).schedule.version).toBe('learn.1+learned.1');

      // The running worker picks the version up without a restart.
      await vi.waitFor(() => expect(deps.schedule.version).toBe('learn.1+learned.1'), { timeout: 10_000 });
      const fresh = await readyToClassify('关于安全生产应急演练的请示');
      const ingest = (await db.catalog.getIngest(fresh))!;
      await stageHandlers.classify({ ingest, attempt: 1, log: logger, deps });
      expect(await classificationOf(db.catalog.pool, fresh)).toMatchObject({ outcome: 'FILE', retention: 'Y', category: 'WS', ruleIds: [proposal.rule.id], scheduleVersion: 'learn.1+learned.1' });
    } finally {
      await refresh.stop();
    }

    const { rows } = await db.catalog.pool.query(`SELECT actor, payload FROM audit_events WHERE type = 'schedule.rule-accepted'`);
    expect(rows).toEqual([{ actor: 'person:admin.zhao', payload: expect.objectContaining({ proposalId, scheduleVersion: 'learn.1+learned.1', reason: '重要问题请示一律永久' }) }]);
    // The event carries the version's whole text: the trail proves the rules in force, and a rebuild restores them.
    const stored = (await effectiveSchedule(db.catalog.pool, root)).stored!;
    expect(rows[0].payload).toMatchObject({ rootVersion: 'learn.1', baseVersion: 'learn.1', yaml: stored.yaml });
    // The schedule now decides those documents itself: nothing left to propose.
    expect((await refreshRuleProposals(learning())).open).toEqual([]);
    await expect(acceptRuleProposal(learning(), proposalId, 'admin.zhao')).rejects.toThrow(OperationError);
  });

  it('rejecting records who and why, and the same documents do not bring the proposal back', async () => {
    const ids: string[] = [];
    for (const title of ['关于借用会议室的请示', '关于借用会议室投影仪的请示', '关于借用会议室音响设备的请示']) {
      const id = await waitingForReview(title);
      await settleReview(settleDeps(), id, { action: 'exclude', note: '事务性请示，无保存价值' }, 'wang');
      ids.push(id);
    }
    const [proposal] = (await refreshRuleProposals(learning())).open;
    expect(proposal!.rule).toMatchObject({ outcome: 'EXCLUDE', when: { titleMatches: ['借用会议室'] } });
    await expect(rejectRuleProposal(learning(), proposal!.id, 'admin.zhao', '  ')).rejects.toThrow(/say why/);
    const rejected = await rejectRuleProposal(learning(), proposal!.id, 'admin.zhao', '借用会议室也可能涉及重要会议，需逐件鉴定');
    expect(rejected).toMatchObject({ status: 'rejected', decidedBy: 'admin.zhao', reason: '借用会议室也可能涉及重要会议，需逐件鉴定' });
    expect(rejected.decidedAt).toBeInstanceOf(Date);
    const { rows } = await db.catalog.pool.query(`SELECT actor, payload FROM audit_events WHERE type = 'schedule.rule-rejected'`);
    expect(rows).toEqual([{ actor: 'person:admin.zhao', payload: expect.objectContaining({ proposalId: proposal!.id, ingestIds: [...ids].sort() }) }]);

    const after = await refreshRuleProposals(learning());
    expect(after).toMatchObject({ open: [], created: 0 });
    // The schedule did not change.
    expect((await scheduleVersions(db.catalog.pool)).map((v) => v.version)).toEqual(['learn.1+learned.1']);
  });
});
