import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { createProducer } from '@oa-archive/kafka';
import { documentIdOf, publishDocuments, type DocumentMix } from '@oa-archive/oa-simulator';
import { testKafka, uniqueName, waitFor } from '@oa-archive/testing';
import { INFRASTRUCTURE, readCpu, serviceGroups, type CpuGroups, type CpuReading } from './cpu.ts';
import { descendants, peakRssMiB } from './stats.ts';

const REPO = path.join(import.meta.dirname, '..', '..', '..');
export const OUTCOMES = ['FILED', 'EXCLUDED', 'QUARANTINED', 'REVIEW', 'FAILED'] as const;
export const SEED = 4242;

export interface WorkerSpec {
  name: string;
  /** WORKER_STAGES; all stages when absent. */
  stages?: string;
  env?: Record<string, string>;
}

export interface Outcome {
  documentId: string;
  status: string;
  /** Event time (set when published) to the outcome's commit, ms. */
  latencyMs: number;
  decidedAt: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Intake, worker(s) and the OA simulator as separate processes on the real local infrastructure, with
 * a fresh catalog database, queue prefix, topics and buckets of their own. `ready` resolves once every
 * process can take work: migrations done, the simulator serving, each worker's ops port answering
 * (after its LibreOffice pool started) and intake's consumer group assigned its partitions.
 */
export class Cluster {
  readonly services = new Map<string, ChildProcess>();
  readonly workerOps = new Map<string, string>();
  readonly peaks: Record<string, number> = {};
  #producer: Producer | undefined;
  /** The next free index of each range (mix and first index): every part draws from its own. */
  #nextIndex = new Map<string, number>();
  #sampler: NodeJS.Timeout | undefined;
  #env: Record<string, string> = {};
  #db: Awaited<ReturnType<typeof createTestCatalog>> | undefined;
  #baseUrl = '';
  #logsDir: string | undefined;

  static async start(options: { workers: WorkerSpec[]; profileDir?: string; env?: Record<string, string>; logLevel?: string; logsDir?: string }): Promise<Cluster> {
    const cluster = new Cluster();
    try {
      await cluster.#start(options);
    } catch (error) {
      await cluster.stop().catch(() => undefined);
      throw error;
    }
    return cluster;
  }

  get catalog() {
    return this.#db!.catalog;
  }

  async #start(options: { workers: WorkerSpec[]; profileDir?: string; env?: Record<string, string>; logLevel?: string; logsDir?: string }): Promise<void> {
    this.#logsDir = options.logsDir;
    this.#db = await createTestCatalog();
    const port = await freePort();
    this.#baseUrl = `http://127.0.0.1:${port}`;
    this.#env = {
      DATABASE_URL: this.#db.url,
      KAFKA_TOPIC_FINALIZED: uniqueName('bench-finalized'),
      KAFKA_TOPIC_DEAD_LETTER: uniqueName('bench-dlq'),
      KAFKA_TOPIC_RECEIPTS: uniqueName('bench-receipts'),
      KAFKA_GROUP_ID: uniqueName('bench-intake'),
      QUEUE_PREFIX: uniqueName('bench'),
      S3_STAGING_BUCKET: uniqueName('bench-staging'),
      S3_ARCHIVE_BUCKET: uniqueName('bench-archive'),
      S3_QUARANTINE_BUCKET: uniqueName('bench-quarantine'),
      SIMULATOR_PORT: String(port),
      INTAKE_OPS_PORT: '-1',
      OA_SOURCES: JSON.stringify({ 'oa-simulator': { allowedOrigins: [this.#baseUrl], token: 'local-simulator-token' } }),
      // As deployed: the services log at info (their output goes nowhere here, but is written).
      LOG_LEVEL: options.logLevel ?? 'info',
      ...options.env,
    };
    this.#spawn('oa-simulator', ['services/oa-simulator/src/main.ts', 'serve'], {});
    this.#spawn('intake', ['services/intake/src/main.ts'], {});
    for (const [i, worker] of options.workers.entries()) {
      const opsPort = await freePort();
      this.workerOps.set(worker.name, `http://127.0.0.1:${opsPort}`);
      const profile = options.profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(options.profileDir, worker.name)] : [];
      this.#spawn(worker.name, [...profile, 'services/worker/src/main.ts'], {
        WORKER_OPS_PORT: String(opsPort),
        ...(worker.stages ? { WORKER_STAGES: worker.stages } : {}),
        // One process reconciles; a second would only race it for the same advisory lock.
        ...(i > 0 ? { RECONCILE_INTERVAL_MS: '0', AUDIT_ANCHOR_INTERVAL_MS: '0' } : {}),
        ...worker.env,
      });
    }
    this.#sampler = setInterval(() => void this.samplePeaks(), 500);
    // A service that exits while starting fails the start at once, naming it (its stderr is above).
    const exited = new Promise<never>((_resolve, reject) => {
      for (const [name, child] of this.services) child.once('exit', (code, signal) => reject(new Error(`${name} exited while starting (${signal ?? `code ${code}`})`)));
    });
    exited.catch(() => undefined);
    await Promise.race([exited, this.#waitForReady()]);
    this.#producer = createProducer(testKafka());
    await this.#producer.connect();
  }

  async #waitForReady(): Promise<void> {
    await waitFor(async () => (await this.catalog.pool.query(`SELECT to_regclass('aips') AS t`)).rows[0].t !== null, { timeoutMs: 60_000, what: 'migrations' });
    await waitFor(() => fetch(`${this.#baseUrl}/`).then(() => true, () => false), { timeoutMs: 30_000, what: 'simulator' });
    for (const [name, url] of this.workerOps) {
      await waitFor(() => fetch(`${url}/readyz`).then((r) => r.ok, () => false), { timeoutMs: 90_000, intervalMs: 200, what: `${name} ready` });
    }
    await this.#waitForIntakeAssignment();
  }

  /** Until intake's consumer group is stable with its partitions assigned, a published event would wait for the rebalance. */
  async #waitForIntakeAssignment(): Promise<void> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const { groups } = await admin.describeGroups([this.#env.KAFKA_GROUP_ID!]);
          const group = groups[0];
          return group?.state === 'Stable' && group.members.some((m) => m.memberAssignment.length > 0);
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'intake consumer group assigned' },
      );
    } finally {
      await admin.disconnect();
    }
  }

  #spawn(name: string, args: string[], env: Record<string, string>): void {
    // Their logs go nowhere unless asked for (--logs DIR): one file per service.
    const stdout = this.#logsDir ? openSync(path.join(this.#logsDir, `${name}.log`), 'w') : 'ignore';
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', ...args], {
      cwd: REPO,
      env: { ...process.env, ...this.#env, ...env },
      stdio: ['ignore', stdout, 'pipe'],
    });
    if (typeof stdout === 'number') closeSync(stdout);
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d}`));
    this.services.set(name, child);
  }

  /**
   * Indexes for the next `count` documents of a mix, from the range starting at `from`: every call takes
   * fresh ones, so no event is a duplicate, and a part that starts its own range (the burst at 1) gets
   * the same documents in every run.
   */
  takeIndexes(mix: DocumentMix, count: number, from = 1): number[] {
    const key = `${mix}:${from}`;
    const first = this.#nextIndex.get(key) ?? from;
    this.#nextIndex.set(key, first + count);
    return Array.from({ length: count }, (_, i) => first + i);
  }

  async publish(mix: DocumentMix, indexes: number[]): Promise<string[]> {
    const ids: string[] = [];
    // Consecutive runs in one send each.
    for (let i = 0; i < indexes.length; ) {
      let j = i + 1;
      while (j < indexes.length && indexes[j] === indexes[j - 1]! + 1) j++;
      const published = await publishDocuments(this.#producer!, { topic: this.#env.KAFKA_TOPIC_FINALIZED!, source: 'oa-simulator', seed: SEED, count: j - i, first: indexes[i]!, baseUrl: this.#baseUrl, mix });
      ids.push(...published.map((p) => p.documentId));
      i = j;
    }
    return ids;
  }

  static idsOf(mix: DocumentMix, indexes: number[]): string[] {
    return indexes.map((i) => documentIdOf(SEED, i, mix));
  }

  /** The documents among `ids` that reached an outcome, with their latency. */
  async outcomes(ids: string[]): Promise<Outcome[]> {
    const { rows } = await this.catalog.pool.query<{ document_id: string; status: string; event_time: string; decided_at: Date }>(
      `SELECT document_id, status, event->>'time' AS event_time, COALESCE(completed_at, updated_at) AS decided_at
       FROM ingests WHERE document_id = ANY($1) AND status = ANY($2)`,
      [ids, OUTCOMES],
    );
    return rows.map((r) => ({ documentId: r.document_id, status: r.status, latencyMs: r.decided_at.getTime() - Date.parse(r.event_time), decidedAt: r.decided_at.getTime() }));
  }

  async waitForOutcomes(ids: string[], timeoutMs: number): Promise<Outcome[]> {
    let last: Outcome[] = [];
    await waitFor(
      async () => {
        last = await this.outcomes(ids);
        return last.length >= ids.length;
      },
      { timeoutMs, intervalMs: 100, what: `${ids.length} outcomes` },
    ).catch(() => undefined);
    return last;
  }

  /** The worker's counters (s3_requests_total, child_processes_total, postgres_round_trips_total) as `name{labels}` → value. */
  async scrape(worker: string): Promise<Map<string, number>> {
    const text = await (await fetch(`${this.workerOps.get(worker)}/metrics`)).text();
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      const match = /^(oa_archive_(?:s3_requests_total|child_processes_total|postgres_round_trips_total)\{[^}]*\}) (\S+)$/.exec(line);
      if (match) out.set(match[1]!, Number(match[2]));
    }
    return out;
  }

  /** Every service, its tools, and the infrastructure, for CPU readings. */
  cpuGroups(): { groups: CpuGroups; services: Record<string, number> } {
    const groups: CpuGroups = { ...INFRASTRUCTURE };
    const services: Record<string, number> = {};
    for (const [name, child] of this.services) {
      Object.assign(groups, serviceGroups(name, child.pid!));
      services[`${name}: tools it ran (Ghostscript, ffmpeg)`] = child.pid!;
    }
    return { groups, services };
  }

  async readCpu(): Promise<CpuReading> {
    const { groups, services } = this.cpuGroups();
    return readCpu(groups, services);
  }

  async samplePeaks(): Promise<void> {
    for (const [name, child] of this.services) {
      if (child.exitCode !== null) continue;
      const pids = [child.pid!, ...(await descendants(child.pid!))];
      for (const [i, pid] of pids.entries()) {
        const key = i === 0 ? name : `${name}: largest tool process`;
        const peak = await peakRssMiB(pid);
        if (peak !== undefined) this.peaks[key] = Math.max(this.peaks[key] ?? 0, peak);
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#sampler);
    await this.#producer?.disconnect().catch(() => undefined);
    for (const child of this.services.values()) child.kill('SIGTERM');
    await Promise.all([...this.services.values()].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    await this.#db?.drop();
  }
}
