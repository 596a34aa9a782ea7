import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { freePort } from './infra/ports.ts';
import { PostgresCluster } from './infra/postgres.ts';
import { RedisServer } from './infra/redis.ts';
import { kafkaBroker, s3Server, type ScriptedServer } from './infra/scripted.ts';
import { RUN_TAG, sweep } from './processes.ts';
import { ServiceProcess, type ExitRecord } from './service.ts';

export const DATABASE = 'oa_archive';
const TOKEN = 'chaos-simulator-token';

/**
 * The archive on infrastructure of its own: a PostgreSQL cluster, a Redis, a Kafka broker and an
 * S3 server on spare ports (the machine's shared ones stay untouched), and intake, the workers and
 * the OA simulator's file server as separate processes pointed at them. A process that dies on its
 * own is restarted, as a supervisor would; each such death is recorded.
 */
export class Stack {
  readonly postgres: PostgresCluster;
  readonly redis: RedisServer;
  readonly kafka: ScriptedServer;
  readonly s3: ScriptedServer;
  readonly services = new Map<string, ServiceProcess>();
  /** What the services, the CLI and the suite's own clients are configured with. */
  readonly env: Record<string, string>;
  readonly unexpectedExits: ExitRecord[] = [];
  readonly #log: (line: string) => void;
  /** Starts under way, by service: an exit during one is that start failing, not a crash to restart. */
  readonly #restarting = new Map<string, Promise<void>>();
  #stopping = false;

  private constructor(scratch: string, env: Record<string, string>, parts: Pick<Stack, 'postgres' | 'redis' | 'kafka' | 's3'>, workers: number, log: (line: string) => void) {
    this.postgres = parts.postgres;
    this.redis = parts.redis;
    this.kafka = parts.kafka;
    this.s3 = parts.s3;
    this.env = env;
    this.#log = log;
    const processEnv = (extra: Record<string, string> = {}) => {
      const { NODE_OPTIONS: _vitestLoaderFlags, ...inherited } = process.env;
      return { ...inherited, ...env, ...extra };
    };
    const logFile = (name: string) => path.join(scratch, 'logs', `${name}.log`);
    const add = (service: ServiceProcess) => {
      service.onUnexpectedExit = (exit) => this.#onUnexpectedExit(service, exit);
      this.services.set(service.name, service);
    };
    add(new ServiceProcess({ name: 'oa-simulator', entry: 'services/oa-simulator/src/main.ts', args: ['serve'], env: processEnv(), logFile: logFile('oa-simulator'), ready: /OA simulator serving/ }));
    add(new ServiceProcess({ name: 'intake', entry: 'services/intake/src/main.ts', env: processEnv(), logFile: logFile('intake'), ready: /"msg":"intake consuming"/ }));
    for (let i = 1; i <= workers; i++) {
      const name = `worker-${i}`;
      add(new ServiceProcess({ name, entry: 'services/worker/src/main.ts', env: processEnv({ SCRATCH_DIR: path.join(scratch, name) }), logFile: logFile(name), ready: /"msg":"worker running"/ }));
    }
  }

  static async create(options: { scratch: string; runId: string; workers: number; log: (line: string) => void }): Promise<Stack> {
    const { scratch, runId } = options;
    // PostgreSQL runs as the postgres user, which must be able to reach its directory inside.
    await chmod(scratch, 0o755);
    await mkdir(path.join(scratch, 'logs'), { recursive: true });
    const taken = new Set<number>();
    const port = async (preferred: number) => {
      const p = await freePort(preferred, taken);
      taken.add(p);
      return p;
    };
    const ports = { postgres: await port(15432), redis: await port(16379), kafka: await port(19092), controller: await port(19093), s3: await port(19000), simulator: await port(18088) };
    const tagged = { ...process.env, [RUN_TAG]: runId };
    const commandLog = path.join(scratch, 'logs', 'infra.log');
    const parts = {
      postgres: new PostgresCluster({ dir: path.join(scratch, 'postgresql'), port: ports.postgres, env: tagged, commandLog }),
      redis: new RedisServer({ dir: path.join(scratch, 'redis'), port: ports.redis, env: tagged }),
      kafka: kafkaBroker({ dir: path.join(scratch, 'kafka'), port: ports.kafka, controllerPort: ports.controller, env: tagged, logFile: commandLog }),
      s3: s3Server({ dir: path.join(scratch, 's3'), port: ports.s3, env: { ...tagged, S3_ACCESS_KEY_ID: 'oa-archive-local', S3_SECRET_ACCESS_KEY: 'oa-archive-local-secret' }, logFile: commandLog }),
    };
    const suffix = runId.split('-').at(-1)!;
    const env: Record<string, string> = {
      [RUN_TAG]: runId,
      LOG_LEVEL: 'info',
      DATABASE_URL: parts.postgres.url(DATABASE),
      REDIS_URL: parts.redis.url,
      QUEUE_PREFIX: `chaos-${suffix}`,
      KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
      KAFKA_CLIENT_ID: 'oa-archive-chaos',
      KAFKA_TOPIC_FINALIZED: `chaos-${suffix}.finalized`,
      KAFKA_TOPIC_DEAD_LETTER: `chaos-${suffix}.finalized.dlq`,
      KAFKA_TOPIC_RECEIPTS: `chaos-${suffix}.receipts`,
      KAFKA_GROUP_ID: `chaos-${suffix}-intake`,
      S3_ENDPOINT: `http://127.0.0.1:${ports.s3}`,
      S3_ACCESS_KEY_ID: 'oa-archive-local',
      S3_SECRET_ACCESS_KEY: 'oa-archive-local-secret',
      S3_STAGING_BUCKET: `chaos-${suffix}-staging`,
      S3_ARCHIVE_BUCKET: `chaos-${suffix}-archive`,
      S3_QUARANTINE_BUCKET: `chaos-${suffix}-quarantine`,
      S3_OBJECT_LOCK: 'off',
      S3_CREATE_BUCKETS: 'true',
      SIMULATOR_HOST: '127.0.0.1',
      SIMULATOR_PORT: String(ports.simulator),
      SIMULATOR_TOKEN: TOKEN,
      OA_SOURCES: JSON.stringify({ 'oa-simulator': { allowedOrigins: [`http://127.0.0.1:${ports.simulator}`], token: TOKEN } }),
      INTAKE_OPS_PORT: '-1',
      WORKER_OPS_PORT: '-1',
      // One warm LibreOffice per worker is plenty for one-page documents on two cores.
      LIBREOFFICE_INSTANCES: '1',
      // A convert job holds its lock for this + 60 s; a killed worker's job waits that long for another.
      CONVERSION_TIMEOUT_MS: '30000',
      // Anchoring runs under the faults too (a round that meets a stopped S3 fails, a later one anchors); the checks want an anchor.
      AUDIT_ANCHOR_INTERVAL_MS: '60000',
    };
    return new Stack(scratch, env, parts, options.workers, options.log);
  }

  get simulatorUrl(): string {
    return `http://127.0.0.1:${this.env.SIMULATOR_PORT}`;
  }

  service(name: string): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`no service ${name} in this stack`);
    return service;
  }

  async start(): Promise<void> {
    const began = Date.now();
    await Promise.all([
      (async () => {
        await this.postgres.init();
        await this.postgres.start();
        await this.postgres.createDatabase(DATABASE);
      })(),
      this.redis.start(),
      this.kafka.start(),
      this.s3.start(),
    ]);
    this.#log(`infrastructure up in ${((Date.now() - began) / 1000).toFixed(1)} s: PostgreSQL :${this.postgres.port}, Redis :${this.redis.port}, Kafka :${this.kafka.port}, S3 :${this.s3.port}`);
    // One worker first: workers creating the buckets at the same moment race (CreateBucket answers
    // BucketAlreadyOwnedByYou to the loser, which then exits), so the others start once they exist.
    const [first, ...others] = [...this.services.values()].filter((s) => s.name.startsWith('worker-'));
    await Promise.all([this.#startOnce(this.service('oa-simulator')), this.#startOnce(this.service('intake')), this.#startOnce(first!)]);
    await Promise.all(others.map((s) => this.#startOnce(s)));
    this.#log(`services ready in ${((Date.now() - began) / 1000).toFixed(1)} s: ${[...this.services.keys()].join(', ')}`);
  }

  /** The first start: a service that does not come up fails the run, it is not restarted. */
  async #startOnce(service: ServiceProcess): Promise<void> {
    const start = service.start();
    this.#restarting.set(service.name, start);
    try {
      await start;
    } finally {
      this.#restarting.delete(service.name);
    }
  }

  /**
   * Starts a service until it comes up (it may not while a dependency is down), unless stopping.
   * A second call while one is under way waits for that one.
   */
  restart(service: ServiceProcess): Promise<void> {
    const running = this.#restarting.get(service.name);
    if (running) return running;
    const attempt = (async () => {
      for (let n = 1; !this.#stopping; n++) {
        try {
          await service.start();
          return;
        } catch (error) {
          this.#log(`${service.name} did not come up (attempt ${n}): ${(error as Error).message.split('\n')[0]}`);
          await service.kill();
          await new Promise((r) => setTimeout(r, 3000));
        }
      }
    })().finally(() => this.#restarting.delete(service.name));
    this.#restarting.set(service.name, attempt);
    return attempt;
  }

  #onUnexpectedExit(service: ServiceProcess, exit: ExitRecord): void {
    if (this.#stopping || this.#restarting.has(service.name)) return;
    this.unexpectedExits.push(exit);
    this.#log(`${service.name} (pid ${exit.pid}) exited on its own (${exit.code ?? exit.signal}${exit.reason ? `: ${exit.reason}` : ''}); restarting it`);
    setTimeout(() => void this.restart(service), 2000);
  }

  /**
   * Stops everything, also after a failure half-way: services first, then the servers, then any
   * process still carrying this run's tag. Returns those stragglers (none, when all went well).
   */
  async stop(): Promise<{ pid: number; command: string }[]> {
    this.#stopping = true;
    const quietly = (what: string, p: Promise<unknown>) => p.catch((error: Error) => this.#log(`stopping ${what}: ${error.message.split('\n')[0]}`));
    await Promise.all([...this.services.values()].map((s) => quietly(s.name, s.stop())));
    await Promise.all([quietly('s3', this.s3.stop()), quietly('kafka', this.kafka.stop()), quietly('redis', this.redis.kill()), quietly('postgresql', this.postgres.stop('immediate'))]);
    return sweep(this.env[RUN_TAG]);
  }
}
