import { PeriodicTask } from '../periodic.ts';
import type { CustodyDeps } from './deps.ts';
import { runFixityAudits } from './fixityAudit.ts';
import { runReplication } from './replication.ts';

/**
 * The worker's custody rounds: fixity audits of the AIPs that are due, and (where a replica is
 * configured) the second copy of new AIPs. Safe with any number of replicas: each AIP is claimed
 * under a lease with SKIP LOCKED. An interval of 0 turns a round off in this process.
 */
export function startCustodyTasks(deps: CustodyDeps, intervals: { fixityMs: number; replicationMs: number }): { stop(): Promise<void> } {
  const tasks: PeriodicTask[] = [];
  if (intervals.fixityMs > 0) {
    tasks.push(
      new PeriodicTask('fixity audit', intervals.fixityMs, async () => {
        const reports = await runFixityAudits(deps, { kind: 'due' }, { actor: 'fixity-audit' });
        const failed = reports.filter((r) => r.outcome === 'failed').length;
        if (reports.length > 0) deps.logger.info({ audited: reports.length, failed }, 'fixity audit round done');
      }, deps.logger).start(),
    );
  }
  if (deps.replica && intervals.replicationMs > 0) {
    tasks.push(
      new PeriodicTask('replication', intervals.replicationMs, async () => {
        const reports = await runReplication(deps, { actor: 'replication' });
        if (reports.length > 0) deps.logger.info({ replicated: reports.filter((r) => r.state === 'replicated').length, failed: reports.filter((r) => r.state === 'failed').length }, 'replication round done');
      }, deps.logger).start(),
    );
  }
  return { stop: async () => void (await Promise.all(tasks.map((t) => t.stop()))) };
}
