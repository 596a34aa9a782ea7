export { createLogger, ingestLogger, redactUrl, REDACTED_PATHS } from './logger.ts';
export type { Logger } from './logger.ts';
export { closeOnSignal } from './shutdown.ts';
export { startOpsServer } from './opsServer.ts';
export type { OpsServer } from './opsServer.ts';
