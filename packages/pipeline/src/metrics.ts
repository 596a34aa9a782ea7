import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a worker process counts: stage durations, attempts by result, outcomes reached, and what stages cost (S3 requests, processes, PostgreSQL round trips). */
export class PipelineMetrics {
  readonly registry = new Registry();
  readonly stageDuration: Histogram<'stage' | 'result'>;
  readonly outcomes: Counter<'outcome'>;
  readonly recoveries: Counter<'action'>;
  readonly receiptsPublished: Counter;
  readonly s3Requests: Counter<'stage' | 'command'>;
  readonly childProcesses: Counter<'stage' | 'command'>;
  readonly postgresRoundTrips: Counter<'stage'>;

  constructor(prefix = 'oa_archive_') {
    collectDefaultMetrics({ register: this.registry, prefix: `${prefix}worker_` });
    this.stageDuration = new Histogram({
      name: `${prefix}stage_duration_seconds`,
      help: 'Duration of stage attempts, by stage and result',
      labelNames: ['stage', 'result'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [this.registry],
    });
    this.outcomes = new Counter({ name: `${prefix}outcomes_total`, help: 'Documents reaching an outcome in this process', labelNames: ['outcome'], registers: [this.registry] });
    this.recoveries = new Counter({ name: `${prefix}recoveries_total`, help: 'Ingests the reconciler put back at their stage (requeued), counted as overdue, or failed', labelNames: ['action'], registers: [this.registry] });
    this.receiptsPublished = new Counter({ name: `${prefix}receipts_published_total`, help: 'Receipts published from the outbox by this process', registers: [this.registry] });
    this.s3Requests = new Counter({ name: `${prefix}s3_requests_total`, help: 'Requests sent to the object store (retries included), by stage and command', labelNames: ['stage', 'command'], registers: [this.registry] });
    this.childProcesses = new Counter({ name: `${prefix}child_processes_total`, help: 'Processes started (tools, ExifTool, LibreOffice), by stage and program', labelNames: ['stage', 'command'], registers: [this.registry] });
    this.postgresRoundTrips = new Counter({ name: `${prefix}postgres_round_trips_total`, help: 'Statements sent to PostgreSQL, one round trip each (BEGIN and COMMIT included), by stage', labelNames: ['stage'], registers: [this.registry] });
  }
}
