import { named, type KubeObject } from './kustomize.ts';

/** The parts of the Kubernetes API these checks read; the schemas themselves are checked by kubernetes-models. */
export interface Probe {
  httpGet?: { path?: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
}
export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string }; fieldRef?: unknown } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] }; seccompProfile?: { type: string } };
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number; seccompProfile?: { type: string } };
  volumes?: { name: string; emptyDir?: { sizeLimit?: string }; configMap?: unknown; persistentVolumeClaim?: unknown }[];
}
export interface Workload {
  object: KubeObject;
  labels: Record<string, string>;
  pod: PodSpec;
  /** Whether the pod has a persistent volume (a StatefulSet's claim templates or a claim). */
  persistent: boolean;
}

/** Deployments, StatefulSets and Jobs with their pod templates. */
export function workloads(objects: KubeObject[]): Workload[] {
  return objects
    .filter((o) => ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(o.kind))
    .map((object) => {
      const spec = object.spec as { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec }; volumeClaimTemplates?: unknown[] };
      const pod = spec.template.spec;
      return {
        object,
        labels: spec.template.metadata?.labels ?? {},
        pod,
        persistent: (spec.volumeClaimTemplates?.length ?? 0) > 0 || (pod.volumes ?? []).some((v) => v.persistentVolumeClaim),
      };
    });
}

/** The image every service of this repository runs (kustomize rewrites it to the registry's name). */
export const SERVICE_IMAGE = 'oa-archive';

export class EnvResolutionError extends Error {
  override readonly name = 'EnvResolutionError';
}

/**
 * A container's environment as the kubelet builds it: envFrom first, then env (later names win).
 * ConfigMaps come from the manifests, Secrets from the example file; a reference to neither is an error.
 */
export function containerEnv(container: Container, objects: KubeObject[], secrets: KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  const dataOf = (kind: 'ConfigMap' | 'Secret', name: string): Record<string, string> => {
    const source = kind === 'ConfigMap' ? named(objects, kind, name) : named(secrets, kind, name);
    if (!source) throw new EnvResolutionError(`container ${container.name} reads ${kind} ${name}, which neither the manifests nor secret.example.yaml define`);
    return (kind === 'ConfigMap' ? source.data : source.stringData) as Record<string, string>;
  };
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, dataOf('ConfigMap', from.configMapRef.name));
    if (from.secretRef) Object.assign(env, dataOf('Secret', from.secretRef.name));
  }
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef ?? entry.valueFrom?.configMapKeyRef;
    if (ref) {
      const value = dataOf(entry.valueFrom?.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name)[ref.key];
      if (value === undefined) throw new EnvResolutionError(`container ${container.name}: ${entry.name} reads key ${ref.key} of ${ref.name}, which has no such key`);
      env[entry.name] = value;
    } else if (entry.value !== undefined) {
      env[entry.name] = entry.value;
    }
  }
  return env;
}

/** The number a probe's port names: a number, or the name of one of the container's ports. */
export function probePort(container: Container, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** A Kubernetes quantity of bytes ("512Mi", "20Gi", "1G") as a number. */
export function bytesOf(quantity: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity));
  if (!match) throw new EnvResolutionError(`"${quantity}" is not a quantity of bytes`);
  return Number(match[1]) * UNITS[match[2] ?? '']!;
}
