import type { Catalog } from '@oa-archive/catalog';
import type { Logger } from '@oa-archive/observability';
import type { ObjectStore } from '@oa-archive/storage';
import type { CustodyMetrics } from './metrics.ts';

/** What fixity audits and replication need: the catalog, the archive store and, where configured, the replica. */
export interface CustodyDeps {
  catalog: Catalog;
  /** The store the archive bucket is in (each AIP records its bucket). */
  primary: ObjectStore;
  /** The second copy: another bucket, on the same or another endpoint. Absent: replication is off. */
  replica?: { store: ObjectStore; bucket: string };
  settings: {
    /** Every AIP is audited once per cycle. */
    cycleMs: number;
    /** Bytes per second an audit pass reads back, in this process. */
    maxBytesPerSecond: number;
  };
  metrics?: CustodyMetrics;
  logger: Logger;
}
