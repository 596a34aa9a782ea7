import { isStage, STAGES, type Stage } from '@oa-archive/contracts';

/** How the pipeline notices and repairs ingests whose stage job was lost, stalled or overran. */
export interface RecoverySettings {
  /** Per stage: the longest one attempt may run; the runner fails the attempt past it (retryable). */
  deadlines: Record<Stage, number>;
  /** An ingest whose status changed less than this long ago is left alone (its job may be on its way). */
  graceMs: number;
  /** Recoveries at one stage before the ingest is FAILED with the reason, so nothing loops for ever. */
  maxRecoveries: number;
  /** Ingests looked at per reconciler pass, oldest change first. */
  batchSize: number;
}

/** Generous: a deadline is for a hung stage, not a slow one. Conversion and transfers of large files take longest. */
export const DEFAULT_STAGE_DEADLINES_MS: Readonly<Record<Stage, number>> = {
  fetch: 30 * 60_000,
  characterize: 15 * 60_000,
  classify: 2 * 60_000,
  convert: 30 * 60_000,
  validate: 5 * 60_000,
  package: 15 * 60_000,
  deposit: 30 * 60_000,
  notify: 2 * 60_000,
};

export const DEFAULT_RECOVERY: RecoverySettings = { deadlines: { ...DEFAULT_STAGE_DEADLINES_MS }, graceMs: 20_000, maxRecoveries: 5, batchSize: 500 };

export class RecoverySettingsError extends Error {
  override readonly name = 'RecoverySettingsError';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `30m`, `2h`, `1500ms` or plain milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new RecoverySettingsError(`"${text}" is not a duration (say 1500ms, 90s, 30m or 2h)`);
  const ms = Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!);
  if (ms <= 0) throw new RecoverySettingsError(`"${text}" must be longer than zero`);
  return ms;
}

/** `convert=45m,fetch=1h`: the stages named get their deadline, the rest keep the default. */
export function parseStageDeadlines(text: string, defaults: Readonly<Record<Stage, number>> = DEFAULT_STAGE_DEADLINES_MS): Record<Stage, number> {
  const deadlines = { ...defaults };
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [name, value, ...rest] = entry.split('=').map((p) => p.trim());
    if (!name || !value || rest.length > 0) throw new RecoverySettingsError(`"${entry}" is not stage=duration (e.g. convert=45m)`);
    if (!isStage(name)) throw new RecoverySettingsError(`"${name}" is not a stage; stages are ${STAGES.join(', ')}`);
    deadlines[name] = parseDuration(value);
  }
  return deadlines;
}
