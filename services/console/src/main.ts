import { closeOnSignal, createLogger } from '@oa-archive/observability';
import { loadConsoleConfig } from './config.ts';
import { startConsole } from './console.ts';

const config = loadConsoleConfig();
const logger = createLogger({ service: 'console', level: config.LOG_LEVEL });
const consoleProcess = await startConsole(config, logger);
closeOnSignal(logger, 'console', () => consoleProcess.close());
