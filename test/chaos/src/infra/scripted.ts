import path from 'node:path';
import { runLogged } from '../processes.ts';

const INFRA = path.join(import.meta.dirname, '..', '..', '..', '..', 'infra', 'local');

/**
 * A server the project's own infra/local script starts and stops (kafka.sh, s3.sh), pointed by its
 * environment at the suite's port, data directory and pid file so it runs beside the shared one.
 */
export class ScriptedServer {
  readonly name: string;
  readonly port: number;
  readonly #script: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #logFile: string;

  constructor(options: { name: string; script: 'kafka.sh' | 's3.sh'; port: number; env: NodeJS.ProcessEnv; logFile: string }) {
    this.name = options.name;
    this.port = options.port;
    this.#script = path.join(INFRA, options.script);
    this.#env = options.env;
    this.#logFile = options.logFile;
  }

  start(): Promise<void> {
    return runLogged({ command: 'bash', args: [this.#script, 'start'], env: this.#env, logFile: this.#logFile }, 180_000);
  }

  stop(): Promise<void> {
    return runLogged({ command: 'bash', args: [this.#script, 'stop'], env: this.#env, logFile: this.#logFile }, 90_000);
  }
}

/** Kafka through infra/local/kafka.sh, on its own ports, data directory, pid file and log. */
export function kafkaBroker(options: { dir: string; port: number; controllerPort: number; env: NodeJS.ProcessEnv; logFile: string }): ScriptedServer {
  return new ScriptedServer({
    name: 'kafka',
    script: 'kafka.sh',
    port: options.port,
    logFile: options.logFile,
    env: {
      ...options.env,
      KAFKA_PORT: String(options.port),
      KAFKA_CONTROLLER_PORT: String(options.controllerPort),
      KAFKA_DATA_DIR: path.join(options.dir, 'data'),
      KAFKA_PIDFILE: path.join(options.dir, 'kafka.pid'),
      KAFKA_LOG_FILE: path.join(options.dir, 'kafka.log'),
    },
  });
}

/** S3Proxy through infra/local/s3.sh, on its own port, data directory and pid file. */
export function s3Server(options: { dir: string; port: number; env: NodeJS.ProcessEnv; logFile: string }): ScriptedServer {
  return new ScriptedServer({
    name: 's3',
    script: 's3.sh',
    port: options.port,
    logFile: options.logFile,
    env: { ...options.env, S3_PORT: String(options.port), S3_DATA_DIR: path.join(options.dir, 'data'), S3_PIDFILE: path.join(options.dir, 's3.pid') },
  });
}
