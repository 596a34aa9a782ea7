import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { STAGES } from '@oa-archive/contracts';
import type { ConsoleDeps } from './deps.ts';
import { overdueNow } from './deadlines.ts';
import { consumerLag } from './queries.ts';

/**
 * Prometheus metrics read at scrape time from where the truth is: queue depths from Redis, outcomes
 * from the catalog, consumer lag from Kafka. Nothing is counted in this process that a restart loses.
 */
export function createMetrics(deps: ConsoleDeps): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'oa_console_' });
  new Gauge({
    name: 'oa_archive_queue_jobs',
    help: 'Stage jobs by stage and state',
    labelNames: ['stage', 'state'],
    registers: [registry],
    async collect() {
      const counts = await deps.queues.counts();
      for (const stage of STAGES) for (const [state, n] of Object.entries(counts[stage])) this.set({ stage, state }, n);
    },
  });
  new Gauge({
    name: 'oa_archive_ingests',
    help: 'Ingests by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      for (const [status, n] of Object.entries(await deps.catalog.countByStatus())) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'oa_archive_consumer_lag',
    help: 'Intake consumer lag per partition of the finalized-events topic',
    labelNames: ['partition'],
    registers: [registry],
    async collect() {
      for (const p of await consumerLag(deps).catch(() => [])) this.set({ partition: String(p.partition) }, p.lag);
    },
  });
  new Gauge({
    name: 'oa_archive_filing_overdue',
    help: 'Documents past their filing deadline (归档时间节点, retention schedule `filing`) and not filed, per OA department',
    labelNames: ['department'],
    registers: [registry],
    async collect() {
      // Reset first: a department whose last overdue document was filed must drop to nothing, not keep its old count.
      this.reset();
      for (const row of (await overdueNow(deps)).byDepartment) this.set({ department: row.department }, row.overdue);
    },
  });
  return registry;
}
