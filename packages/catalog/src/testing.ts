import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { exampleDocumentFinalizedEvent, parseDocumentFinalized, STAGES, type DocumentFinalizedEvent, type IngestStatus, type Stage } from '@oa-archive/contracts';
import { Catalog } from './catalog.ts';
import { createPool } from './db.ts';
import { migrate } from './migrate.ts';

/**
 * A fresh, migrated database for one test file on the real PostgreSQL server, dropped afterwards.
 * Keeps test files independent when vitest runs them in parallel.
 */
export async function createTestCatalog(adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres') {
  const name = `oa_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(adminUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const pool = createPool(url, 5);
  await migrate(pool);
  const catalog = new Catalog(pool);
  return {
    catalog,
    url,
    async drop() {
      await catalog.close();
      const client = new pg.Client({ connectionString: withDatabase(adminUrl, 'postgres') });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The README's example event as parsed by the contract, under another document id. */
export function exampleEventFor(documentId: string): DocumentFinalizedEvent {
  const parsed = parseDocumentFinalized({ value: Buffer.from(JSON.stringify({ ...exampleDocumentFinalizedEvent, id: `ev-${documentId}`, data: { ...exampleDocumentFinalizedEvent.data, documentId } })), headers: {} });
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

const DEFAULT_STAGE: Record<IngestStatus, Stage> = {
  RECEIVED: 'fetch',
  IN_PROGRESS: 'characterize',
  REVIEW: 'classify',
  EXCLUDED: 'classify',
  QUARANTINED: 'deposit',
  FILED: 'deposit',
  FAILED: 'fetch',
};

/**
 * Records an ingest and takes it to `status` at `stage` the way the pipeline would, through the state
 * machine (stage runs, transitions, audit events, receipts): for tests that start from a given state.
 */
export async function seedIngestAt(catalog: Catalog, ingestId: string, event: DocumentFinalizedEvent, target: { status: IngestStatus; stage?: Stage }): Promise<void> {
  const stage = target.stage ?? DEFAULT_STAGE[target.status];
  await catalog.recordIngest(ingestId, event);
  if (target.status === 'RECEIVED') return;
  const at = new Date();
  const run = { attempt: 1, startedAt: at, finishedAt: at, detail: { seeded: true } };
  for (const s of STAGES.slice(0, STAGES.indexOf(stage))) await catalog.completeStage(ingestId, s, run, { next: STAGES[STAGES.indexOf(s) + 1]! });
  switch (target.status) {
    case 'IN_PROGRESS':
      if (stage === 'fetch') throw new Error('an ingest at fetch is RECEIVED');
      return;
    case 'FAILED':
      await catalog.markFailed(ingestId, { stage, reason: 'SeededError: failed for a test', retryable: true, attempts: 1 });
      return;
    default:
      await catalog.completeStage(ingestId, stage, run, { outcome: { status: target.status as 'FILED' | 'EXCLUDED' | 'QUARANTINED' | 'REVIEW', payload: { seeded: true } } });
  }
}
