import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCatalog } from '@oa-archive/catalog/testing';
import { loadConsoleConfig, startConsole } from '@oa-archive/console';
import { loadIntakeConfig, startIntake } from '@oa-archive/intake';
import { createFileServer, listen, loadSimulatorConfig } from '@oa-archive/oa-simulator';
import { testS3Settings } from '@oa-archive/storage/testing';
import { testLogger, uniqueName } from '@oa-archive/testing';
import { loadWorkerConfig, startWorker } from '@oa-archive/worker';
import { REPO_ROOT, SERVICES, type AppWorkload } from '../src/index.ts';
import { allApps } from './fixtures.ts';

/**
 * Each service started for real from a deployment's own environment, with only where it runs changed
 * (this machine's stores, a fresh database, free ports on loopback), then asked for every path a probe
 * or healthcheck of any deployment of it names.
 */
let db: Awaited<ReturnType<typeof createTestCatalog>>;
let scratch: string;
const running: Record<string, { url: string; close(): Promise<void> }> = {};

function locally(app: AppWorkload): Record<string, string> {
  const s3 = testS3Settings();
  const listen = SERVICES[app.service]!.listen!;
  return {
    ...app.env,
    [listen.host]: '127.0.0.1',
    [listen.port]: '0',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: uniqueName('probes'),
    KAFKA_TOPIC_FINALIZED: uniqueName('probes-finalized'),
    KAFKA_TOPIC_DEAD_LETTER: uniqueName('probes-dlq'),
    KAFKA_TOPIC_RECEIPTS: uniqueName('probes-receipts'),
    KAFKA_GROUP_ID: uniqueName('probes-group'),
    ...(app.service === 'worker'
      ? {
          S3_ENDPOINT: s3.endpoint,
          S3_ACCESS_KEY_ID: s3.accessKeyId,
          S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
          S3_CREATE_BUCKETS: 'true',
          S3_STAGING_BUCKET: uniqueName('probes-staging'),
          S3_ARCHIVE_BUCKET: uniqueName('probes-archive'),
          S3_QUARANTINE_BUCKET: uniqueName('probes-quarantine'),
          // The local S3 server has no Object Lock; anchoring is not what is probed.
          S3_OBJECT_LOCK: 'off',
          AUDIT_ANCHOR_INTERVAL_MS: '0',
          SCRATCH_DIR: scratch,
        }
      : {}),
  };
}

async function start(app: AppWorkload): Promise<{ url: string; close(): Promise<void> }> {
  const env = locally(app);
  switch (app.service) {
    case 'worker': {
      const worker = await startWorker(loadWorkerConfig(env), testLogger());
      return { url: worker.ops!.url, close: () => worker.close() };
    }
    case 'intake': {
      const intake = await startIntake(loadIntakeConfig(env), testLogger());
      return { url: intake.opsUrl!, close: () => intake.close() };
    }
    case 'console': {
      const console = await startConsole(loadConsoleConfig(env), testLogger());
      return { url: console.url, close: () => console.close() };
    }
    case 'oa-simulator': {
      const config = loadSimulatorConfig(env);
      const server = createFileServer({ token: config.SIMULATOR_TOKEN });
      const { baseUrl } = await listen(server, config.SIMULATOR_PORT, config.SIMULATOR_HOST);
      return { url: baseUrl, close: () => new Promise((resolve) => server.close(() => resolve())) };
    }
    default:
      throw new Error(`no way to start ${app.service}`);
  }
}

const probed = allApps.filter((app) => app.probes.length > 0);

beforeAll(async () => {
  db = await createTestCatalog();
  scratch = await mkdtemp(path.join(tmpdir(), 'oa-infra-probes-'));
  // One process per service, from the first deployment that runs it.
  for (const app of probed) running[app.service] ??= await start(app);
});

afterAll(async () => {
  for (const process of Object.values(running)) await process.close();
  await db?.drop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('probes reach what the services serve', () => {
  it.each(probed.map((app) => [`${app.where} (${app.service})`, app] as const))('%s', async (_label, app) => {
    for (const probe of app.probes) {
      expect(probe.path, `${probe.kind} names a path`).toBeDefined();
      const response = await fetch(new URL(probe.path!, running[app.service]!.url));
      // A probe passes on 2xx and 3xx (the kubelet) or on what the healthcheck command accepts: every
      // service here is up with its stores, so each of its probes must pass.
      const accepted = app.service === 'oa-simulator' ? response.status > 0 : response.status >= 200 && response.status < 400;
      expect(accepted, `${probe.kind} ${probe.path} answered ${response.status}`).toBe(true);
    }
  });
});

describe('the deployment page names metrics the services export', () => {
  it('every oa_archive_* metric in docs/deployment.md is on some service’s /metrics', async () => {
    const exported = new Set<string>();
    for (const service of ['worker', 'intake', 'console']) {
      const text = await (await fetch(new URL('/metrics', running[service]!.url))).text();
      for (const line of text.split('\n')) {
        const [, name, type] = /^(?:# TYPE )?([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (\w+))?/.exec(line) ?? [];
        if (name) exported.add(name);
        // A histogram's series exist once it has observations; its TYPE line declares them.
        if (name && type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(name + suffix);
      }
    }
    const documented = new Set((await readFile(path.join(REPO_ROOT, 'docs', 'deployment.md'), 'utf8')).match(/\boa_archive_[a-z0-9_]+/g));
    expect(documented.size).toBeGreaterThan(5);
    expect([...documented].filter((name) => !exported.has(name))).toEqual([]);
  });
});
