import { simulateDocument, type DocumentMix } from '@oa-archive/oa-simulator';
import { Cluster, OUTCOMES, SEED, type Outcome } from './cluster.ts';
import { cpuBetween, machineBusySeconds } from './cpu.ts';
import { percentile } from './stats.ts';

export interface LatencyStats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export function latencyStats(outcomes: Outcome[]): LatencyStats {
  const ms = outcomes.map((o) => o.latencyMs);
  return { count: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) };
}

export function byOutcome(outcomes: Outcome[]): Record<string, LatencyStats> {
  const out: Record<string, LatencyStats> = {};
  for (const status of OUTCOMES) {
    const of = outcomes.filter((o) => o.status === status);
    if (of.length) out[status] = latencyStats(of);
  }
  return out;
}

/** What the S3 store and process table saw per stage run, from the workers' counters. */
export interface StageCosts {
  runs: Record<string, number>;
  /** stage → command → requests */
  s3: Record<string, Record<string, number>>;
  /** stage → program → processes started */
  processes: Record<string, Record<string, number>>;
  /** stage → statements sent to PostgreSQL (round trips); `none` for work outside a stage (relay, reconciler) */
  postgres: Record<string, number>;
}

async function scrapeAll(cluster: Cluster): Promise<Map<string, number>> {
  const total = new Map<string, number>();
  for (const name of cluster.workerOps.keys()) for (const [k, v] of await cluster.scrape(name)) total.set(k, (total.get(k) ?? 0) + v);
  return total;
}

function costsBetween(before: Map<string, number>, after: Map<string, number>, runs: Record<string, number>): StageCosts {
  const costs: StageCosts = { runs, s3: {}, processes: {}, postgres: {} };
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    if (delta <= 0) continue;
    const stage = /stage="([^"]+)"/.exec(key)![1]!;
    if (key.startsWith('oa_archive_postgres_round_trips_total')) {
      costs.postgres[stage] = (costs.postgres[stage] ?? 0) + delta;
      continue;
    }
    const command = /command="([^"]+)"/.exec(key)![1]!;
    const into = key.startsWith('oa_archive_s3_requests_total') ? costs.s3 : costs.processes;
    (into[stage] ??= {})[command] = ((into[stage] ??= {})[command] ?? 0) + delta;
  }
  return costs;
}

async function stageRunsOf(cluster: Cluster, ids: string[]): Promise<{ runs: Record<string, number>; p50Ms: Record<string, number> }> {
  const { rows } = await cluster.catalog.pool.query<{ stage: string; ms: number }>(
    `SELECT r.stage, EXTRACT(EPOCH FROM (r.finished_at - r.started_at)) * 1000 AS ms
     FROM stage_runs r JOIN ingests i USING (ingest_id) WHERE i.document_id = ANY($1)`,
    [ids],
  );
  const runs: Record<string, number> = {};
  const times: Record<string, number[]> = {};
  for (const r of rows) {
    runs[r.stage] = (runs[r.stage] ?? 0) + 1;
    (times[r.stage] ??= []).push(Number(r.ms));
  }
  return { runs, p50Ms: Object.fromEntries(Object.entries(times).map(([s, t]) => [s, percentile(t, 50)])) };
}

export interface BatchResult {
  documents: number;
  components: number;
  seconds: number;
  throughput: number;
  outcomes: Outcome[];
  byOutcome: Record<string, LatencyStats>;
  /** CPU seconds per group (service, its tools, S3 server, PostgreSQL …) over the batch. */
  cpu: Record<string, number>;
  machineCpu: number;
  costs: StageCosts;
  stageP50Ms: Record<string, number>;
  unfinished: number;
}

/** `count` documents published at once; measured until the last reaches an outcome. */
export async function burst(cluster: Cluster, mix: DocumentMix, count: number, from = 1): Promise<BatchResult> {
  const indexes = cluster.takeIndexes(mix, count, from);
  const ids = Cluster.idsOf(mix, indexes);
  const components = indexes.reduce((s, i) => s + simulateDocument(SEED, i, mix).components.length, 0);
  const metricsBefore = await scrapeAll(cluster);
  const cpuBefore = await cluster.readCpu();
  const machineBefore = await machineBusySeconds();
  const started = Date.now();
  await cluster.publish(mix, indexes);
  const outcomes = await cluster.waitForOutcomes(ids, 10 * 60_000);
  const cpuAfter = await cluster.readCpu();
  const machineAfter = await machineBusySeconds();
  const finished = Math.max(...outcomes.map((o) => o.decidedAt));
  const seconds = (finished - started) / 1000;
  const { runs, p50Ms } = await stageRunsOf(cluster, ids);
  return {
    documents: count,
    components,
    seconds,
    throughput: outcomes.length / seconds,
    outcomes,
    byOutcome: byOutcome(outcomes),
    cpu: cpuBetween(cpuBefore, cpuAfter),
    machineCpu: machineAfter - machineBefore,
    costs: costsBetween(metricsBefore, await scrapeAll(cluster), runs),
    stageP50Ms: p50Ms,
    unfinished: count - outcomes.length,
  };
}

export interface SingleResult {
  runs: number;
  latency: LatencyStats;
  statuses: Record<string, number>;
  stageP50Ms: Record<string, number>;
}

/** One document at a time on warm services, `runs` times: the latency of a document that waits for nothing. */
export async function singles(cluster: Cluster, mix: DocumentMix, runs: number, pick: (index: number) => boolean = () => true, from = 1): Promise<SingleResult> {
  const outcomes: Outcome[] = [];
  const ids: string[] = [];
  while (outcomes.length < runs) {
    const [index] = cluster.takeIndexes(mix, 1, from);
    if (!pick(index!)) continue;
    const [id] = await cluster.publish(mix, [index!]);
    ids.push(id!);
    const [outcome] = await cluster.waitForOutcomes([id!], 60_000);
    if (outcome) outcomes.push(outcome);
  }
  const statuses: Record<string, number> = {};
  for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1;
  return { runs, latency: latencyStats(outcomes), statuses, stageP50Ms: (await stageRunsOf(cluster, ids)).p50Ms };
}

/** A public notice whose only component is a one-page PDF/A: nothing to convert, filed. */
export function isOnePagePdfA(index: number): boolean {
  const document = simulateDocument(SEED, index, 'no-conversion');
  const [body] = document.components;
  return (
    document.components.length === 1 &&
    body!.mediaType === 'application/pdf' &&
    body!.bytes.includes('/Count 1 ') &&
    document.data.securityLevel === '公开' &&
    document.data.documentType === '通知' &&
    !document.data.title.includes('征求意见稿') &&
    document.data.issuer.relation === '本机关'
  );
}

export interface RateResult {
  offered: number;
  seconds: number;
  published: number;
  /** Outcomes reached inside the window (after its first 5 s) per second. */
  achieved: number;
  /** Not yet at an outcome when publishing stopped, and its course over the window (every 5 s). */
  backlogAtEnd: number;
  backlogTrend: number[];
  byOutcome: Record<string, LatencyStats>;
  all: LatencyStats;
  drained: boolean;
  sustainable: boolean;
}

/**
 * Open loop: documents published at a fixed rate for `seconds`, whatever the pipeline does, then
 * drained. Sustainable: p95 event → outcome under 5 s and the backlog not growing (what reached an
 * outcome kept up with what was offered).
 */
export async function openLoop(cluster: Cluster, mix: DocumentMix, rate: number, seconds: number, drainMs = 90_000, from = 1): Promise<RateResult> {
  const total = Math.round(rate * seconds);
  const indexes = cluster.takeIndexes(mix, total, from);
  const ids = Cluster.idsOf(mix, indexes);
  const started = Date.now();
  const trend: number[] = [];
  let published = 0;
  let nextSample = started + 5000;
  for (let k = 0; k < total; k++) {
    const due = started + (k * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Not awaited: a slow send must not slow the offered rate.
    void cluster.publish(mix, [indexes[k]!]);
    published++;
    if (Date.now() >= nextSample) {
      nextSample += 5000;
      trend.push(published - (await cluster.outcomes(ids.slice(0, published))).length);
    }
  }
  const windowEnd = started + seconds * 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, windowEnd - Date.now())));
  const atEnd = await cluster.outcomes(ids);
  const backlogAtEnd = total - atEnd.length;
  trend.push(backlogAtEnd);
  const outcomes = await cluster.waitForOutcomes(ids, drainMs);
  const inWindow = outcomes.filter((o) => o.decidedAt >= started + 5000 && o.decidedAt <= windowEnd).length;
  const achieved = inWindow / (seconds - 5);
  const all = latencyStats(outcomes);
  const half = Math.floor(trend.length / 2);
  const growing = trend.length >= 2 && Math.max(...trend.slice(half)) > Math.max(2, 2 * Math.max(...trend.slice(0, half)), rate * 2);
  return {
    offered: rate,
    seconds,
    published,
    achieved,
    backlogAtEnd,
    backlogTrend: trend,
    byOutcome: byOutcome(outcomes),
    all,
    drained: outcomes.length === total,
    sustainable: outcomes.length === total && all.p95 < 5000 && !growing && achieved >= 0.9 * rate,
  };
}
