import { describe, expect, it } from 'vitest';
import { loadConfig } from '@oa-archive/config';
import type { Stage } from '@oa-archive/contracts';
import { queueNameOf } from '@oa-archive/pipeline';
import { autoscalerOf, IMAGE_VARIABLES, isLoopback, named, requiredInDeployment, SERVICES, workloads, type AppWorkload } from '../src/index.ts';
import { allApps, compose, composeApps, kube, kubeApps } from './fixtures.ts';

const parsed = (app: AppWorkload) => loadConfig(SERVICES[app.service]!.schema, app.env) as Record<string, unknown>;
const label = (app: AppWorkload) => `${app.where} (${app.service})`;
const cases = allApps.map((app) => [label(app), app] as const);
const workers = allApps.filter((app) => app.service === 'worker');

describe('environment against the services’ schemas', () => {
  it('every deployment runs a known service', () => {
    expect(allApps.map((a) => a.service).filter((s) => !SERVICES[s])).toEqual([]);
    expect(new Set(kubeApps.map((a) => a.service))).toEqual(new Set(['intake', 'worker', 'console']));
  });

  it.each(cases)('%s sets only variables its schema has', (_label, app) => {
    const known = new Set([...Object.keys(SERVICES[app.service]!.schema.shape), ...IMAGE_VARIABLES]);
    expect(Object.keys(app.env).filter((name) => !known.has(name))).toEqual([]);
  });

  it.each(cases.filter(([, app]) => !SERVICES[app.service]!.demo))('%s sets every variable whose default only runs on a developer machine', (_label, app) => {
    const missing = requiredInDeployment(SERVICES[app.service]!.schema).filter((name) => app.env[name] === undefined);
    expect(missing).toEqual([]);
  });

  it.each(cases)('%s configuration is accepted by its schema', (_label, app) => {
    expect(() => parsed(app)).not.toThrow();
  });

  it('intake and the console name the same consumer group and topics', () => {
    for (const apps of [kubeApps, composeApps]) {
      const values = (name: string) => new Set(apps.filter((a) => a.service === 'intake' || a.service === 'console').map((a) => String(parsed(a)[name])));
      for (const name of ['KAFKA_GROUP_ID', 'KAFKA_TOPIC_FINALIZED', 'QUEUE_PREFIX']) expect(values(name).size, name).toBe(1);
    }
  });
});

describe('probes', () => {
  const serving = cases.filter(([, app]) => SERVICES[app.service]!.listen);

  it.each(serving)('%s listens where the kubelet or Docker can reach it', (_label, app) => {
    const { host } = SERVICES[app.service]!.listen!;
    expect(isLoopback(String(parsed(app)[host]))).toBe(false);
  });

  it.each(serving)('%s probes the port the service listens on', (_label, app) => {
    const port = Number(parsed(app)[SERVICES[app.service]!.listen!.port]);
    expect(app.probes.length).toBeGreaterThan(0);
    for (const probe of app.probes) expect(probe.port, `${probe.kind} ${probe.path}`).toBe(port);
  });

  it.each(kubeApps.map((app) => [label(app), app] as const))('%s has liveness and readiness probes', (_label, app) => {
    expect(app.probes.map((p) => p.kind)).toEqual(expect.arrayContaining(['liveness', 'readiness']));
  });
});

describe('grace periods against the stage deadlines', () => {
  // A stopped worker records its running attempts and closes its connections after the last one ends.
  const CLOSE_MARGIN_MS = 30_000;

  it.each(workers.map((app) => [label(app), app] as const))('%s outlasts the longest attempt of its stages', (_label, app) => {
    const config = parsed(app) as { WORKER_STAGES: Stage[]; STAGE_DEADLINES: Record<Stage, number>; FETCH_TIMEOUT_MS: number; CONVERSION_TIMEOUT_MS: number };
    const longest = Math.max(...config.WORKER_STAGES.map((stage) => config.STAGE_DEADLINES[stage]));
    expect(app.graceMs).toBeGreaterThanOrEqual(longest + CLOSE_MARGIN_MS);
    if (config.WORKER_STAGES.includes('fetch')) expect(app.graceMs).toBeGreaterThan(config.FETCH_TIMEOUT_MS);
    if (config.WORKER_STAGES.includes('convert')) expect(app.graceMs).toBeGreaterThan(config.CONVERSION_TIMEOUT_MS);
  });
});

describe('PostgreSQL connection budget', () => {
  // superuser_reserved_connections (3) and room for the CLI (pool of 4) and a few operator sessions.
  const RESERVED = 3 + 10;
  const budget = (apps: AppWorkload[]) =>
    apps.filter((a) => SERVICES[a.service]!.poolSize && a.env.DATABASE_URL).reduce((sum, a) => sum + SERVICES[a.service]!.poolSize!(parsed(a)) * a.maxReplicas, 0);
  const maxConnections = (args: string[] | undefined) => Number(/max_connections=(\d+)/.exec((args ?? []).join(' '))?.[1] ?? 100);

  it('Kubernetes: every pool at its maximum replica count fits max_connections', () => {
    const postgres = workloads(kube.objects).find((w) => w.object.metadata.name === 'postgres')!;
    const limit = maxConnections(postgres.pod.containers[0]!.args);
    expect(budget(kubeApps) + RESERVED).toBeLessThanOrEqual(limit);
  });

  it('compose: every pool at its replica count fits max_connections', () => {
    const command = compose.services.postgres!.command;
    expect(budget(composeApps) + RESERVED).toBeLessThanOrEqual(maxConnections(Array.isArray(command) ? command : command?.split(' ')));
  });
});

describe('scaling on the work', () => {
  const kubeWorkers = kubeApps.filter((a) => a.service === 'worker');
  const triggersOf = (name: string) => {
    const scaler = autoscalerOf(kube.objects, name);
    expect(scaler?.kind, `${name} is scaled by a KEDA ScaledObject`).toBe('ScaledObject');
    return named(kube.objects, 'ScaledObject', scaler!.name)!.spec as {
      triggers: { type: string; name?: string; metadata: Record<string, string> }[];
      advanced?: { scalingModifiers?: { formula: string; target: string } };
    };
  };

  it.each(kubeWorkers.map((app) => [label(app), app] as const))('%s scales on the Redis lists of exactly its stages', (_label, app) => {
    const config = parsed(app) as { WORKER_STAGES: Stage[]; QUEUE_PREFIX: string; REDIS_URL: string; WORKER_CONCURRENCY: number };
    const spec = triggersOf(app.kube!.workload.object.metadata.name);
    const expected = config.WORKER_STAGES.flatMap((stage) => ['wait', 'active'].map((list) => `${config.QUEUE_PREFIX}:${queueNameOf(stage)}:${list}`));
    expect(spec.triggers.map((t) => t.metadata.listName).sort()).toEqual(expected.sort());
    const redis = new URL(config.REDIS_URL);
    for (const trigger of spec.triggers) {
      expect(trigger.type).toBe('redis');
      expect(trigger.metadata.address).toBe(`${redis.hostname}:${redis.port || 6379}`);
      expect(spec.advanced?.scalingModifiers?.formula).toContain(trigger.name);
    }
    expect(Number(spec.advanced?.scalingModifiers?.target)).toBe(config.WORKER_CONCURRENCY);
  });

  it('no worker or intake Deployment is scaled on CPU', () => {
    expect(kube.objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
  });

  it('some worker always runs the recovery tasks', () => {
    const alwaysOn = kubeWorkers.filter((a) => (autoscalerOf(kube.objects, a.kube!.workload.object.metadata.name)?.min ?? 0) >= 1 && Number(parsed(a).RECONCILE_INTERVAL_MS) > 0);
    expect(alwaysOn.length).toBeGreaterThan(0);
  });

  it('intake scales on its consumer lag, up to the finalized topic’s partition count', () => {
    const intake = kubeApps.find((a) => a.service === 'intake')!;
    const config = parsed(intake) as { KAFKA_GROUP_ID: string; KAFKA_TOPIC_FINALIZED: string; KAFKA_BROKERS: string[] };
    const spec = triggersOf(intake.kube!.workload.object.metadata.name);
    expect(spec.triggers).toHaveLength(1);
    expect(spec.triggers[0]!).toMatchObject({ type: 'kafka', metadata: { consumerGroup: config.KAFKA_GROUP_ID, topic: config.KAFKA_TOPIC_FINALIZED, bootstrapServers: config.KAFKA_BROKERS.join(',') } });
    const topics = workloads(kube.objects).find((w) => w.object.metadata.name === 'kafka-topics')!.pod.containers[0]!;
    const topicEnv = Object.fromEntries((topics.env ?? []).map((e) => [e.name, e.value]));
    expect(topicEnv.TOPIC_FINALIZED).toBe(config.KAFKA_TOPIC_FINALIZED);
    expect(topicEnv.TOPIC_DEAD_LETTER).toBe(parsed(intake).KAFKA_TOPIC_DEAD_LETTER);
    expect(topicEnv.TOPIC_RECEIPTS).toBe(parsed(intake).KAFKA_TOPIC_RECEIPTS);
    expect(intake.maxReplicas).toBeLessThanOrEqual(Number(topicEnv.PARTITIONS_FINALIZED));
  });
});
