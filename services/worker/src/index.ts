export { catalogPoolSize, concurrencyOf, loadWorkerConfig, workerEnv } from './config.ts';
export { defaultConcurrency, stageConcurrency } from './concurrency.ts';
export type { ConcurrencySettings, ToolPools } from './concurrency.ts';
export type { WorkerConfig } from './config.ts';
export { startWorker } from './worker.ts';
export type { WorkerProcess } from './worker.ts';
