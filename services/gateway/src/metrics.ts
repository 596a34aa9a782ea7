import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** What the gateway counts, for /metrics. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #documents = new Counter({
    name: 'oa_archive_gateway_documents_total',
    help: 'Documents received, by source, channel (push, middle-table, package) and result (accepted, duplicate, or why refused)',
    labelNames: ['source', 'channel', 'result'],
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics: boolean } = { defaultMetrics: true }) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'oa_archive_gateway_' });
  }

  accepted(source: string, channel: 'push' | 'middle-table' | 'package', duplicate: boolean): void {
    this.#documents.inc({ source, channel, result: duplicate ? 'duplicate' : 'accepted' });
  }

  refused(source: string, result: string, channel: 'push' | 'middle-table' | 'package' = 'push'): void {
    this.#documents.inc({ source, channel, result });
  }
}
