import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Catalog } from '@oa-archive/catalog';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { createProducer } from '@oa-archive/kafka';
import { publishDocuments } from '@oa-archive/oa-simulator';
import { testKafka, uniqueName, waitFor } from '@oa-archive/testing';
import { descendants, fixed, mib, peakRssMiB, percentile } from './stats.ts';

const REPO = path.join(import.meta.dirname, '..', '..', '..');
const OUTCOMES = ['FILED', 'EXCLUDED', 'QUARANTINED', 'REVIEW', 'FAILED'];

function startService(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', ...args], {
    cwd: REPO,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d}`));
  return child;
}

/**
 * Files a mixed batch end to end with intake, worker and the OA simulator as separate processes on
 * the real infrastructure, and reports throughput, event-to-outcome latency and each service's peak RSS.
 */
export async function benchPipeline(count: number): Promise<string[]> {
  const db = await createTestCatalog();
  const port = 18_000 + Math.floor(Math.random() * 1000);
  const env = {
    DATABASE_URL: db.url,
    KAFKA_TOPIC_FINALIZED: uniqueName('bench-finalized'),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName('bench-dlq'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('bench-receipts'),
    KAFKA_GROUP_ID: uniqueName('bench-intake'),
    QUEUE_PREFIX: uniqueName('bench'),
    S3_STAGING_BUCKET: uniqueName('bench-staging'),
    S3_ARCHIVE_BUCKET: uniqueName('bench-archive'),
    S3_QUARANTINE_BUCKET: uniqueName('bench-quarantine'),
    SIMULATOR_PORT: String(port),
    WORKER_OPS_PORT: '0',
    INTAKE_OPS_PORT: '0',
    OA_SOURCES: JSON.stringify({ 'oa-simulator': { allowedOrigins: [`http://127.0.0.1:${port}`], token: 'local-simulator-token' } }),
  };
  const services = {
    'oa-simulator': startService('oa-simulator', ['services/oa-simulator/src/main.ts', 'serve'], env),
    intake: startService('intake', ['services/intake/src/main.ts'], env),
    worker: startService('worker', ['services/worker/src/main.ts'], env),
  };
  const peaks: Record<string, number> = {};
  const sample = async () => {
    for (const [name, child] of Object.entries(services)) {
      const pids = [child.pid!, ...(await descendants(child.pid!))];
      for (const [i, pid] of pids.entries()) {
        // The service itself, and separately the largest tool process it started (soffice, exiftool).
        const key = i === 0 ? name : `${name}: largest tool process it started`;
        const peak = await peakRssMiB(pid);
        if (peak !== undefined) peaks[key] = Math.max(peaks[key] ?? 0, peak);
      }
    }
  };
  const sampler = setInterval(() => void sample(), 250);
  const kafka = testKafka();
  const producer = createProducer(kafka);
  try {
    await waitFor(async () => (await db.catalog.pool.query(`SELECT to_regclass('aips') AS t`)).rows[0].t !== null, { timeoutMs: 60_000, what: 'worker migrations' });
    await waitFor(() => fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false), { timeoutMs: 30_000, what: 'simulator' });
    // Let the worker's LibreOffice pool and the intake consumer group come up before the clock starts.
    await new Promise((r) => setTimeout(r, 6000));
    await producer.connect();
    const started = Date.now();
    const published = await publishDocuments(producer, { topic: env.KAFKA_TOPIC_FINALIZED, source: 'oa-simulator', seed: 4242, count, baseUrl: `http://127.0.0.1:${port}` });
    const catalog: Catalog = db.catalog;
    await waitFor(
      async () => {
        const counts = await catalog.countByStatus();
        return OUTCOMES.reduce((s, o) => s + (counts[o] ?? 0), 0) >= count;
      },
      { timeoutMs: 15 * 60_000, intervalMs: 250, what: `${count} outcomes` },
    );
    const { rows } = await catalog.pool.query<{ status: string; event_time: string; decided_at: Date }>(
      `SELECT status, event->>'time' AS event_time, COALESCE(completed_at, updated_at) AS decided_at FROM ingests`,
    );
    const finishedAt = Math.max(...rows.map((r) => r.decided_at.getTime()));
    const latencies = rows.filter((r) => r.status === 'FILED').map((r) => r.decided_at.getTime() - Date.parse(r.event_time));
    const components = published.reduce((s, d) => s + d.components, 0);
    const counts = await catalog.countByStatus();
    await sample();
    const seconds = (finishedAt - started) / 1000;
    return [
      `mixed batch: ${count} documents, ${components} components (seed 4242), intake + worker (2 LibreOffice instances) + simulator as separate processes`,
      `  outcomes: ${OUTCOMES.filter((o) => counts[o]).map((o) => `${o} ${counts[o]}`).join(' · ')}`,
      `  throughput: ${fixed(count / seconds, 2)} documents/s (${fixed(seconds)} s from first publish to last outcome)`,
      `  event → FILED latency: p50 ${fixed(percentile(latencies, 50) / 1000, 2)} s, p95 ${fixed(percentile(latencies, 95) / 1000, 2)} s (${latencies.length} filed)`,
      ...Object.entries(peaks).map(([name, peak]) => `  peak RSS ${name}: ${mib(peak)}`),
    ];
  } finally {
    clearInterval(sampler);
    await producer.disconnect().catch(() => undefined);
    for (const child of Object.values(services)) child.kill('SIGTERM');
    await Promise.all(Object.values(services).map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await db.drop();
  }
}
