import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that may carry credentials anywhere we log them: bearer tokens of OA sources, the
 * S3 secret, the Kafka SASL password, connection strings with passwords, HTTP authorization headers.
 */
export const REDACTED_PATHS = [
  'token',
  '*.token',
  '*.*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'S3_SECRET_ACCESS_KEY',
  '*.S3_SECRET_ACCESS_KEY',
  'KAFKA_SASL_PASSWORD',
  '*.KAFKA_SASL_PASSWORD',
  '*.sasl.password',
  'OA_SOURCES',
  '*.OA_SOURCES',
];

export function createLogger(options: { service: string; level?: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/** Every line about one document carries its ingest id and the event id that brought it. */
export function ingestLogger(logger: Logger, ids: { ingestId: string; eventId: string }): Logger {
  return logger.child({ ingestId: ids.ingestId, eventId: ids.eventId });
}

/** Passwords inside URLs (postgres://user:secret@host) never reach a log line. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
