import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import { STAGES } from '@oa-archive/contracts';
import { StageQueues } from '@oa-archive/pipeline';
import { listBags } from './archiveListing.ts';
import { isSettled, type DeadLetterFact, type Facts, type IngestFact, type NumberClass, type Published, type ReceiptFact } from './facts.ts';
import { readTopicToEnd } from './kafkaRead.ts';
import { voidedNumbers } from './voided.ts';

const REPO = path.join(import.meta.dirname, '..', '..', '..');
const ms = (d: Date | null) => (d ? d.getTime() : null);

export async function readIngests(pool: pg.Pool): Promise<Omit<IngestFact, 'jobs'>[]> {
  const { rows } = await pool.query(
    `SELECT i.ingest_id, i.document_id, i.status, i.current_stage, i.failed_stage, i.failure_reason, i.enqueued_at, i.updated_at, i.completed_at,
            r.stage AS run_stage, r.status AS run_status, r.attempt AS run_attempt, r.finished_at AS run_finished, r.detail->>'reason' AS run_reason
       FROM ingests i
       LEFT JOIN LATERAL (SELECT * FROM stage_runs s WHERE s.ingest_id = i.ingest_id ORDER BY s.id DESC LIMIT 1) r ON true`,
  );
  return rows.map((r) => ({
    ingestId: r.ingest_id,
    documentId: r.document_id,
    status: r.status,
    currentStage: r.current_stage,
    failedStage: r.failed_stage,
    failureReason: r.failure_reason,
    enqueuedAt: ms(r.enqueued_at),
    updatedAt: r.updated_at.getTime(),
    settledAt: isSettled(r.status) ? (r.completed_at ?? r.updated_at).getTime() : null,
    lastRun: r.run_stage ? { stage: r.run_stage, status: r.run_status, attempt: r.run_attempt, finishedAt: r.run_finished.getTime(), reason: r.run_reason } : null,
  }));
}

/** The BullMQ jobs Redis still holds for the given ingests, with their states (one scan of the queue keys). */
async function jobsOf(redis: Redis, prefix: string, ingestIds: Set<string>): Promise<Map<string, IngestFact['jobs']>> {
  const found = new Map<string, IngestFact['jobs']>();
  if (ingestIds.size === 0) return found;
  const queues = new StageQueues(redis, { prefix, retry: { attempts: 1, backoffMs: 0 } });
  try {
    for (const stage of STAGES) {
      const queueKey = `${prefix}:stage-${stage}:`;
      const keys = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${queueKey}ing_*`, 'COUNT', 1000);
        cursor = next;
        for (const key of batch) keys.add(key.slice(queueKey.length));
      } while (cursor !== '0');
      for (const jobId of keys) {
        const ingestId = jobId.slice(0, 36);
        if (jobId.includes(':') || !ingestIds.has(ingestId)) continue;
        const state = await queues.queue(stage).getJobState(jobId);
        found.set(ingestId, [...(found.get(ingestId) ?? []), { stage, jobId, state }]);
      }
    }
  } finally {
    await queues.close();
  }
  return found;
}

async function readNumbering(pool: pg.Pool): Promise<{ classes: NumberClass[]; source: string }> {
  const { rows: counters } = await pool.query(`SELECT fonds, category, year, retention, org, last_item FROM reference_code_counters`);
  const { rows: items } = await pool.query(
    `SELECT c.ingest_id, c.reference_code, c.item_number, c.category, c.year, c.retention, c.organisation_code AS org, i.status
       FROM classifications c JOIN ingests i USING (ingest_id) WHERE c.reference_code IS NOT NULL`,
  );
  const voided = await voidedNumbers(pool);
  const keyOf = (r: { category: string; year: number; retention: string; org: string }) => `${r.category}|${r.year}|${r.retention}|${r.org}`;
  const classes = counters.map((c): NumberClass => {
    const mine = items.filter((i) => keyOf(i) === keyOf(c));
    return {
      itemClass: mine[0]?.reference_code.replace(/-?\d+$/, '') ?? `${c.fonds} ${keyOf(c)}`,
      lastItem: c.last_item,
      items: mine.map((i) => ({ itemNumber: i.item_number, ingestId: i.ingest_id, referenceCode: i.reference_code, status: i.status })),
      voided: voided.byClass.get(keyOf(c)) ?? [],
    };
  });
  return { classes, source: voided.source };
}

async function runAuditVerify(env: NodeJS.ProcessEnv): Promise<Facts['auditVerify']> {
  const args = ['--disable-warning=TimeoutNegativeWarning', path.join(REPO, 'services/cli/src/main.ts'), 'audit', 'verify', '--read-back'];
  try {
    // The verdict reads the report's English lines (MISSING s3://… (ingest …)); the CLI otherwise speaks the shell's language.
    const { stdout } = await promisify(execFile)(process.execPath, args, { env: { ...env, ARCHIVE_LOCALE: 'en' }, cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
    return { exitCode: 0, lines: stdout.trim().split('\n') };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: typeof e.code === 'number' ? e.code : -1, lines: `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n') };
  }
}

function parseReceipt(value: string, at: number): ReceiptFact | undefined {
  try {
    const event = JSON.parse(value) as { id?: string; data?: { ingestId?: string; documentId?: string; outcome?: string } };
    if (!event.id || !event.data?.ingestId) return undefined;
    return { id: event.id, ingestId: event.data.ingestId, documentId: event.data.documentId ?? '', outcome: event.data.outcome ?? '', at };
  } catch {
    return undefined;
  }
}

/** Reads everything the checks need from the catalog, Redis, Kafka and the archive bucket, and runs `archive audit verify --read-back`. */
export async function observe(clients: { pool: pg.Pool; redis: Redis; kafka: Kafka; s3: S3Client }, env: Record<string, string>, published: Published[]): Promise<Facts> {
  const { pool, redis, kafka, s3 } = clients;
  const ingests = await readIngests(pool);
  const unsettled = new Set(ingests.filter((i) => !isSettled(i.status)).map((i) => i.ingestId));
  const jobs = await jobsOf(redis, env.QUEUE_PREFIX!, unsettled);
  const receipts = (await readTopicToEnd(kafka, env.KAFKA_TOPIC_RECEIPTS!)).map((r) => parseReceipt(r.value, r.timestamp)).filter((r): r is ReceiptFact => r !== undefined);
  const deadLetters: DeadLetterFact[] = (await readTopicToEnd(kafka, env.KAFKA_TOPIC_DEAD_LETTER!)).map((r) => {
    const letter = JSON.parse(r.value) as { reason?: string; origin?: { key?: string | null } };
    return { reason: letter.reason ?? '(no reason)', documentId: letter.origin?.key ?? r.key };
  });
  const { rows: aipRows } = await pool.query<{ ingest_id: string; prefix: string }>('SELECT ingest_id, prefix FROM aips');
  const aips = aipRows.map((r) => ({ ingestId: r.ingest_id, prefix: r.prefix }));
  const { bags, otherKeys } = await listBags(s3, env.S3_ARCHIVE_BUCKET!, new Map(aips.map((a) => [a.prefix, a.ingestId])));
  const numbering = await readNumbering(pool);
  const auditVerify = await runAuditVerify({ ...process.env, ...env });
  return {
    published,
    ingests: ingests.map((i) => ({ ...i, jobs: jobs.get(i.ingestId) ?? [] })),
    receipts,
    deadLetters,
    aips,
    bags,
    otherArchiveKeys: otherKeys,
    numbering: numbering.classes,
    voidedSource: numbering.source,
    auditVerify,
  };
}
