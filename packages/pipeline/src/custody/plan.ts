import { createHash } from 'node:crypto';
import type { AipFile, FixityFinding } from '@oa-archive/catalog';

/**
 * When an AIP newly under custody is first audited: at a fraction of the cycle after enrolment that
 * its id fixes (the first 32 bits of its SHA-256), so that AIPs enrolled together — a day's filing,
 * or the whole archive when custody is first turned on — come due spread evenly over one cycle
 * rather than all on the same day. Later audits follow one cycle after the last.
 */
export function firstAuditAt(ingestId: string, enrolledAt: Date, cycleMs: number): Date {
  const fraction = createHash('sha256').update(ingestId).digest().readUInt32BE(0) / 2 ** 32;
  return new Date(enrolledAt.getTime() + Math.floor(fraction * cycleMs));
}

/** How long to wait before going on, so that `bytes` read since `elapsedMs` ago stay within the rate. */
export function paceDelayMs(bytes: number, elapsedMs: number, maxBytesPerSecond: number): number {
  return Math.max(0, (bytes / maxBytesPerSecond) * 1000 - elapsedMs);
}

/** Replication retries back off: 1 min, 2, 4 … up to a day. */
export function replicationRetryDelayMs(attempts: number): number {
  return Math.min(24 * 3_600_000, 60_000 * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}

/** What was read of one object of one copy. */
export type ObjectReading = { state: 'read'; size: number; sha256: string; sm3: string } | { state: 'missing' } | { state: 'unreadable'; reason: string };

/** A copy's own manifests as read from it, path → digest; `undefined` where a manifest could not be read or parsed. */
export interface CopyManifests {
  payload: { sha256?: Map<string, string>; sm3?: Map<string, string> };
  tag: { sha256?: Map<string, string>; sm3?: Map<string, string> };
}

const MANIFEST = /^(tag)?manifest-(sha256|sm3)\.txt$/;

/** A bag's own manifest and tag-manifest files: read first, as what the other files are checked against. */
export const isManifestPath = (path: string): boolean => MANIFEST.test(path);

/**
 * Compares one copy of an AIP with what the catalog recorded at packaging and with the copy's own
 * BagIt manifests. Each object's size, SHA-256 and SM3 must equal the catalog's; each payload file
 * must be listed in manifest-sha256.txt and manifest-sm3.txt with those digests, each tag file in the
 * tag manifests (the manifests themselves are checked against the catalog only, as BagIt lists them
 * nowhere); and no object the bag does not list may lie under its prefix.
 */
export function compareCopy(input: { prefix: string; files: readonly AipFile[]; readings: ReadonlyMap<string, ObjectReading>; manifests: CopyManifests; unexpectedPaths: readonly string[] }): FixityFinding[] {
  const findings: FixityFinding[] = [];
  const keyOf = (path: string) => `${input.prefix}/${path}`;
  const add = (path: string, problem: FixityFinding['problem'], detail: string) => findings.push({ path, key: keyOf(path), problem, detail });
  for (const file of input.files) {
    const reading = input.readings.get(file.path) ?? { state: 'unreadable', reason: 'not read' };
    if (reading.state === 'missing') {
      add(file.path, 'missing', 'the object is not in the store');
      continue;
    }
    if (reading.state === 'unreadable') {
      add(file.path, 'unreadable', reading.reason);
      continue;
    }
    if (reading.size !== file.size) add(file.path, 'size', `${reading.size} bytes stored, ${file.size} recorded`);
    if (reading.sha256 !== file.sha256) add(file.path, 'sha256', `SHA-256 ${reading.sha256} stored, ${file.sha256} recorded`);
    if (reading.sm3 !== file.sm3) add(file.path, 'sm3', `SM3 ${reading.sm3} stored, ${file.sm3} recorded`);
    if (isManifestPath(file.path)) continue;
    const listed = file.kind === 'payload' ? input.manifests.payload : input.manifests.tag;
    const manifestName = file.kind === 'payload' ? 'manifest' : 'tagmanifest';
    for (const algorithm of ['sha256', 'sm3'] as const) {
      const manifest = listed[algorithm];
      // An unreadable manifest is a finding of its own (on the manifest object); no second one per file.
      if (!manifest) continue;
      const digest = manifest.get(file.path);
      if (digest === undefined) add(file.path, 'manifest', `not listed in ${manifestName}-${algorithm}.txt`);
      else if (digest !== file[algorithm]) add(file.path, 'manifest', `${manifestName}-${algorithm}.txt lists ${digest}, the catalog ${file[algorithm]}`);
    }
  }
  for (const path of input.unexpectedPaths) add(path, 'unexpected', 'an object under the AIP prefix that the bag does not list');
  return findings;
}

export type RepairPlan = { path: string; copy: 'primary' | 'replica'; action: 'restore' } | { path: string; copy: 'primary' | 'replica'; action: 'needs-operator'; reason: string };

/**
 * What to do about findings when there are two copies. A missing object whose other copy is intact
 * is written again from it: the key is free, so write-once still holds. An object present with other
 * bytes cannot be overwritten on a write-once store: it needs an operator (see docs/custody.md), and so
 * does an object bad on both sides, or one nobody put in the bag.
 */
export function planRepairs(primary: readonly FixityFinding[], replica: readonly FixityFinding[] | undefined): RepairPlan[] {
  const plans: RepairPlan[] = [];
  const bad = (findings: readonly FixityFinding[] | undefined) => new Map((findings ?? []).map((f) => [f.path, f]));
  const sides = { primary: bad(primary), replica: bad(replica) };
  for (const [copy, other] of [['primary', 'replica'], ['replica', 'primary']] as const) {
    if (copy === 'replica' && replica === undefined) continue;
    const problems = new Map<string, FixityFinding[]>();
    for (const f of copy === 'primary' ? primary : replica!) problems.set(f.path, [...(problems.get(f.path) ?? []), f]);
    for (const [path, found] of problems) {
      // Its bytes are fine; the manifest that misstates them is the object to repair.
      if (found.every((f) => f.problem === 'manifest')) continue;
      if (found.some((f) => f.problem === 'unexpected')) {
        plans.push({ path, copy, action: 'needs-operator', reason: 'an object the bag does not list: find out who wrote it, then remove it' });
      } else if (replica === undefined) {
        plans.push({ path, copy, action: 'needs-operator', reason: 'no second copy to repair from: restore from a backup or re-file the document' });
      } else if (sides[other].has(path)) {
        plans.push({ path, copy, action: 'needs-operator', reason: 'bad on both copies: restore from a backup or re-file the document' });
      } else if (found.every((f) => f.problem === 'missing')) {
        plans.push({ path, copy, action: 'restore' });
      } else {
        plans.push({ path, copy, action: 'needs-operator', reason: `present with other bytes on the write-once ${copy} store: remove the bad object (docs/custody.md), then audit again to restore it from the ${other} copy` });
      }
    }
  }
  return plans;
}
