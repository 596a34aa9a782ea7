export { catalogPoolSize, loadWorkerConfig, workerEnv } from './config.ts';
export type { WorkerConfig } from './config.ts';
export { startWorker } from './worker.ts';
export type { WorkerProcess } from './worker.ts';
