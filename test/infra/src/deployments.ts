import type { ComposeProject } from './compose.ts';
import { serviceEnv } from './compose.ts';
import type { KubeObject } from './kustomize.ts';
import { imageDefaultService, serviceOf } from './services.ts';
import { containerEnv, probePort, SERVICE_IMAGE, workloads, type Container, type Workload } from './workloads.ts';

export interface ProbeTarget {
  kind: 'startup' | 'liveness' | 'readiness' | 'healthcheck';
  port: number | undefined;
  path: string | undefined;
}

/** One of this repository's services as a deployment runs it: where, which, with what environment. */
export interface AppWorkload {
  where: string;
  service: string;
  env: Record<string, string>;
  /** How long a stop waits before it kills. */
  graceMs: number;
  /** The most processes it may run at once (autoscaler maximum, or its fixed count). */
  maxReplicas: number;
  probes: ProbeTarget[];
  /** The Kubernetes workload and container, for the checks that only apply there. */
  kube?: { workload: Workload; container: Container };
}

interface ScaledObjectSpec {
  scaleTargetRef: { name: string; kind?: string };
  minReplicaCount?: number;
  maxReplicaCount?: number;
}

/** The autoscaler of a Deployment: KEDA's ScaledObject or an HPA, with its bounds. */
export function autoscalerOf(objects: KubeObject[], deployment: string): { kind: string; name: string; min: number; max: number } | undefined {
  for (const object of objects) {
    if (object.kind === 'ScaledObject') {
      const spec = object.spec as ScaledObjectSpec;
      if (spec.scaleTargetRef.name === deployment && (spec.scaleTargetRef.kind ?? 'Deployment') === 'Deployment') {
        // KEDA's defaults: minimum 0, maximum 100.
        return { kind: 'ScaledObject', name: object.metadata.name, min: spec.minReplicaCount ?? 0, max: spec.maxReplicaCount ?? 100 };
      }
    }
    if (object.kind === 'HorizontalPodAutoscaler') {
      const spec = object.spec as { scaleTargetRef: { name: string }; minReplicas?: number; maxReplicas: number };
      if (spec.scaleTargetRef.name === deployment) return { kind: 'HorizontalPodAutoscaler', name: object.metadata.name, min: spec.minReplicas ?? 1, max: spec.maxReplicas };
    }
  }
  return undefined;
}

const httpProbe = (container: Container, kind: ProbeTarget['kind'], probe: Container['livenessProbe']): ProbeTarget[] =>
  probe?.httpGet ? [{ kind, port: probePort(container, probe.httpGet.port), path: probe.httpGet.path ?? '/' }] : [];

/** The containers of the manifests that run this repository's image. */
export function kubeAppWorkloads(objects: KubeObject[], secrets: KubeObject[], dockerfile: string): AppWorkload[] {
  const imageDefault = imageDefaultService(dockerfile);
  return workloads(objects).flatMap((workload) =>
    workload.pod.containers
      .filter((c) => c.image === SERVICE_IMAGE)
      .map((container) => {
        const env = containerEnv(container, objects, secrets);
        const scaler = workload.object.kind === 'Deployment' ? autoscalerOf(objects, workload.object.metadata.name) : undefined;
        const replicas = (workload.object.spec as { replicas?: number }).replicas ?? 1;
        return {
          where: `${workload.object.kind} ${workload.object.metadata.name}`,
          service: serviceOf(env, container.command ?? container.args, imageDefault),
          env,
          // The kubelet's default is 30 s.
          graceMs: (workload.pod.terminationGracePeriodSeconds ?? 30) * 1000,
          maxReplicas: scaler?.max ?? replicas,
          probes: [
            ...httpProbe(container, 'startup', container.startupProbe),
            ...httpProbe(container, 'liveness', container.livenessProbe),
            ...httpProbe(container, 'readiness', container.readinessProbe),
          ],
          kube: { workload, container },
        };
      }),
  );
}

/** The compose services built from this repository's Dockerfile. */
export function composeAppWorkloads(project: ComposeProject, dockerfile: string, graceOf: (text: string | undefined) => number): AppWorkload[] {
  const imageDefault = imageDefaultService(dockerfile);
  return Object.entries(project.services)
    .filter(([, service]) => service.build !== undefined)
    .map(([name, service]) => {
      const env = serviceEnv(service);
      const test = [service.healthcheck?.test ?? []].flat().join(' ');
      const url = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/[^'"\s)]*)/.exec(test);
      return {
        where: `compose service ${name}`,
        service: serviceOf(env, service.command, imageDefault),
        env,
        graceMs: graceOf(service.stop_grace_period),
        maxReplicas: service.deploy?.replicas ?? 1,
        probes: url ? [{ kind: 'healthcheck' as const, port: Number(url[1]), path: url[2] }] : test ? [{ kind: 'healthcheck' as const, port: undefined, path: undefined }] : [],
      };
    });
}
