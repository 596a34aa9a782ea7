/**
 * GD-4-1 asks that the scanner be installed, which means little with a database months old. A scan
 * records clamd's VERSION as "ClamAV 1.4.6/27500/Tue Dec  1 08:00:00 2026" (engine/database/date, see
 * virusCheck.ts); clamd on local signatures only reports the engine, and has no date to judge. Pure.
 */

/** The loaded official database's date, from a recorded scanner version; undefined when it names none. */
export function signatureDateOf(agentVersion: string): Date | undefined {
  const [, database, date] = agentVersion.split('/');
  if (!database || !date) return undefined;
  const parsed = new Date(date);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

const DAY_MS = 86_400_000;

/** One line per scan whose database was older than `maxDays` when it ran; none when `maxDays` is 0. */
export function staleSignatureProblems(scans: readonly { ordinal: number; at?: string | null; agentVersion: string | null }[], maxDays: number): string[] {
  if (!(maxDays > 0)) return [];
  const problems: string[] = [];
  for (const scan of scans) {
    const date = scan.agentVersion ? signatureDateOf(scan.agentVersion) : undefined;
    const at = scan.at ? new Date(scan.at) : undefined;
    if (!date || !at || Number.isNaN(at.getTime())) continue;
    const days = Math.floor((at.getTime() - date.getTime()) / DAY_MS);
    if (days > maxDays) problems.push(`组件${scan.ordinal}扫描时病毒库已${days}天未更新（超过${maxDays}天，请检查freshclam或病毒库镜像）`);
  }
  return problems;
}
