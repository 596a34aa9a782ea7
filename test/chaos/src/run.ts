import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { documentIdOf, type DocumentMix } from '@oa-archive/oa-simulator';
import { connectClients, type Clients } from './clients.ts';
import { costsOf, summarize, type DocumentTiming } from './cost.ts';
import { isSettled, type Facts } from './facts.ts';
import { inject, type FaultRecord } from './faults.ts';
import { observe } from './observe.ts';
import { runIdOf, sweep } from './processes.ts';
import { PacedPublisher } from './publisher.ts';
import { formatReport } from './report.ts';
import { planFaults } from './schedule.ts';
import { settle } from './settle.ts';
import { Stack } from './stack.ts';
import { evaluate, type Check } from './verdict.ts';

export interface ChaosOptions {
  documents: number;
  seed: number;
  /** Documents the OA finalizes per second, before and during the faults. */
  perSecond: number;
  /**
   * The simulator's documents: `mixed` (Office files, PDFs, images, audio: most need conversion) or
   * `no-conversion` (PDF/A and JPEG only), for runs long enough that conversion would bound them.
   */
  mix: DocumentMix;
  /**
   * Quiet time after each fault before the next may start. The default keeps something broken almost
   * all the time; a longer gap gives a run of many documents fewer faults per document.
   */
  faultGapMs: number;
  /** Published and measured first, without faults: the baseline each fault's cost is measured against. */
  baselineDocuments: number;
  workers: number;
  kafkaDownMs: number;
  s3DownMs: number;
  settleTimeoutMs: number;
  stallMs: number;
  /** Keep the scratch directory (logs, data) for a look afterwards. */
  keepScratch: boolean;
  log: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<ChaosOptions, 'documents' | 'seed' | 'log'> = {
  perSecond: 2,
  mix: 'mixed',
  faultGapMs: 4000,
  baselineDocuments: 20,
  workers: 2,
  kafkaDownMs: 20_000,
  s3DownMs: 30_000,
  settleTimeoutMs: 10 * 60_000,
  stallMs: 150_000,
  keepScratch: false,
};

export interface ChaosResult {
  ok: boolean;
  checks: Check[];
  faults: FaultRecord[];
  facts: Facts;
  report: string;
  scratch: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One fault-injection run: its own infrastructure and services, a no-fault baseline, then documents
 * published at a steady rate while a seeded schedule of faults hits the processes and servers, then a
 * bounded wait and the checks. `stop()` tears everything down, also after a failure or a timeout.
 */
export class ChaosRun {
  readonly options: ChaosOptions;
  #scratch: string | undefined;
  #stack: Stack | undefined;
  #clients: Clients | undefined;
  #publisher: PacedPublisher | undefined;
  #stopped: Promise<{ pid: number; command: string }[]> | undefined;

  constructor(options: ChaosOptions) {
    this.options = options;
  }

  async execute(): Promise<ChaosResult> {
    const o = this.options;
    const phases: [string, number][] = [];
    let mark = Date.now();
    const phase = (name: string) => {
      phases.push([name, Date.now() - mark]);
      mark = Date.now();
    };
    const abandoned = await sweep();
    if (abandoned.length > 0) o.log(`killed ${abandoned.length} process(es) left by an earlier run that died: ${abandoned.map((p) => p.command.slice(0, 60)).join('; ')}`);
    this.#scratch = await mkdtemp(path.join(tmpdir(), 'oa-chaos-'));
    o.log(`scratch directory ${this.#scratch}`);
    const stack = await Stack.create({ scratch: this.#scratch, runId: runIdOf(process.pid, randomBytes(4).toString('hex')), workers: o.workers, log: o.log });
    this.#stack = stack;
    await stack.start();
    const clients = await connectClients(stack.env);
    this.#clients = clients;
    const publisher = new PacedPublisher(clients.producer, { topic: stack.env.KAFKA_TOPIC_FINALIZED!, source: 'oa-simulator', seed: o.seed, mix: o.mix, baseUrl: stack.simulatorUrl });
    this.#publisher = publisher;
    phase('setup');

    const ids = (first: number, count: number) => Array.from({ length: count }, (_, k) => documentIdOf(o.seed, first + k, o.mix));
    await publisher.publish(1, o.baselineDocuments, o.perSecond);
    const baselineSettle = await settle(clients, { documentIds: ids(1, o.baselineDocuments), timeoutMs: 180_000, stallMs: 60_000 });
    if (!baselineSettle.settled) throw new Error(`the baseline did not settle without faults (${baselineSettle.how}); see the logs in ${this.#scratch}/logs`);
    o.log(`baseline: ${baselineSettle.how}`);
    phase('baseline');

    const t0 = Date.now();
    const plan = planFaults({ seed: o.seed, windowMs: (o.documents / o.perSecond) * 1000, leadMs: 5000, workers: o.workers, kafkaDownMs: o.kafkaDownMs, s3DownMs: o.s3DownMs, gapMs: o.faultGapMs });
    const faults: FaultRecord[] = [];
    const injecting = (async () => {
      for (const planned of plan) {
        await sleep(Math.max(0, t0 + planned.atMs - Date.now()));
        o.log(`fault ${planned.index}/${plan.length} at ${((Date.now() - t0) / 1000).toFixed(1)} s: ${planned.kind} ${planned.target} (hold ${(planned.holdMs / 1000).toFixed(1)} s)`);
        const record = await inject(stack, planned);
        faults.push(record);
        o.log(`  ${planned.target} back after ${((record.restoredAt - record.startedAt) / 1000).toFixed(1)} s${record.problems.length ? ` (${record.problems.join('; ')})` : ''}`);
      }
    })();
    await Promise.all([publisher.publish(o.baselineDocuments + 1, o.documents, o.perSecond), injecting]);
    phase('faulted phase');

    const all = ids(1, o.baselineDocuments + o.documents);
    const settled = await settle(clients, { documentIds: all, timeoutMs: o.settleTimeoutMs, stallMs: o.stallMs });
    o.log(settled.how);
    phase('settle');

    const published = [...publisher.records.values()].map((r) => ({ documentId: r.documentId, publishedAt: r.publishedAt }));
    const facts = await observe(clients, stack.env, published);
    const seconds = (at: number) => `${((at - t0) / 1000).toFixed(1)} s`;
    const time = {
      describe: (at: number) => {
        const during = faults.find((f) => at >= f.startedAt && at <= f.restoredAt);
        const before = faults.filter((f) => f.restoredAt < at).at(-1);
        return `${seconds(at)} (${during ? `during #${during.index} ${during.kind}` : before ? `after #${before.index} ${before.kind}` : 'before any fault'})`;
      },
      redisLossAfter: (at: number) => {
        const loss = faults.find((f) => f.kind === 'restart-redis' && f.startedAt > at);
        return loss ? `#${loss.index} restart-redis at ${seconds(loss.startedAt)}` : undefined;
      },
    };
    const checks = evaluate(facts, time);
    phase('checks');

    const timings = timingsOf(facts);
    const baselineIds = new Set(ids(1, o.baselineDocuments));
    const baseline = summarize(timings.filter((d) => baselineIds.has(d.documentId)));
    const underFaults = timings.filter((d) => !baselineIds.has(d.documentId));
    const costs = costsOf(faults, underFaults, baseline);
    const statuses: Record<string, number> = {};
    for (const i of facts.ingests) statuses[i.status] = (statuses[i.status] ?? 0) + 1;
    const report = formatReport({
      seed: o.seed,
      documents: o.documents,
      baselineDocuments: o.baselineDocuments,
      workers: o.workers,
      perSecond: o.perSecond,
      mix: o.mix,
      faultGapMs: o.faultGapMs,
      t0,
      baseline,
      underFaults: summarize(underFaults),
      faults: faults.map((f, i) => ({ ...f, cost: costs[i]! })),
      statuses,
      unexpectedExits: stack.unexpectedExits,
      failedSends: publisher.failedSends.length,
      settle: settled.how,
      phases,
      checks,
    });
    return { ok: checks.every((c) => c.ok), checks, faults, facts, report, scratch: this.#scratch };
  }

  /** Stops everything this run started; safe to call more than once and while `execute` is still running. */
  stop(): Promise<{ pid: number; command: string }[]> {
    this.#stopped ??= (async () => {
      this.#publisher?.stop();
      await this.#clients?.close();
      const leftovers = (await this.#stack?.stop()) ?? [];
      if (this.#scratch && !this.options.keepScratch) await rm(this.#scratch, { recursive: true, force: true });
      return leftovers;
    })();
    return this.#stopped;
  }
}

/** Publish → outcome per document: the first final receipt the OA got, else the catalog's settled time. */
function timingsOf(facts: Facts): DocumentTiming[] {
  const ingestOf = new Map(facts.ingests.map((i) => [i.documentId, i]));
  const firstReceipt = new Map<string, number>();
  for (const r of facts.receipts) if (isSettled(r.outcome)) firstReceipt.set(r.ingestId, Math.min(r.at, firstReceipt.get(r.ingestId) ?? Infinity));
  return facts.published.map((p) => {
    const ingest = ingestOf.get(p.documentId);
    const outcomeAt = ingest && isSettled(ingest.status) ? (firstReceipt.get(ingest.ingestId) ?? ingest.settledAt) : null;
    return { documentId: p.documentId, publishedAt: p.publishedAt, outcomeAt, status: ingest?.status ?? null };
  });
}
