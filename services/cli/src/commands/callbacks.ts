import { callbackSummary, CALLBACK_STATES, listCallbackDeliveries, redriveCallbackDeliveries, type Catalog, type CallbackState } from '@oa-archive/catalog';
import { translator, type Locale } from '@oa-archive/messages';
import { formatTable } from '../table.ts';

type Values = Record<string, string | boolean | undefined>;
const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

export const CALLBACKS_USAGE =
  'usage: archive callbacks [summary] | archive callbacks list [--state dead|pending|delivered] [--source S] [--limit N] | archive callbacks redrive <id> [<id> …] | archive callbacks redrive --all [--source S] [--note why] [--as NAME]';

/**
 * Callbacks to the OA from the command line: what waits per source, the dead letters (or any state)
 * with their last error, and re-driving them (each re-drive audited under the person's name), in `locale`.
 */
export async function callbacksCommand(catalog: Catalog, sub: string | undefined, args: string[], values: Values, actor: string, out: (line: string) => void, locale: Locale): Promise<number> {
  const t = translator(locale);
  if (sub === undefined || sub === 'summary') {
    const rows = await callbackSummary(catalog.pool);
    const columns = [t('cli.callbacks.col.source'), t('cli.callbacks.col.pending'), t('cli.callbacks.col.delivered'), t('cli.callbacks.col.dead'), t('cli.callbacks.col.oldestPending'), t('cli.callbacks.col.whyPending')];
    if (rows.length === 0) out(t('cli.callbacks.none'));
    else out(formatTable(columns, rows.map((r) => [r.source, String(r.pending), String(r.delivered), String(r.dead), r.oldestPending?.toISOString() ?? '', r.lastError ?? '']), 70));
    return 0;
  }
  if (sub === 'list') {
    const state = (str(values.state) ?? 'dead') as CallbackState;
    if (!CALLBACK_STATES.includes(state)) throw new Error(t('cli.option.oneOf', { option: 'state', values: CALLBACK_STATES.join(', ') }));
    const deliveries = await listCallbackDeliveries(catalog.pool, { state, ...(str(values.source) ? { source: str(values.source)! } : {}), limit: Number(str(values.limit) ?? 200) });
    out(
      formatTable(
        [t('cli.callbacks.col.id'), t('cli.col.document'), t('cli.callbacks.col.receipt'), t('cli.callbacks.col.outcome'), t('cli.callbacks.col.source'), t('cli.callbacks.col.attempts'), t('cli.callbacks.col.lastAttempt'), t('cli.callbacks.col.lastError')],
        deliveries.map((d) => [String(d.id), d.documentId, d.receiptId, d.outcome, d.source, String(d.attempts), d.lastAttemptAt?.toISOString() ?? '', d.lastError ?? '']),
        60,
      ),
    );
    out(`\n${t(deliveries.length === 1 ? 'cli.callbacks.count.one' : 'cli.callbacks.count.other', { count: deliveries.length, state: t(`cli.callbacks.state.${state}`) })}`);
    return 0;
  }
  if (sub === 'redrive') {
    const note = str(values.note);
    if (values.all) {
      const redriven = await redriveCallbackDeliveries(catalog.pool, { all: true, ...(str(values.source) ? { source: str(values.source)! } : {}) }, `person:${actor}`, note);
      const source = str(values.source);
      out(source ? t('cli.callbacks.redrivenOf', { count: redriven.length, source }) : t('cli.callbacks.redriven', { count: redriven.length }));
      return 0;
    }
    const ids = args.map((a) => Number(a));
    if (ids.length === 0 || ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) throw new Error(`${t('cli.callbacks.idsNeeded')}\n${CALLBACKS_USAGE}`);
    const redriven = await redriveCallbackDeliveries(catalog.pool, { ids }, `person:${actor}`, note);
    for (const d of redriven) out(t('cli.callbacks.pendingAgain', { id: d.id, receipt: d.receiptId, source: d.source }));
    const missed = ids.filter((id) => !redriven.some((d) => d.id === id));
    for (const id of missed) out(t('cli.callbacks.notDead', { id }));
    return missed.length === 0 ? 0 : 1;
  }
  throw new Error(CALLBACKS_USAGE);
}
