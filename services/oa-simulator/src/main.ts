/**
 * The OA simulator.
 *   serve                               serve component files over HTTP (bearer token)
 *   publish [--count N] [--seed S] [--first F]
 *                                       publish "document finalized" events; prints one JSON line each
 *   push [--shape canonical|json|xml] [--count N] [--seed S] [--first F]
 *                                       push documents to the archive gateway, signed; one JSON line each
 *   table [--count N] [--seed S] [--first F]
 *                                       write documents as rows of the middle table the gateway polls
 *   payload [--shape canonical|json|xml] [--seed S] [--first F]
 *                                       print the body `push` would send for one document
 */
import { parseArgs } from 'node:util';
import { kafkaSettingsOf } from '@oa-archive/config';
import { createKafka, createProducer, ensureTopics } from '@oa-archive/kafka';
import { createLogger } from '@oa-archive/observability';
import { loadSimulatorConfig } from './config.ts';
import { writeMiddleTableRows } from './middleTableWriter.ts';
import type { PushShape } from './oaPayloads.ts';
import { publishDocuments } from './publisher.ts';
import { simulateDocument } from './documents.ts';
import { outboxRowsOf, PUSH_SHAPES, pushBodyOf, pushDocuments } from './pusher.ts';
import { createFileServer, listen } from './server.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    first: { type: 'string', default: '1' },
    shape: { type: 'string', default: 'json' },
  },
});
const config = loadSimulatorConfig();

function shapeOf(value: string): PushShape {
  if (Object.hasOwn(PUSH_SHAPES, value)) return value as PushShape;
  process.stderr.write(`--shape must be one of ${Object.keys(PUSH_SHAPES).join(', ')}\n`);
  process.exit(2);
}
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
    const kafka = createKafka({ clientId: 'oa-simulator', logger, ...kafkaSettingsOf(config) });
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
  case 'payload': {
    process.stdout.write(pushBodyOf(simulateDocument(Number(values.seed), Number(values.first)), shapeOf(values.shape), baseUrl));
    break;
  }
  case 'push': {
    const shape = shapeOf(values.shape);
    const credentials = config.SIMULATOR_PUSH_SECRET ? { appId: config.SIMULATOR_PUSH_APP_ID ?? config.SIMULATOR_PUSH_SOURCE ?? PUSH_SHAPES[shape].credentials.appId, secret: config.SIMULATOR_PUSH_SECRET } : undefined;
    const pushed = await pushDocuments({
      gatewayUrl: config.SIMULATOR_GATEWAY_URL,
      shape,
      seed: Number(values.seed),
      count: Number(values.count),
      first: Number(values.first),
      baseUrl,
      ...(config.SIMULATOR_PUSH_SOURCE ? { source: config.SIMULATOR_PUSH_SOURCE } : {}),
      ...(credentials ? { credentials } : {}),
    });
    for (const document of pushed) process.stdout.write(`${JSON.stringify(document)}\n`);
    if (pushed.some((d) => d.status !== 202)) process.exitCode = 1;
    break;
  }
  case 'table': {
    const rows = outboxRowsOf({ seed: Number(values.seed), count: Number(values.count), first: Number(values.first), baseUrl });
    await writeMiddleTableRows({ driver: config.SIMULATOR_TABLE_DRIVER, url: config.SIMULATOR_TABLE_URL, table: config.SIMULATOR_TABLE }, rows);
    for (const row of rows) process.stdout.write(`${JSON.stringify({ documentId: row.docId, version: row.version, table: config.SIMULATOR_TABLE })}\n`);
    break;
  }
  default:
    process.stderr.write('usage: oa-simulator serve | publish [--count N] [--seed S] [--first F] | push [--shape canonical|json|xml] [--count N] [--seed S] [--first F] | table [--count N] [--seed S] [--first F] | payload [--shape S] [--seed S] [--first F]\n');
    process.exit(2);
}
