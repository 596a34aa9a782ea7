import type { KubeObject } from './kustomize.ts';

interface ValidatingModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => ValidatingModel;

/**
 * The JSON-schema validator of an object's kind: the Kubernetes API's own from `kubernetes-models`
 * (pinned, so one Kubernetes release's schemas), KEDA's CRDs from `@kubernetes-models/keda`.
 */
export async function modelOf(object: Pick<KubeObject, 'apiVersion' | 'kind'>): Promise<ModelClass | undefined> {
  const module = object.apiVersion.startsWith('keda.sh/')
    ? `@kubernetes-models/keda/${object.apiVersion}`
    : `kubernetes-models/${object.apiVersion}`;
  let exports: Record<string, unknown>;
  try {
    exports = (await import(module)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  return exports[object.kind] as ModelClass | undefined;
}

/** The schema's complaint about an object, or undefined if it conforms. */
export async function schemaProblem(object: KubeObject): Promise<string | undefined> {
  const Model = await modelOf(object);
  if (!Model) return `no schema for ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
