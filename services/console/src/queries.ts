import {
  aipOf,
  auditEventsOf,
  characterizationsOf,
  classificationOf,
  failureGroups,
  metadataRecordOf,
  outcomesPerHour,
  preservationCopiesOf,
  preservationEventsOf,
  stageStatistics,
  validationReportOf,
} from '@oa-archive/catalog';
import { intakeStateKey } from '@oa-archive/pipeline';
import type { ConsoleDeps } from './deps.ts';

/** Consumer lag of the intake group, per partition of the finalized-events topic. */
export async function consumerLag(deps: ConsoleDeps) {
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const topic = deps.config.KAFKA_TOPIC_FINALIZED;
    const [committed] = await admin.fetchOffsets({ groupId: deps.config.KAFKA_GROUP_ID, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return [...ends].sort((a, b) => a.partition - b.partition).map((end) => {
      const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      const start = Number(offset) < 0 ? Number(end.low) : Number(offset);
      return { partition: end.partition, committed: Number(offset), end: Number(end.high), lag: Math.max(0, Number(end.high) - start) };
    });
  } finally {
    await admin.disconnect();
  }
}

export async function overview(deps: ConsoleDeps) {
  const [queues, statuses, hour, day, outcomes, failures, lag, intake] = await Promise.all([
    deps.queues.counts(),
    deps.catalog.countByStatus(),
    stageStatistics(deps.catalog.pool, 1),
    stageStatistics(deps.catalog.pool, 24),
    outcomesPerHour(deps.catalog.pool, 24),
    failureGroups(deps.catalog.pool),
    consumerLag(deps).catch((error: Error) => ({ error: error.message })),
    deps.redis.get(intakeStateKey(deps.config.QUEUE_PREFIX)),
  ]);
  return {
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
  const [classification, components, characterizations, preservation, validation, metadata, events, audit, stageRuns, aip] = await Promise.all([
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
  ]);
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
  };
}
