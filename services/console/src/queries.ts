import {
  aipOf,
  auditEventsOf,
  callbackSummary,
  documentVersionsOf,
  listCallbackDeliveries,
  custodySummary,
  characterizationsOf,
  classificationOf,
  failureGroups,
  metadataRecordOf,
  accessRestrictionRecordOf,
  waitingOf,
  outcomesPerHour,
  preservationCopiesOf,
  preservationEventsOf,
  receiptBacklog,
  receiptsOf,
  recentRecoveries,
  stageStatistics,
  voidedReferenceCodesOf,
  validationReportOf,
} from '@oa-archive/catalog';
import { stallStateKey } from '@oa-archive/kafka';
import { intakeStateKey } from '@oa-archive/pipeline';
import type { ConsoleDeps } from './deps.ts';

/**
 * Consumer lag of the intake group, per partition of the finalized-events topic, and since when a
 * partition is stalled (records waiting, offset not moving) as the intake that owns it reports.
 */
export async function consumerLag(deps: ConsoleDeps) {
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const topic = deps.config.KAFKA_TOPIC_FINALIZED;
    const [committed] = await admin.fetchOffsets({ groupId: deps.config.KAFKA_GROUP_ID, topics: [topic] });
    const ends = [...(await admin.fetchTopicOffsets(topic))].sort((a, b) => a.partition - b.partition);
    const stalls = ends.length ? await deps.redis.mget(ends.map((end) => stallStateKey(deps.config.QUEUE_PREFIX, topic, end.partition))) : [];
    return ends.map((end, i) => {
      const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      const start = Number(offset) < 0 ? Number(end.low) : Number(offset);
      const stall = stalls[i] ? (JSON.parse(stalls[i]) as { waitingSince: string }) : null;
      return { partition: end.partition, committed: Number(offset), end: Number(end.high), lag: Math.max(0, Number(end.high) - start), stalledSince: stall?.waitingSince ?? null };
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * A topic that does not exist yet is a state, not a fault: no OA has sent an event and the broker does not
 * create topics on read. kafkajs reports it as a protocol error, possibly wrapped by its retrier.
 */
function isUnknownTopic(error: Error & { type?: string; originalError?: { type?: string } }): boolean {
  return error.type === 'UNKNOWN_TOPIC_OR_PARTITION' || error.originalError?.type === 'UNKNOWN_TOPIC_OR_PARTITION';
}

export async function overview(deps: ConsoleDeps) {
  const [queues, statuses, hour, day, outcomes, failures, lag, intake] = await Promise.all([
    deps.queues.counts(),
    deps.catalog.countByStatus(),
    stageStatistics(deps.catalog.pool, 1),
    stageStatistics(deps.catalog.pool, 24),
    outcomesPerHour(deps.catalog.pool, 24),
    failureGroups(deps.catalog.pool),
    consumerLag(deps).catch((error: Error) => ({ error: error.message, topicMissing: isUnknownTopic(error) })),
    deps.redis.get(intakeStateKey(deps.config.QUEUE_PREFIX)),
  ]);
  // Fixity failures, overdue audits and the replication backlog: see docs/custody.md.
  const custody = await custodySummary(deps.catalog.pool);
  return {
    custody,
    queues,
    statuses,
    stages: { lastHour: hour, lastDay: day },
    outcomesPerHour: outcomes,
    failures,
    consumer: { group: deps.config.KAFKA_GROUP_ID, lag, intake: intake ? (JSON.parse(intake) as { paused: boolean; at: string }) : null },
  };
}

export async function ingestDetail(deps: ConsoleDeps, ingestId: string) {
  const pool = deps.catalog.pool;
  const ingest = await deps.catalog.getIngest(ingestId);
  if (!ingest) return undefined;
  const [classification, components, characterizations, preservation, validation, metadata, events, audit, stageRuns, aip, receipts, voided, versions, callbacks] = await Promise.all([
    classificationOf(pool, ingestId),
    deps.catalog.listComponents(ingestId),
    characterizationsOf(pool, ingestId),
    preservationCopiesOf(pool, ingestId),
    validationReportOf(pool, ingestId),
    metadataRecordOf(pool, ingestId),
    preservationEventsOf(pool, ingestId),
    auditEventsOf(pool, ingestId),
    deps.catalog.stageRuns(ingestId),
    aipOf(pool, ingestId),
    receiptsOf(pool, ingestId),
    voidedReferenceCodesOf(pool, ingestId),
    documentVersionsOf(pool, ingestId),
    listCallbackDeliveries(pool, { ingestId, limit: 100 }),
  ]);
  const [restriction, waiting] = await Promise.all([accessRestrictionRecordOf(pool, ingestId), waitingOf(pool, ingestId)]);
  const { event, ...summary } = ingest;
  return {
    ingest: summary,
    event,
    classification,
    components: components.map((c) => ({ ...c, characterization: characterizations.find((x) => x.ordinal === c.ordinal) ?? null, preservation: preservation.find((x) => x.ordinal === c.ordinal) ?? null })),
    validation,
    metadata,
    preservationEvents: events,
    audit,
    stageRuns,
    aip: aip ? { bucket: components.find((c) => c.archiveBucket)?.archiveBucket ?? null, prefix: aip.prefix, files: aip.files.length } : null,
    receipts: receipts.map(({ receipt: _receipt, ...r }) => r),
    voidedReferenceCodes: voided,
    /** Every version the OA sent of this document, oldest first; filed ones under one 档号 are one item. */
    versions,
    callbacks,
    /** 限制利用 as recorded (null: unrestricted); the routes decide what the asking role sees. */
    restriction,
    /** What the document waits for, e.g. the virus scanner (null: nothing). */
    waiting,
  };
}

/** Callback deliveries per OA source, and those of one state (dead letters by default) to act on. */
export async function callbacksView(deps: ConsoleDeps, filter: { state?: 'pending' | 'delivered' | 'dead'; source?: string; limit?: number } = {}) {
  const [summary, deliveries] = await Promise.all([
    callbackSummary(deps.catalog.pool),
    listCallbackDeliveries(deps.catalog.pool, { state: filter.state ?? 'dead', ...(filter.source ? { source: filter.source } : {}), limit: filter.limit ?? 200 }),
  ]);
  return { summary, deliveries };
}

/** The reconciler's recent actions and the receipt outbox's backlog: what the operator checks after a fault. */
export async function reconcilerView(deps: ConsoleDeps, limit = 200) {
  const [actions, receipts] = await Promise.all([recentRecoveries(deps.catalog.pool, limit), receiptBacklog(deps.catalog.pool)]);
  return { actions, receipts };
}
