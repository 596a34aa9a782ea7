import { closeOnSignal, createLogger } from '@oa-archive/observability';
import { loadWorkerConfig } from './config.ts';
import { startWorker } from './worker.ts';

const config = loadWorkerConfig();
const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL });
const worker = await startWorker(config, logger);
// Running jobs finish first, so no attempt is cut off half-recorded.
closeOnSignal(logger, 'worker', () => worker.close());
