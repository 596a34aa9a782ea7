import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@oa-archive/config';
import type { Stage } from '@oa-archive/contracts';
import { bytesOf, composeRawText, nestedDefaults, REPO_ROOT, SERVICES, workloads, type AppWorkload, type KubeObject } from '../src/index.ts';
import { compose, dockerfile, exampleSecrets, K8S_DIR, kube, kubeApps } from './fixtures.ts';

const all = workloads(kube.objects);
const label = (w: { object: KubeObject }) => `${w.object.kind} ${w.object.metadata.name}`;
const parsed = (app: AppWorkload) => loadConfig(SERVICES[app.service]!.schema, app.env) as Record<string, unknown>;
const kubeWorkers = kubeApps.filter((a) => a.service === 'worker');
const MiB = 1024 ** 2;

describe('worker resources', () => {
  // Measured here: a worker process with its ExifTool readers stays under 512 MiB; each warm LibreOffice
  // instance holds a few hundred MiB and peaks near 512 MiB on a large document.
  const BASE_MEMORY = 512 * MiB;
  const LIBREOFFICE_MEMORY = 512 * MiB;
  // What one running job keeps in scratch: characterize copies a component, convert a component and its copy.
  const SCRATCH_PER_JOB: Partial<Record<Stage, number>> = { characterize: 1, convert: 2 };

  it.each(kubeWorkers.map((a) => [a.where, a] as const))('%s requests memory for its process and its LibreOffice instances', (_where, app) => {
    const config = parsed(app) as { WORKER_STAGES: Stage[]; LIBREOFFICE_INSTANCES: number };
    const needed = BASE_MEMORY + (config.WORKER_STAGES.includes('convert') ? config.LIBREOFFICE_INSTANCES * LIBREOFFICE_MEMORY : 0);
    expect(bytesOf(app.kube!.container.resources!.requests!.memory!)).toBeGreaterThanOrEqual(needed);
  });

  it.each(kubeWorkers.map((a) => [a.where, a] as const))('%s has a size-limited scratch volume for its largest components', (_where, app) => {
    const config = parsed(app) as { WORKER_STAGES: Stage[]; WORKER_CONCURRENCY: number; FETCH_MAX_BYTES: number; SCRATCH_DIR: string; SCRATCH_CACHE_MAX_BYTES: number };
    const mount = app.kube!.container.volumeMounts?.find((m) => m.mountPath === config.SCRATCH_DIR);
    expect(mount, `a volume at SCRATCH_DIR ${config.SCRATCH_DIR}`).toBeDefined();
    const volume = app.kube!.workload.pod.volumes?.find((v) => v.name === mount!.name);
    expect(volume?.emptyDir?.sizeLimit, 'an emptyDir with a sizeLimit').toBeDefined();
    // The running jobs' copies, and the host cache of staged bytes beside them (SCRATCH_CACHE_MAX_BYTES).
    const needed = config.WORKER_STAGES.reduce((sum, stage) => sum + (SCRATCH_PER_JOB[stage] ?? 0) * config.WORKER_CONCURRENCY * config.FETCH_MAX_BYTES, 0) + config.SCRATCH_CACHE_MAX_BYTES;
    expect(bytesOf(volume!.emptyDir!.sizeLimit!)).toBeGreaterThanOrEqual(needed);
  });
});

describe('secrets and accounts', () => {
  it('no kustomization applies a Secret, let alone the example', () => {
    expect(kube.objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(kube.files).not.toContain(path.join(K8S_DIR, 'secret.example.yaml'));
  });

  it('the services take single keys of their own Secrets, never a store’s administrator', () => {
    const storeSecrets = new Set(all.filter((w) => !w.pod.containers.some((c) => c.image === 'oa-archive')).flatMap((w) => w.pod.containers.flatMap((c) => (c.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef?.name ?? []))));
    for (const app of kubeApps) {
      expect(app.kube!.container.envFrom?.filter((f) => f.secretRef) ?? [], app.where).toEqual([]);
      const used = (app.kube!.container.env ?? []).flatMap((e) => e.valueFrom?.secretKeyRef?.name ?? []);
      expect(used.filter((name) => storeSecrets.has(name) && !['archive-s3'].includes(name)), app.where).toEqual([]);
    }
  });

  it('the services connect as their own accounts, not as the stores’ administrators', () => {
    const env = (workload: string) => Object.fromEntries((all.find((w) => w.object.metadata.name === workload)!.pod.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
    const superuser = env('postgres').POSTGRES_USER;
    const rootUser = exampleSecrets.find((s) => s.metadata.name === 'archive-minio-root')!.stringData as Record<string, string>;
    for (const app of kubeApps) {
      if (app.env.DATABASE_URL) expect(new URL(app.env.DATABASE_URL).username, app.where).not.toBe(superuser);
      if (app.env.S3_ACCESS_KEY_ID) expect(app.env.S3_ACCESS_KEY_ID, app.where).not.toBe(rootUser.MINIO_ROOT_USER);
    }
    const composeEnv = compose.services.postgres!.environment as Record<string, string>;
    for (const [name, service] of Object.entries(compose.services).filter(([, s]) => s.build)) {
      const url = (service.environment as Record<string, string>).DATABASE_URL;
      if (url) expect(new URL(url).username, name).not.toBe(composeEnv.POSTGRES_USER);
      const key = (service.environment as Record<string, string>).S3_ACCESS_KEY_ID;
      if (key) expect(key, name).not.toBe((compose.services.minio!.environment as Record<string, string>).MINIO_ROOT_USER);
    }
  });
});

describe('pod security', () => {
  it.each(all.map((w) => [label(w), w] as const))('%s runs as a non-root uid, without privileges, under RuntimeDefault seccomp', (_label, w) => {
    for (const container of w.pod.containers) {
      const merged = { ...w.pod.securityContext, ...container.securityContext };
      expect(merged.runAsNonRoot, container.name).toBe(true);
      expect(typeof merged.runAsUser === 'number' && merged.runAsUser > 0, `${container.name}: a numeric uid`).toBe(true);
      expect(merged.seccompProfile?.type, container.name).toBe('RuntimeDefault');
      expect(container.securityContext?.allowPrivilegeEscalation, container.name).toBe(false);
      expect(container.securityContext?.capabilities?.drop, container.name).toContain('ALL');
      if (container.image === 'oa-archive') expect(container.securityContext?.readOnlyRootFilesystem, container.name).toBe(true);
    }
    if (w.persistent) expect(w.pod.securityContext?.fsGroup, 'a persistent volume writable for the pod’s group').toBeDefined();
  });

  it('every service Deployment has a disruption budget, and the namespace denies ingress by default', () => {
    const budgets = kube.objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels);
    for (const app of kubeApps) {
      const labels = app.kube!.workload.labels;
      expect(budgets.some((selector) => Object.entries(selector).every(([k, v]) => labels[k] === v)), app.where).toBe(true);
    }
    const policies = kube.objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.spec as { podSelector: Record<string, unknown>; policyTypes: string[]; ingress?: unknown[] });
    expect(policies.some((p) => Object.keys(p.podSelector).length === 0 && p.policyTypes.includes('Ingress') && !p.ingress)).toBe(true);
  });
});

describe('stores', () => {
  it('Kafka keeps its log directory inside its volume, below the volume’s root', () => {
    const kafka = all.find((w) => w.object.metadata.name === 'kafka')!.pod.containers[0]!;
    const logDirs = kafka.env?.find((e) => e.name === 'KAFKA_LOG_DIRS')?.value;
    expect(logDirs).toBeDefined();
    for (const dir of logDirs!.split(',')) expect(kafka.volumeMounts?.some((m) => dir.startsWith(`${m.mountPath}/`)), dir).toBe(true);
    const service = compose.services.kafka!;
    const composeDirs = String((service.environment as Record<string, string>).KAFKA_LOG_DIRS ?? '');
    const targets = (service.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[1]! : v.target));
    expect(composeDirs.split(',').every((dir) => targets.some((t) => dir.startsWith(`${t}/`))), `compose KAFKA_LOG_DIRS "${composeDirs}"`).toBe(true);
  });

  it('a StatefulSet whose pods name each other by DNS is resolvable before it is ready', () => {
    for (const w of all.filter((x) => x.object.kind === 'StatefulSet')) {
      const { serviceName } = w.object.spec as { serviceName: string };
      const selfName = new RegExp(`\\b${w.object.metadata.name}-\\d+\\.${serviceName}\\b`);
      if (!w.pod.containers.some((c) => (c.env ?? []).some((e) => selfName.test(e.value ?? '')))) continue;
      const service = kube.objects.find((o) => o.kind === 'Service' && o.metadata.name === serviceName)!;
      expect((service.spec as { publishNotReadyAddresses?: boolean }).publishNotReadyAddresses, serviceName).toBe(true);
    }
  });

  it('every image is pinned: no :latest, MinIO by digest', () => {
    const images = [...all.flatMap((w) => w.pod.containers.map((c) => c.image)), ...Object.values(compose.services).flatMap((s) => s.image ?? [])];
    for (const image of images.filter((i) => i !== 'oa-archive')) {
      expect(/:[^/@]+(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$/.test(image) && !image.includes(':latest'), image).toBe(true);
      if (image.startsWith('minio/') || image.includes('/minio/')) expect(image, image).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
  });
});

describe('compose', () => {
  it('needs no Compose 2.25 feature: no interpolation default holds braces', () => {
    expect(nestedDefaults(composeRawText())).toEqual([]);
  });

  it('keeps a demonstration deletable: no COMPLIANCE retention', () => {
    expect(composeRawText()).not.toMatch(/compliance/i);
  });

  it('runs the services read-only, without capabilities or new privileges', () => {
    for (const [name, service] of Object.entries(compose.services).filter(([, s]) => s.build)) {
      expect(service.read_only, name).toBe(true);
      expect(service.cap_drop, name).toContain('ALL');
      expect(service.security_opt, name).toContain('no-new-privileges:true');
    }
  });
});

describe('image', () => {
  it('runs as a numeric user under an init that reaps the converters’ children', () => {
    const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/m);
  });

  it('installs metric-compatible fonts for Word documents', () => {
    for (const font of ['fonts-crosextra-carlito', 'fonts-crosextra-caladea', 'fonts-liberation2', 'fonts-noto-cjk']) expect(dockerfile).toContain(font);
  });

  it('ships production dependencies only and no repository clutter', () => {
    expect(dockerfile).toMatch(/pnpm install [^\n]*--prod\b/);
    expect(dockerfile).not.toMatch(/--prod=false/);
    const ignored = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const pattern of ['.git', '**/node_modules']) expect(ignored).toContain(pattern);
  });
});

describe('the services’ S3 account', () => {
  // The IAM action each call of the storage package needs (a multipart upload's create, parts and
  // completion are s3:PutObject; it is aborted on failure). CreateBucket is left out: deployments
  // provision the buckets (S3_CREATE_BUCKETS=false).
  const ACTIONS: Record<string, string[]> = {
    GetObjectCommand: ['s3:GetObject'],
    HeadObjectCommand: ['s3:GetObject'],
    PutObjectCommand: ['s3:PutObject'],
    Upload: ['s3:PutObject', 's3:AbortMultipartUpload'],
    CreateMultipartUploadCommand: ['s3:PutObject'],
    UploadPartCommand: ['s3:PutObject'],
    CompleteMultipartUploadCommand: ['s3:PutObject'],
    AbortMultipartUploadCommand: ['s3:AbortMultipartUpload'],
    ListMultipartUploadsCommand: ['s3:ListBucketMultipartUploads'],
    ListObjectsV2Command: ['s3:ListBucket'],
    HeadBucketCommand: ['s3:ListBucket'],
    GetObjectRetentionCommand: ['s3:GetObjectRetention'],
    PutObjectRetentionCommand: ['s3:PutObjectRetention'],
    GetObjectLegalHoldCommand: ['s3:GetObjectLegalHold'],
    PutObjectLegalHoldCommand: ['s3:PutObjectLegalHold'],
    CreateBucketCommand: [],
  };

  it('is allowed exactly what the storage package calls: nothing to delete, bypass or reconfigure', () => {
    const dir = path.join(REPO_ROOT, 'packages', 'storage', 'src');
    const calls = new Set(
      readdirSync(dir)
        // disposal.ts deletes expired versions: an archivist runs it from the CLI with a disposition
        // account of its own (docs/custody.md), never the services with this one.
        .filter((f) => f.endsWith('.ts') && f !== 'testing.ts' && f !== 'disposal.ts')
        .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/new (\w+Command|Upload)\(/g)].map((m) => m[1]!)),
    );
    expect([...calls].filter((call) => !ACTIONS[call]), 'calls this check does not know').toEqual([]);
    const needed = new Set([...calls].flatMap((call) => ACTIONS[call]!));
    const policy = JSON.parse(readFileSync(path.join(K8S_DIR, 'stores', 'minio-app-policy.json'), 'utf8')) as { Statement: { Effect: string; Action: string[] }[] };
    const granted = new Set(policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => s.Action));
    expect([...granted].sort()).toEqual([...needed].sort());
  });
});
