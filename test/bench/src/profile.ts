import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Sampled time, idle excluded, ms. */
  busyMs: number;
  idleMs: number;
  top: { name: string; where: string; selfMs: number; share: number }[];
  areas: { area: string; selfMs: number; share: number }[];
}

/** Where a frame's code lives: a dependency by package name, Node's internals, or our own package. */
function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const ours = /\/(packages|services)\/([^/]+)\//.exec(url);
  return ours ? `@oa-archive/${ours[2]}` : path.basename(url);
}

/**
 * Self time by function and by area over every profile in `dir` (one per process run). With
 * `lastMs`, only the samples of the profile's last `lastMs` milliseconds count (the batch just
 * before the process was stopped, without its start-up).
 */
export async function summarizeProfiles(dir: string, options: { topN?: number; lastMs?: number } = {}): Promise<ProfileSummary> {
  const topN = options.topN ?? 10;
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const byFunction = new Map<string, { name: string; where: string; selfMs: number }>();
  const byArea = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const from = options.lastMs === undefined ? -Infinity : profile.endTime - options.lastMs * 1000;
    let at = profile.startTime;
    for (const [i, id] of profile.samples.entries()) {
      const node = nodes.get(id)!;
      at += profile.timeDeltas[i] ?? 0;
      if (at < from) continue;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') {
        idleMs += ms;
        continue;
      }
      busyMs += ms;
      const where = url ? `${url.replace(/^file:\/\/.*?\/(node_modules\/\.pnpm\/[^/]+\/node_modules\/|packages\/|services\/)/, '')}:${lineNumber + 1}` : '';
      const key = `${functionName}@${where}`;
      const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where, selfMs: 0 };
      entry.selfMs += ms;
      byFunction.set(key, entry);
      const area = areaOf(url, functionName);
      byArea.set(area, (byArea.get(area) ?? 0) + ms);
    }
  }
  const share = (ms: number) => (busyMs > 0 ? ms / busyMs : 0);
  return {
    busyMs,
    idleMs,
    top: [...byFunction.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, topN).map((f) => ({ ...f, share: share(f.selfMs) })),
    areas: [...byArea.entries()].sort((a, b) => b[1] - a[1]).slice(0, topN).map(([area, selfMs]) => ({ area, selfMs, share: share(selfMs) })),
  };
}
