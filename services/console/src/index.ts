export { buildConsole } from './app.ts';
export { CONSOLE_POOL_SIZE, consoleEnv, loadConsoleConfig } from './config.ts';
export type { ConsoleConfig } from './config.ts';
export { startConsole } from './console.ts';
export type { ConsoleProcess } from './console.ts';
export type { ConsoleDeps } from './deps.ts';
