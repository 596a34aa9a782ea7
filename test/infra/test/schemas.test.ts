import path from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { composeSpecSchema, kustomize, loadCompose, readYamlDocuments, REPO_ROOT, schemaProblem, type KubeObject } from '../src/index.ts';

const K8S = path.join(REPO_ROOT, 'infra', 'k8s');
const all = kustomize(K8S);
const secrets = readYamlDocuments(path.join(K8S, 'secret.example.yaml')) as KubeObject[];

describe('Kubernetes manifests against the API schemas', () => {
  it.each([...all.objects, ...secrets].map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))('%s conforms', async (_name, object) => {
    expect(await schemaProblem(object)).toBeUndefined();
  });

  it('the schemas refuse what the API server refuses', async () => {
    const [deployment] = all.objects.filter((o) => o.kind === 'Deployment');
    const broken = structuredClone(deployment!) as KubeObject & { spec: { template: { spec: { terminationGracePeriodSeconds: unknown } } } };
    broken.spec.template.spec.terminationGracePeriodSeconds = 'two minutes';
    expect(await schemaProblem(broken)).toMatch(/terminationGracePeriodSeconds/);
    const scaled = structuredClone(all.objects.find((o) => o.kind === 'ScaledObject')!) as KubeObject & { spec: { triggers: { metadata: Record<string, unknown> }[] } };
    scaled.spec.triggers[0]!.metadata.listLength = 4;
    expect(await schemaProblem(scaled)).toMatch(/listLength/);
  });
});

describe('compose file against the Compose Specification schema', () => {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
  addFormats.default(ajv);
  // Compose's "duration" is Go's (10s, 1m30s), not ISO 8601's as in ajv-formats.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // And its own formats for published and exposed ports, and subnets.
  ajv.addFormat('ports', /^((\[?[0-9A-Fa-f:.]+\]?|[\w.-]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9A-Fa-f:.]+\/\d{1,3}$/);
  const validate = ajv.compile(composeSpecSchema());

  it('conforms', () => {
    validate(loadCompose());
    expect(validate.errors ?? []).toEqual([]);
  });

  it('the schema refuses a malformed service', () => {
    const project = loadCompose();
    (project.services.worker as Record<string, unknown>).stop_grace_period = { minutes: 31 };
    expect(validate(project)).toBe(false);
  });
});
