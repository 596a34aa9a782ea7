import { STAGES, type Stage } from '@oa-archive/contracts';

/** What a process's stages share: the machine's cores and the tool processes it keeps. */
export interface ToolPools {
  cores: number;
  libreOfficeInstances: number;
  exiftoolProcs: number;
}

/**
 * Jobs of a stage one process works on at once, when not configured. Pure. Stages that wait on the
 * network (fetch from the OA, deposit to the store) take more than there are cores; characterize is
 * bound by its ExifTool processes, convert by its LibreOffice instances plus one Ghostscript or ffmpeg
 * per core; the short catalog stages take two per core, so none of them queues behind another.
 */
export function defaultConcurrency(stage: Stage, pools: ToolPools): number {
  const cores = Math.max(1, pools.cores);
  switch (stage) {
    case 'fetch':
    case 'deposit':
      return 2 * cores + 2;
    case 'characterize':
      return Math.max(2, 2 * pools.exiftoolProcs);
    case 'convert':
      return pools.libreOfficeInstances + cores;
    case 'classify':
    case 'validate':
    case 'package':
    case 'notify':
      return 2 * cores;
  }
}

/** Configured concurrency: one number for every stage, a map by stage, and per-stage variables; the most specific wins. */
export interface ConcurrencySettings {
  all?: number | Partial<Record<Stage, number>> | undefined;
  byStage: Partial<Record<Stage, number | undefined>>;
}

/** Each stage's concurrency: WORKER_CONCURRENCY_<STAGE>, else WORKER_CONCURRENCY's (map entry or number), else the default. Pure. */
export function stageConcurrency(settings: ConcurrencySettings, pools: ToolPools): Record<Stage, number> {
  const all = settings.all;
  return Object.fromEntries(
    STAGES.map((stage) => [stage, settings.byStage[stage] ?? (typeof all === 'number' ? all : all?.[stage]) ?? defaultConcurrency(stage, pools)]),
  ) as Record<Stage, number>;
}
