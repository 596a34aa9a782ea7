import { createLogger } from '@oa-archive/observability';
import { loadWorkerConfig } from './config.ts';
import { startWorker } from './worker.ts';

const config = loadWorkerConfig();
const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL });
const worker = await startWorker(config, logger);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping worker: waiting for running jobs');
    worker.close().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  });
}
