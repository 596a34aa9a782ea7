import { closeOnSignal, createLogger } from '@oa-archive/observability';
import { loadIntakeConfig } from './config.ts';
import { startIntake } from './intake.ts';

const config = loadIntakeConfig();
const logger = createLogger({ service: 'intake', level: config.LOG_LEVEL });
const service = await startIntake(config, logger);
closeOnSignal(logger, 'intake', () => service.close());
