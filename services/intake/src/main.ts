import { createLogger } from '@oa-archive/observability';
import { loadIntakeConfig } from './config.ts';
import { startIntake } from './intake.ts';

const config = loadIntakeConfig();
const logger = createLogger({ service: 'intake', level: config.LOG_LEVEL });
const service = await startIntake(config, logger);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stopping intake');
    service.close().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  });
}
