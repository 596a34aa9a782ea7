import { isAllowedOrigin, type OaSource } from '@oa-archive/config';
import { formatBytes, type ContractIssue, type DocumentFinalizedEvent } from '@oa-archive/contracts';

/**
 * What intake accepts beyond the contract: the limits an operator sets and the OA systems it knows.
 * Everything here is decided from the event and the configuration alone, so a refusal goes to the
 * dead-letter topic at once. What depends on the world later (a host that does not answer, a file larger
 * than declared) is the fetch stage's to find, and ends as a FAILED ingest with a receipt.
 */

export interface AdmissionPolicy {
  sources: Record<string, OaSource>;
  maxComponents: number;
  maxDeclaredBytes: number;
}

export interface Refusal {
  reason: string;
  issues: ContractIssue[];
}

/** Intake's refusals and the gateway's speak of sizes alike. */
export { formatBytes };

/** The bytes a Kafka record carries: value, key and headers. */
export function recordBytes(record: { value: Buffer | null; key: Buffer | null; headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined> }): number {
  let total = (record.value?.length ?? 0) + (record.key?.length ?? 0);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    total += Buffer.byteLength(name);
    for (const part of Array.isArray(value) ? value : [value]) total += part === undefined ? 0 : Buffer.byteLength(part);
  }
  return total;
}

export function recordSizeRefusal(bytes: number, maxBytes: number): Refusal | undefined {
  if (bytes <= maxBytes) return undefined;
  const message = `the record is ${formatBytes(bytes)}, over the ${formatBytes(maxBytes)} an event may take (INTAKE_MAX_MESSAGE_BYTES)`;
  return { reason: message, issues: [{ path: '(record)', message }] };
}

export function admissionRefusal(event: DocumentFinalizedEvent, policy: AdmissionPolicy): Refusal | undefined {
  const source = policy.sources[event.source];
  if (!source) {
    return {
      reason: `source ${JSON.stringify(event.source)} is not a configured OA system (OA_SOURCES); its components could not be fetched`,
      issues: [{ path: 'source', message: 'unknown source' }],
    };
  }
  const issues: ContractIssue[] = [];
  const components = event.data.components;
  if (components.length > policy.maxComponents) {
    issues.push({ path: 'data.components', message: `${components.length} components, over the ${policy.maxComponents} an event may declare (INTAKE_MAX_COMPONENTS)` });
  }
  const declared = components.reduce((sum, c) => sum + (c.size ?? 0), 0);
  if (declared > policy.maxDeclaredBytes) {
    issues.push({ path: 'data.components', message: `the components declare ${formatBytes(declared)}, over the ${formatBytes(policy.maxDeclaredBytes)} an event may carry (INTAKE_MAX_DECLARED_BYTES)` });
  }
  components.forEach((component, index) => {
    const url = new URL(component.url);
    if (!isAllowedOrigin(source, url)) {
      const where = url.protocol === 's3:' ? `${url.href} is not under an allowedS3Prefixes entry` : `origin ${url.origin} is not an allowed origin`;
      issues.push({ path: `data.components.${index}.url`, message: `${where} of source ${JSON.stringify(event.source)} (OA_SOURCES); it will not be fetched` });
    }
  });
  if (issues.length === 0) return undefined;
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > 5) shown.push(`… and ${issues.length - 5} more`);
  return { reason: `refused by intake's limits: ${shown.join('; ')}`, issues };
}
