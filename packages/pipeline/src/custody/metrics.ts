import { Counter, Gauge, type Registry } from 'prom-client';
import { custodySummary, type Queryable } from '@oa-archive/catalog';

/**
 * What custody adds to a worker's /metrics: objects audited and replicated by this process
 * (counters), and from the catalog at scrape time, so that any replica reports the same truth,
 * the AIPs overdue for audit, those whose last audit failed, and the replication backlog.
 */
export class CustodyMetrics {
  readonly objectsChecked: Counter<'copy' | 'result'>;
  readonly bytesRead: Counter<'copy'>;
  readonly objectsReplicated: Counter<'result'>;

  constructor(registry: Registry, db: Queryable, prefix = 'oa_archive_') {
    this.objectsChecked = new Counter({ name: `${prefix}fixity_objects_checked_total`, help: 'AIP objects whose fixity this process checked, by copy and result (intact or failed)', labelNames: ['copy', 'result'], registers: [registry] });
    this.bytesRead = new Counter({ name: `${prefix}fixity_bytes_read_total`, help: 'Bytes read back by fixity audits in this process', labelNames: ['copy'], registers: [registry] });
    this.objectsReplicated = new Counter({ name: `${prefix}replication_objects_total`, help: 'AIP objects this process copied to the replica store, by result (written, already-present, failed)', labelNames: ['result'], registers: [registry] });
    let summary: Promise<Awaited<ReturnType<typeof custodySummary>>> | undefined;
    // One catalog query per scrape for the three gauges.
    const read = () => (summary ??= custodySummary(db).finally(() => setTimeout(() => (summary = undefined), 1000).unref()));
    new Gauge({
      name: `${prefix}fixity_overdue_aips`,
      help: 'AIPs whose fixity audit has been due for more than a day',
      registers: [registry],
      async collect() {
        this.set((await read()).overdue);
      },
    });
    new Gauge({
      name: `${prefix}fixity_failed_aips`,
      help: 'AIPs whose last fixity audit found an object that did not match',
      registers: [registry],
      async collect() {
        this.set((await read()).failed);
      },
    });
    new Gauge({
      name: `${prefix}replication_aips`,
      help: 'AIPs by replication state; pending and failed are the backlog (pending also grows while replication is off)',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        for (const [state, n] of Object.entries((await read()).replication)) this.set({ state }, n);
      },
    });
  }
}
