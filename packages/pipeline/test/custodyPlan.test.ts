import { describe, expect, it } from 'vitest';
import type { AipFile, FixityFinding } from '@oa-archive/catalog';
import { compareCopy, firstAuditAt, paceDelayMs, planRepairs, replicationRetryDelayMs, type ObjectReading } from '../src/index.ts';

const DAY = 86_400_000;
const hex = (c: string) => c.repeat(64);

const FILES: AipFile[] = [
  { path: 'data/original/001-a.pdf', kind: 'payload', stagingKey: 's/1', size: 10, sha256: hex('1'), sm3: hex('a') },
  { path: 'metadata/da46.xml', kind: 'tag', stagingKey: 's/2', size: 20, sha256: hex('2'), sm3: hex('b') },
  { path: 'manifest-sha256.txt', kind: 'tag', stagingKey: 's/3', size: 30, sha256: hex('3'), sm3: hex('c') },
];
const intact = (f: AipFile): ObjectReading => ({ state: 'read', size: f.size, sha256: f.sha256, sm3: f.sm3 });
const manifests = () => ({
  payload: { sha256: new Map([[FILES[0]!.path, FILES[0]!.sha256]]), sm3: new Map([[FILES[0]!.path, FILES[0]!.sm3]]) },
  tag: { sha256: new Map([[FILES[1]!.path, FILES[1]!.sha256]]), sm3: new Map([[FILES[1]!.path, FILES[1]!.sm3]]) },
});
const readings = (overrides: Record<string, ObjectReading> = {}) => new Map(FILES.map((f) => [f.path, overrides[f.path] ?? intact(f)]));

describe('firstAuditAt', () => {
  it('puts each AIP at a fixed point within one cycle of enrolment, spread evenly over it', () => {
    const enrolled = new Date('2026-12-01T00:00:00Z');
    const ids = Array.from({ length: 4000 }, (_, i) => `ingest-${i}`);
    const offsets = ids.map((id) => firstAuditAt(id, enrolled, 90 * DAY).getTime() - enrolled.getTime());
    expect(offsets.every((o) => o >= 0 && o < 90 * DAY)).toBe(true);
    expect(firstAuditAt('ingest-7', enrolled, 90 * DAY)).toEqual(firstAuditAt('ingest-7', enrolled, 90 * DAY));
    // Each tenth of the cycle gets about a tenth of the AIPs (a day's filing is not all due on one day).
    const tenths = Array.from({ length: 10 }, (_, t) => offsets.filter((o) => Math.floor((o / (90 * DAY)) * 10) === t).length);
    for (const n of tenths) expect(Math.abs(n - ids.length / 10)).toBeLessThan(ids.length / 10 / 4);
  });
});

describe('paceDelayMs and replicationRetryDelayMs', () => {
  it('waits just long enough to bring the average rate down to the limit', () => {
    expect(paceDelayMs(1000, 0, 1000)).toBe(1000);
    expect(paceDelayMs(1000, 400, 1000)).toBe(600);
    expect(paceDelayMs(1000, 2000, 1000)).toBe(0);
  });
  it('backs replication retries off, doubling up to a day', () => {
    expect([1, 2, 3].map(replicationRetryDelayMs)).toEqual([60_000, 120_000, 240_000]);
    expect(replicationRetryDelayMs(40)).toBe(DAY);
  });
});

describe('compareCopy', () => {
  const compare = (r = readings(), m = manifests(), unexpectedPaths: string[] = []) => compareCopy({ prefix: 'WS/2026/BGS/Y/X-1', files: FILES, readings: r, manifests: m, unexpectedPaths });

  it('finds nothing in an intact copy', () => {
    expect(compare()).toEqual([]);
  });

  it('names each object that is missing, of another size, or of other digests, with its key', () => {
    const findings = compare(readings({ [FILES[0]!.path]: { state: 'missing' }, [FILES[1]!.path]: { state: 'read', size: 21, sha256: hex('9'), sm3: hex('b') } }));
    expect(findings.map((f) => [f.path, f.problem])).toEqual([
      [FILES[0]!.path, 'missing'],
      [FILES[1]!.path, 'size'],
      [FILES[1]!.path, 'sha256'],
    ]);
    expect(findings[0]!.key).toBe(`WS/2026/BGS/Y/X-1/${FILES[0]!.path}`);
  });

  it('checks payload against the manifests and tag files against the tag manifests, and reports strangers', () => {
    const m = manifests();
    m.payload.sm3.set(FILES[0]!.path, hex('f'));
    m.tag.sha256.delete(FILES[1]!.path);
    const findings = compare(readings(), m, ['data/original/999-planted.exe']);
    expect(findings.map((f) => [f.path, f.problem, f.detail])).toEqual([
      [FILES[0]!.path, 'manifest', `manifest-sm3.txt lists ${hex('f')}, the catalog ${hex('a')}`],
      [FILES[1]!.path, 'manifest', 'not listed in tagmanifest-sha256.txt'],
      ['data/original/999-planted.exe', 'unexpected', expect.any(String)],
    ]);
  });
});

describe('planRepairs', () => {
  const finding = (path: string, problem: FixityFinding['problem']): FixityFinding => ({ path, key: `p/${path}`, problem, detail: '' });

  it('restores a missing object from the other copy, leaves a changed one to an operator', () => {
    expect(planRepairs([finding('a', 'missing'), finding('b', 'sha256')], [])).toEqual([
      { path: 'a', copy: 'primary', action: 'restore' },
      { path: 'b', copy: 'primary', action: 'needs-operator', reason: expect.stringMatching(/write-once primary store/) },
    ]);
    expect(planRepairs([], [finding('a', 'missing')])).toEqual([{ path: 'a', copy: 'replica', action: 'restore' }]);
  });

  it('has no good copy to repair from when the object is bad on both sides, or there is one copy', () => {
    expect(planRepairs([finding('a', 'missing')], [finding('a', 'sm3')]).map((p) => [p.copy, p.action])).toEqual([
      ['primary', 'needs-operator'],
      ['replica', 'needs-operator'],
    ]);
    expect(planRepairs([finding('a', 'missing')], undefined)).toEqual([{ path: 'a', copy: 'primary', action: 'needs-operator', reason: expect.stringMatching(/no second copy/) }]);
  });

  it('repairs no intact file that a damaged manifest misstates', () => {
    expect(planRepairs([finding('data/x', 'manifest')], [])).toEqual([]);
  });
});
