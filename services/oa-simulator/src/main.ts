/**
 * The OA simulator.
 *   serve                               serve component files over HTTP (bearer token)
 *   publish [--count N] [--seed S] [--first F] [--fixed-dates]
 *                                       publish "document finalized" events; prints one JSON line each
 *   push [--shape canonical|json|xml] [--count N] [--seed S] [--first F]
 *                                       push documents to the archive gateway, signed; one JSON line each
 *   table [--count N] [--seed S] [--first F]
 *                                       write documents as rows of the middle table the gateway polls
 *   drop [--shape folder|eep] [--count N] [--seed S] [--first F]
 *                                       drop documents as packages into the gateway's package drop
 *   gap --source S [--count N] [--seed S] [--first F]
 *                                       finalize documents without sending them (planted gaps for the
 *                                       completeness check: GET /finalized lists them, the archive never gets them)
 *   events [--count N] [--seed S] [--first F]
 *                                       print the event data publish would send, one JSON line each, sending nothing
 *   payload [--shape canonical|json|xml] [--seed S] [--first F]
 *                                       print the body `push` would send for one document
 * Every command but serve and payload dates documents as finalized shortly before now, a late
 * department's weeks to months before (recentDates.ts); --fixed-dates keeps the simulated 2025 dates.
 */
import { parseArgs } from 'node:util';
import { kafkaSettingsOf } from '@oa-archive/config';
import { createKafka, createProducer, ensureTopics } from '@oa-archive/kafka';
import { createLogger } from '@oa-archive/observability';
import { loadSimulatorConfig } from './config.ts';
import { writeMiddleTableRows } from './middleTableWriter.ts';
import type { PushShape } from './oaPayloads.ts';
import { publishDocuments } from './publisher.ts';
import { datedBefore } from './recentDates.ts';
import { eventDataOf, simulateDocument } from './documents.ts';
import { outboxRowsOf, PUSH_SHAPES, pushBodyOf, pushDocuments } from './pusher.ts';
import { createFileServer, listen } from './server.ts';
import { dropPackage, type DropTarget } from './dropWriter.ts';
import { FileLedger, ledgerEntryOf } from './ledger.ts';
import { PACKAGE_SHAPES, PACKAGE_SOURCES, packageOf, type PackageShape } from './packages.ts';
import { createS3Client, ensureBuckets } from '@oa-archive/storage';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '20' },
    seed: { type: 'string', default: '1' },
    first: { type: 'string', default: '1' },
    shape: { type: 'string' },
    source: { type: 'string' },
    /** publish, push, table, drop, gap: keep the simulated 2025 dates instead of dating documents before now. */
    'fixed-dates': { type: 'boolean', default: false },
  },
});
const config = loadSimulatorConfig();

function shapeOf(value = 'json'): PushShape {
  if (Object.hasOwn(PUSH_SHAPES, value)) return value as PushShape;
  process.stderr.write(`--shape must be one of ${Object.keys(PUSH_SHAPES).join(', ')}\n`);
  process.exit(2);
}
const logger = createLogger({ service: 'oa-simulator', level: config.LOG_LEVEL });
const ledger = new FileLedger(config.SIMULATOR_LEDGER);
// Finalized within the last days (weeks or months for the late departments), so the console's
// timeliness shows real delays whichever way a document comes in (--fixed-dates: 2025).
const now = values['fixed-dates'] ? undefined : new Date();
const dated = (document: ReturnType<typeof simulateDocument>) => (now ? datedBefore(document, now) : document);
const documentsOf = (count = Number(values.count), first = Number(values.first)) => Array.from({ length: count }, (_, i) => dated(simulateDocument(Number(values.seed), first + i)));
const baseUrl = config.SIMULATOR_PUBLIC_URL ?? `http://${config.SIMULATOR_HOST}:${config.SIMULATOR_PORT}`;

switch (positionals[0]) {
  case 'serve': {
    const server = createFileServer({ token: config.SIMULATOR_TOKEN, ledger });
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
      ...(now ? { now } : {}),
    });
    await producer.disconnect();
    await ledger.record(documentsOf().map((d) => ledgerEntryOf(d, config.SIMULATOR_SOURCE, 'kafka')));
    for (const document of published) process.stdout.write(`${JSON.stringify({ ...document, source: config.SIMULATOR_SOURCE })}\n`);
    break;
  }
  case 'events': {
    // The event data `publish` would send, one JSON line each and nothing sent: for a dry run of the
    // schedule (`archive classify`), e.g. to pick documents the demo needs for each kind of outcome.
    for (const document of documentsOf()) process.stdout.write(`${JSON.stringify(eventDataOf(document, baseUrl, { declareDigests: true }))}\n`);
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
      ...(now ? { now } : {}),
    });
    const source = config.SIMULATOR_PUSH_SOURCE ?? PUSH_SHAPES[shape].source;
    const accepted = new Set(pushed.filter((d) => d.status === 202).map((d) => d.documentId));
    await ledger.record(documentsOf().filter((d) => accepted.has(d.data.documentId)).map((d) => ledgerEntryOf(d, source, 'push')));
    for (const document of pushed) process.stdout.write(`${JSON.stringify({ ...document, source })}\n`);
    if (pushed.some((d) => d.status !== 202)) process.exitCode = 1;
    break;
  }
  case 'table': {
    const rows = outboxRowsOf({ seed: Number(values.seed), count: Number(values.count), first: Number(values.first), baseUrl, ...(now ? { now } : {}) });
    await writeMiddleTableRows({ driver: config.SIMULATOR_TABLE_DRIVER, url: config.SIMULATOR_TABLE_URL, table: config.SIMULATOR_TABLE }, rows);
    await ledger.record(documentsOf().map((d) => ledgerEntryOf(d, config.SIMULATOR_TABLE_SOURCE, 'table')));
    for (const row of rows) process.stdout.write(`${JSON.stringify({ documentId: row.docId, version: row.version, table: config.SIMULATOR_TABLE, source: config.SIMULATOR_TABLE_SOURCE })}\n`);
    break;
  }
  case 'drop': {
    const shape = values.shape ?? 'folder';
    if (!PACKAGE_SHAPES.includes(shape as PackageShape)) {
      process.stderr.write(`--shape must be one of ${PACKAGE_SHAPES.join(', ')}\n`);
      process.exit(2);
    }
    const source = values.source ?? PACKAGE_SOURCES[shape as PackageShape];
    let target: DropTarget;
    let s3: ReturnType<typeof createS3Client> | undefined;
    if (config.SIMULATOR_DROP_DIRECTORY) {
      target = { kind: 'directory', directory: config.SIMULATOR_DROP_DIRECTORY };
    } else {
      s3 = createS3Client({ endpoint: config.S3_ENDPOINT, region: config.S3_REGION, accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY, forcePathStyle: config.S3_FORCE_PATH_STYLE, sdkChecksums: config.S3_SDK_CHECKSUMS });
      await ensureBuckets(s3, [config.SIMULATOR_DROP_BUCKET]);
      target = { kind: 's3', s3, bucket: config.SIMULATOR_DROP_BUCKET, prefix: config.SIMULATOR_DROP_PREFIX ?? `${source}/` };
    }
    try {
      for (const document of documentsOf()) {
        const where = await dropPackage(target, packageOf(document, shape as PackageShape));
        await ledger.record([ledgerEntryOf(document, source, 'package')]);
        process.stdout.write(`${JSON.stringify({ documentId: document.data.documentId, title: document.data.title, source, package: where })}\n`);
      }
    } finally {
      s3?.destroy();
    }
    break;
  }
  case 'gap': {
    if (!values.source) {
      process.stderr.write('gap needs --source: the OA source the documents are finalized in (e.g. oa-sim-json)\n');
      process.exit(2);
    }
    const documents = documentsOf();
    await ledger.record(documents.map((d) => ledgerEntryOf(d, values.source!, 'none')));
    for (const d of documents) process.stdout.write(`${JSON.stringify({ documentId: d.data.documentId, title: d.data.title, source: values.source, sent: false })}\n`);
    break;
  }
  default:
    process.stderr.write(
      'usage: oa-simulator serve | publish [--count N] [--seed S] [--first F] | push [--shape canonical|json|xml] [--count N] [--seed S] [--first F] | table [--count N] [--seed S] [--first F] | drop [--shape folder|eep] [--count N] [--seed S] [--first F] | gap --source S [--count N] [--seed S] [--first F] | events [--count N] [--seed S] [--first F] | payload [--shape S] [--seed S] [--first F]\n',
    );
    process.exit(2);
}
