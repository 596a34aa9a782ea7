/**
 * The OA simulator.
 *   serve                               serve component files over HTTP (bearer token)
 *   publish [--count N] [--seed S] [--first F]
 *                                       publish "document finalized" events; prints one JSON line each
 */
import { parseArgs } from 'node:util';
import { createKafka, createProducer, ensureTopics } from '@oa-archive/kafka';
import { createLogger } from '@oa-archive/observability';
import { loadSimulatorConfig } from './config.ts';
import { publishDocuments } from './publisher.ts';
import { createFileServer, listen } from './server.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    first: { type: 'string', default: '1' },
  },
});
const config = loadSimulatorConfig();
const logger = createLogger({ service: 'oa-simulator', level: config.LOG_LEVEL });
const baseUrl = config.SIMULATOR_PUBLIC_URL ?? `http://${config.SIMULATOR_HOST}:${config.SIMULATOR_PORT}`;

switch (positionals[0]) {
  case 'serve': {
    const server = createFileServer({ token: config.SIMULATOR_TOKEN });
    const { baseUrl: url } = await listen(server, config.SIMULATOR_PORT, config.SIMULATOR_HOST);
    logger.info({ url }, 'OA simulator serving component files');
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
    break;
  }
  case 'publish': {
    const kafka = createKafka({ clientId: 'oa-simulator', brokers: config.KAFKA_BROKERS, logger });
    await ensureTopics(kafka, [{ topic: config.KAFKA_TOPIC_FINALIZED, numPartitions: 3 }]);
    const producer = createProducer(kafka);
    await producer.connect();
    const published = await publishDocuments(producer, {
      topic: config.KAFKA_TOPIC_FINALIZED,
      source: config.SIMULATOR_SOURCE,
      seed: Number(values.seed),
      count: Number(values.count),
      first: Number(values.first),
      baseUrl,
    });
    await producer.disconnect();
    for (const document of published) process.stdout.write(`${JSON.stringify(document)}\n`);
    break;
  }
  default:
    process.stderr.write('usage: oa-simulator serve | publish [--count N] [--seed S] [--first F]\n');
    process.exit(2);
}
