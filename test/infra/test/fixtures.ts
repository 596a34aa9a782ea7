import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeAppWorkloads, composeDurationMs, DOCKERFILE, kubeAppWorkloads, kustomize, loadCompose, readYamlDocuments, REPO_ROOT, type KubeObject } from '../src/index.ts';

/** What the checks read: the whole kustomization (apps and stores), the example Secrets, compose, the Dockerfile. */
export const K8S_DIR = path.join(REPO_ROOT, 'infra', 'k8s');
export const kube = kustomize(K8S_DIR);
export const exampleSecrets = readYamlDocuments(path.join(K8S_DIR, 'secret.example.yaml')) as KubeObject[];
export const dockerfile = readFileSync(DOCKERFILE, 'utf8');
export const compose = loadCompose();
export const kubeApps = kubeAppWorkloads(kube.objects, exampleSecrets, dockerfile);
export const composeApps = composeAppWorkloads(compose, dockerfile, (text) => composeDurationMs(text));
export const allApps = [...kubeApps, ...composeApps];
