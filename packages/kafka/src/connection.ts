import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** How to reach the brokers: `kafkaSettingsOf` in packages/config builds this from KAFKA_* variables. */
export interface KafkaConnection {
  brokers: string[];
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** Present to use TLS; `caFile` when the brokers' CA is not one the system trusts. */
  tls?: { caFile?: string };
}

export class KafkaConnectionError extends Error {
  override readonly name = 'KafkaConnectionError';
}

/** The kafkajs options for a connection. Reads the CA file, once, at start-up. */
export function kafkaJsConnectionOf(connection: KafkaConnection, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> = { brokers: connection.brokers };
  if (connection.tls) {
    const { caFile } = connection.tls;
    if (caFile) {
      let ca: string;
      try {
        ca = readFile(caFile);
      } catch (error) {
        throw new KafkaConnectionError(`KAFKA_TLS_CA_FILE ${caFile} cannot be read: ${(error as Error).message}`);
      }
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new KafkaConnectionError(`KAFKA_TLS_CA_FILE ${caFile} holds no PEM certificate`);
      options.ssl = { ca: [ca] };
    } else {
      options.ssl = true;
    }
  }
  if (connection.sasl) {
    const { mechanism, username, password } = connection.sasl;
    options.sasl = { mechanism, username, password } as SASLOptions;
  }
  return options;
}

/** The connection as it may be logged: the password never appears. */
export function describeKafkaConnection(connection: KafkaConnection): Record<string, unknown> {
  return {
    brokers: connection.brokers,
    tls: connection.tls ? { caFile: connection.tls.caFile ?? '(system CAs)' } : false,
    sasl: connection.sasl ? { mechanism: connection.sasl.mechanism, username: connection.sasl.username, password: '[redacted]' } : false,
  };
}

const SECRET_KEY = /password|secret|token|credential|^sasl$/i;

/**
 * A kafkajs log entry's extra fields with anything credential-like replaced. Walks plain objects and
 * arrays only: an Error keeps its message and stack for the logger's serializer.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 5) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== undefined && typeof v !== 'boolean' ? '[redacted]' : redactSecrets(v, depth + 1)]));
}
