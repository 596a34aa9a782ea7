import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ManifestError, readYamlDocuments } from './yamlFiles.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface Kustomized {
  objects: KubeObject[];
  /** Every file the kustomizations read, absolute. */
  files: string[];
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  configMapGenerator?: { name: string; files?: string[]; literals?: string[] }[];
}

/**
 * What `kubectl apply -k DIR` sends, as far as these checks need it: resources (files and directories,
 * recursively), ConfigMaps from configMapGenerator (named without kustomize's hash suffix, which it also
 * writes into every reference) and the namespace. Anything else a kustomization says is refused, so a
 * feature these checks do not model cannot slip past them.
 */
export function kustomize(dir: string): Kustomized {
  const file = path.join(dir, 'kustomization.yaml');
  const [spec] = readYamlDocuments(file) as Kustomization[];
  if (!spec) throw new ManifestError(`${file} is empty`);
  const known = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'configMapGenerator', 'images']);
  const unknown = Object.keys(spec).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new ManifestError(`${file}: ${unknown.join(', ')} not modelled by test/infra's kustomize`);
  const objects: KubeObject[] = [];
  const files = [file];
  for (const resource of spec.resources ?? []) {
    const target = path.join(dir, resource);
    if (resource.endsWith('.yaml') || resource.endsWith('.yml')) {
      files.push(target);
      for (const doc of readYamlDocuments(target)) objects.push(doc as KubeObject);
    } else {
      const nested = kustomize(target);
      objects.push(...nested.objects);
      files.push(...nested.files);
    }
  }
  for (const generator of spec.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const source of generator.files ?? []) {
      files.push(path.join(dir, source));
      data[path.basename(source)] = readFileSync(path.join(dir, source), 'utf8');
    }
    for (const literal of generator.literals ?? []) {
      const at = literal.indexOf('=');
      data[literal.slice(0, at)] = literal.slice(at + 1);
    }
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
  }
  if (spec.namespace) {
    for (const object of objects) if (object.kind !== 'Namespace') object.metadata = { ...object.metadata, namespace: spec.namespace };
  }
  return { objects, files };
}

export function byKind<T = KubeObject>(objects: KubeObject[], kind: string): (KubeObject & T)[] {
  return objects.filter((o) => o.kind === kind) as (KubeObject & T)[];
}

export function named(objects: KubeObject[], kind: string, name: string): KubeObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}
