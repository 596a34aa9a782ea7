import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChildProcess } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { observeQueries, type Catalog } from '@oa-archive/catalog';
import type { Stage } from '@oa-archive/contracts';
import { observeRequests, type ObjectStore } from '@oa-archive/storage';
import type { PipelineMetrics } from './metrics.ts';

/**
 * Which stage the running code works for, so that what it costs — S3 requests, processes started,
 * PostgreSQL round trips — is counted against that stage (`s3_requests_total`, `child_processes_total`,
 * `postgres_round_trips_total`). Outside a stage (the
 * reconciler, the receipt relay, start-up) the label is `none`.
 */
const stageScope = new AsyncLocalStorage<Stage>();

export function runInStage<T>(stage: Stage, fn: () => T): T {
  return stageScope.run(stage, fn);
}

export const currentStage = (): Stage | 'none' => stageScope.getStore() ?? 'none';

/** The program a child process runs, without its directory (`gs`, `perl`, `python3`). */
function commandOf(child: ChildProcess): string {
  return (child.spawnfile ?? 'unknown').split('/').at(-1) ?? 'unknown';
}

/**
 * Counts the store's requests, the catalog's round trips and the processes this process starts, by
 * stage. Returns a function that stops counting processes (the S3 middleware and the pool's observer
 * live as long as the client and the pool).
 */
export function instrumentCosts(store: ObjectStore, metrics: PipelineMetrics, catalog?: Pick<Catalog, 'pool'>): () => void {
  observeRequests(store.s3, (command) => metrics.s3Requests.inc({ stage: currentStage(), command: command.replace(/Command$/, '') }));
  if (catalog) observeQueries(catalog.pool, () => metrics.postgresRoundTrips.inc({ stage: currentStage() }));
  const onSpawn = (message: unknown) => {
    const child = (message as { process: ChildProcess }).process;
    // Published as the process is created, in the caller's async context; its file name is set a moment later.
    const stage = currentStage();
    queueMicrotask(() => metrics.childProcesses.inc({ stage, command: commandOf(child) }));
  };
  subscribe('child_process', onSpawn);
  return () => unsubscribe('child_process', onSpawn);
}
