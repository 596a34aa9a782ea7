import { Redis } from 'ioredis';
import { appendAuditEvent, classificationOf, inTransaction } from '@oa-archive/catalog';
import { kafkaSettingsOf } from '@oa-archive/config';
import { createKafka, reconsumeWindow, redriveDeadLetters } from '@oa-archive/kafka';
import { createLogger } from '@oa-archive/observability';
import { createApiToken, revokeApiToken, ROLES, type Catalog, type Role } from '@oa-archive/catalog';
import { RETENTIONS, type Retention } from '@oa-archive/classify';
import { isStage, STAGES } from '@oa-archive/contracts';
import { describeFailure, isMessageCode, translator, type Locale, type Translate } from '@oa-archive/messages';
import { basisOf, effectiveSchedule, readScheduleSource, refreshRuleProposals, refusalOf, replayBulk, replayIngest, settleReview, StageQueues, suggestionOf, type ReviewDecision } from '@oa-archive/pipeline';
import type { CliConfig } from '../config.ts';

type Values = Record<string, string | boolean | undefined>;
const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

/** A date option, or a message naming the option when it is not one. */
function dateOption(values: Values, name: string, t: Translate): Date | undefined {
  const text = str(values[name]);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(t('cli.option.notDate', { option: name, value: text }));
  return date;
}

/** A code's word in the reader's language (`stage.fetch` → 获取), else the code itself. */
const labelOf = (t: Translate, prefix: 'stage' | 'outcome', code: string) => {
  const key = `${prefix}.${code}`;
  return isMessageCode(key) ? t(key) : code;
};

/** A stored failure reason: its meaning in the reader's language, then the original message as evidence. */
export function failureText(reason: string | null | undefined, locale: Locale): string {
  const described = describeFailure(reason, locale);
  return described ? translator(locale)('cli.failure', { ...described }) : '';
}

/** A progress bar on stderr, so stdout stays the result. */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`;
}

async function withQueues<T>(config: CliConfig, fn: (queues: StageQueues) => Promise<T>): Promise<T> {
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queues = new StageQueues(redis, { prefix: config.QUEUE_PREFIX, retry: { attempts: config.STAGE_ATTEMPTS, backoffMs: config.STAGE_BACKOFF_MS } });
  try {
    return await fn(queues);
  } finally {
    await queues.close();
    await redis.quit();
  }
}

/** The person running the CLI, for the audit trail. */
const actor = (values: Values) => str(values.as) ?? process.env.USER ?? 'cli';

export async function tokenCommand(catalog: Catalog, sub: string | undefined, values: Values, out: (line: string) => void, locale: Locale): Promise<number> {
  const t = translator(locale);
  const name = str(values.name);
  if (!name) throw new Error('--name is required');
  if (sub === 'create') {
    const role = str(values.role) as Role | undefined;
    if (!role || !ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
    const { token } = await createApiToken(catalog.pool, name, role);
    out(token);
    process.stderr.write(`${t('cli.token.created', { name, role })}\n`);
    return 0;
  }
  if (sub === 'revoke') {
    const n = await revokeApiToken(catalog.pool, name);
    out(t('cli.token.revoked', { count: n, name }));
    return n > 0 ? 0 : 1;
  }
  throw new Error('usage: archive token create --name N --role viewer|operator|admin | archive token revoke --name N');
}

export async function replayCommand(config: CliConfig, catalog: Catalog, target: string | undefined, values: Values, out: (line: string) => void): Promise<number> {
  const t = translator(config.ARCHIVE_LOCALE);
  const from = str(values.from) === 'start' ? 'start' : 'failed';
  return withQueues(config, async (queues) => {
    if (!values.bulk) {
      if (!target) throw new Error('usage: archive replay <ingest id | document id> [--from start] | archive replay --bulk [filters] [--dry-run]');
      const { rows } = await catalog.pool.query<{ ingest_id: string }>(`SELECT ingest_id FROM ingests WHERE (ingest_id = $1 OR document_id = $1) AND status = 'FAILED'`, [target]);
      if (rows.length === 0) throw new Error(t('cli.replay.noFailed', { id: target }));
      for (const { ingest_id } of rows) {
        const result = await replayIngest({ catalog, queues }, ingest_id, { from, actor: actor(values) });
        out(t('cli.replay.started', { ingest: result.ingestId, stage: labelOf(t, 'stage', result.stage) }));
      }
      return 0;
    }
    const stage = str(values.stage);
    if (stage && !isStage(stage)) throw new Error(t('cli.replay.notStage', { stage, stages: STAGES.join(', ') }));
    const filter = {
      ...(stage && isStage(stage) ? { stage } : {}),
      ...(str(values['error-class']) ? { errorClass: str(values['error-class'])! } : {}),
      ...(str(values.source) ? { source: str(values.source)! } : {}),
      ...(dateOption(values, 'since', t) ? { since: dateOption(values, 'since', t)! } : {}),
      ...(dateOption(values, 'until', t) ? { until: dateOption(values, 'until', t)! } : {}),
    };
    const result = await replayBulk({ catalog, queues }, filter, {
      from,
      actor: actor(values),
      dryRun: Boolean(values['dry-run']),
      perSecond: Number(str(values.rate) ?? 5),
      onProgress: (done, total) => process.stderr.write(`\r${progressBar(done, total)}`),
    });
    if (!values['dry-run']) process.stderr.write('\n');
    for (const ingest of result.matched) {
      out(`${ingest.ingestId}  ${ingest.documentId}  ${ingest.failedStage ? labelOf(t, 'stage', ingest.failedStage) : ''}  ${failureText(ingest.failureReason, config.ARCHIVE_LOCALE)}`);
    }
    if (values['dry-run']) out(t('cli.replay.dryRun', { count: result.matched.length }));
    else [t('cli.replay.done', { replayed: result.replayed.length, refused: result.refused.length }), ...result.refused.map((r) => t('cli.replay.refused', { ingest: r.ingestId, reason: r.reason }))].forEach((line) => out(line));
    return result.refused.length ? 1 : 0;
  });
}

export async function reviewCommand(config: CliConfig, catalog: Catalog, sub: string | undefined, target: string | undefined, values: Values, out: (line: string) => void): Promise<number> {
  const t = translator(config.ARCHIVE_LOCALE);
  if (sub !== 'settle' || !target) throw new Error('usage: archive review settle <ingest id> (--file WS:D30 | --retry | --exclude "why" | --quarantine "why") [--note ...]');
  let decision: ReviewDecision;
  if (str(values.file)) {
    const [category, retention] = str(values.file)!.split(':');
    if (!category || !RETENTIONS.includes(retention as Retention)) throw new Error(t('cli.review.fileFormat'));
    decision = { action: 'file', category, retention: retention as Retention, ...(str(values.note) ? { note: str(values.note)! } : {}) };
  } else if (values.retry === true) decision = { action: 'retry', ...(str(values.note) ? { note: str(values.note)! } : {}) };
  else if (str(values.exclude)) decision = { action: 'exclude', note: str(values.exclude)! };
  else if (str(values.quarantine)) decision = { action: 'quarantine', note: str(values.quarantine)! };
  else throw new Error(t('cli.review.decisionNeeded'));
  // The schedule in force (with the rules admins accepted from review), as the worker and the console use it.
  const root = await readScheduleSource(config.RETENTION_SCHEDULE);
  const { schedule } = await effectiveSchedule(catalog.pool, root);
  // The console's rule: filing otherwise than the matched rule suggests takes a reason and a confirmation.
  const suggestion = suggestionOf(await classificationOf(catalog.pool, target), schedule);
  if (decision.action === 'file') {
    const refusal = refusalOf({ ...decision, confirmed: values.confirm === true }, suggestion);
    if (refusal) throw new Error(refusal.code === 'review.needConfirmation' ? t('cli.review.needConfirmation') : t(refusal.code, refusal.params));
  }
  const basis = basisOf(decision, suggestion);
  return withQueues(config, async (queues) => {
    const result = await settleReview({ catalog, queues, schedule }, target, { ...decision, ...(basis ? { basis } : {}) }, actor(values));
    const said = { ingest: target, waitedAt: labelOf(t, 'stage', result.waitedAt), outcome: labelOf(t, 'outcome', result.outcome), next: labelOf(t, 'stage', result.next) };
    out(result.referenceCode ? t('cli.review.settledFiled', { ...said, referenceCode: result.referenceCode }) : t('cli.review.settled', said));
    // Rules are learned from settlements: the proposals catch up now (the settlement stands if this fails).
    try {
      await refreshRuleProposals({ catalog, root });
    } catch (error) {
      process.stderr.write(`${t('cli.review.proposalsNotRefreshed', { reason: (error as Error).message })}\n`);
    }
    return 0;
  });
}

/** What a redrive or a reconsume did, as the audit event records it. */
export type KafkaRepair = { topic: string; redriven: number; skipped: number } | { topic: string; since: string; until: string; republished: number };

/** A redrive's or a reconsume's result in the reader's language. */
export function kafkaRepairLine(repair: KafkaRepair, t: Translate): string {
  return 'republished' in repair ? t('cli.reconsume.done', repair) : t('cli.redrive.done', repair);
}

/**
 * Dead letters back to their topic, or a time window of the finalized topic published again; audited.
 * Prints a sentence, or with `--json` the audit event's payload.
 */
export async function kafkaRepairCommand(config: CliConfig, catalog: Catalog, command: 'redrive' | 'reconsume', values: Values, out: (line: string) => void): Promise<number> {
  const t = translator(config.ARCHIVE_LOCALE);
  const kafka = createKafka({ clientId: `${config.KAFKA_CLIENT_ID}-cli`, logger: createLogger({ service: 'cli', level: 'warn' }), ...kafkaSettingsOf(config) });
  let repair: KafkaRepair;
  if (command === 'redrive') {
    const limit = str(values.limit) ? Number(str(values.limit)) : undefined;
    repair = { topic: config.KAFKA_TOPIC_DEAD_LETTER, ...(await redriveDeadLetters(kafka, { deadLetterTopic: config.KAFKA_TOPIC_DEAD_LETTER, ...(limit ? { limit } : {}) })) };
  } else {
    const since = dateOption(values, 'since', t);
    const until = dateOption(values, 'until', t);
    if (!since || !until) throw new Error(t('cli.reconsume.usage'));
    if (since >= until) throw new Error(t('cli.reconsume.order'));
    repair = { topic: config.KAFKA_TOPIC_FINALIZED, since: since.toISOString(), until: until.toISOString(), ...(await reconsumeWindow(kafka, { topic: config.KAFKA_TOPIC_FINALIZED, since, until })) };
  }
  await inTransaction(catalog.pool, (tx) => appendAuditEvent(tx, { ingestId: null, type: command === 'redrive' ? 'console.dead-letters-redriven' : 'console.window-reconsumed', actor: `person:${actor(values)}`, payload: repair }));
  out(values.json ? JSON.stringify(repair) : kafkaRepairLine(repair, t));
  return 0;
}
