import type { Logger } from 'pino';

/**
 * Stops a service cleanly on SIGTERM or SIGINT: `close` lets running work finish and releases
 * connections; the process then exits 0, or 1 if closing failed.
 */
export function closeOnSignal(logger: Logger, name: string, close: () => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, `stopping ${name}`);
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, `${name} did not stop cleanly`);
          process.exit(1);
        },
      );
    });
  }
}
