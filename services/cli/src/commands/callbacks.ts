import { callbackSummary, CALLBACK_STATES, listCallbackDeliveries, redriveCallbackDeliveries, type Catalog, type CallbackState } from '@oa-archive/catalog';
import { formatTable } from '../table.ts';

type Values = Record<string, string | boolean | undefined>;
const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

export const CALLBACKS_USAGE =
  'usage: archive callbacks [summary] | archive callbacks list [--state dead|pending|delivered] [--source S] [--limit N] | archive callbacks redrive <id> [<id> …] | archive callbacks redrive --all [--source S] [--note why] [--as NAME]';

/**
 * Callbacks to the OA from the command line: what waits per source, the dead letters (or any state)
 * with their last error, and re-driving them (each re-drive audited under the person's name).
 */
export async function callbacksCommand(catalog: Catalog, sub: string | undefined, args: string[], values: Values, actor: string, out: (line: string) => void): Promise<number> {
  if (sub === undefined || sub === 'summary') {
    const rows = await callbackSummary(catalog.pool);
    if (rows.length === 0) out('no callbacks yet (no source has a callback in OA_SOURCES, or no receipt since)');
    else out(formatTable(['source', 'pending', 'delivered', 'dead', 'oldest pending', 'why pending ones wait'], rows.map((r) => [r.source, String(r.pending), String(r.delivered), String(r.dead), r.oldestPending?.toISOString() ?? '', r.lastError ?? '']), 70));
    return 0;
  }
  if (sub === 'list') {
    const state = (str(values.state) ?? 'dead') as CallbackState;
    if (!CALLBACK_STATES.includes(state)) throw new Error(`--state must be one of ${CALLBACK_STATES.join(', ')}`);
    const deliveries = await listCallbackDeliveries(catalog.pool, { state, ...(str(values.source) ? { source: str(values.source)! } : {}), limit: Number(str(values.limit) ?? 200) });
    out(
      formatTable(
        ['id', 'document', 'receipt', 'outcome', 'source', 'attempts', 'last attempt', 'last error'],
        deliveries.map((d) => [String(d.id), d.documentId, d.receiptId, d.outcome, d.source, String(d.attempts), d.lastAttemptAt?.toISOString() ?? '', d.lastError ?? '']),
        60,
      ),
    );
    out(`\n${deliveries.length} ${state} deliver${deliveries.length === 1 ? 'y' : 'ies'}`);
    return 0;
  }
  if (sub === 'redrive') {
    const note = str(values.note);
    if (values.all) {
      const redriven = await redriveCallbackDeliveries(catalog.pool, { all: true, ...(str(values.source) ? { source: str(values.source)! } : {}) }, `person:${actor}`, note);
      out(`re-drove ${redriven.length} dead letter(s)${str(values.source) ? ` of ${str(values.source)}` : ''}; the workers deliver them at their next pass`);
      return 0;
    }
    const ids = args.map((a) => Number(a));
    if (ids.length === 0 || ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) throw new Error(`give the ids of dead letters (archive callbacks list) or --all\n${CALLBACKS_USAGE}`);
    const redriven = await redriveCallbackDeliveries(catalog.pool, { ids }, `person:${actor}`, note);
    for (const d of redriven) out(`${d.id}: ${d.receiptId} → ${d.source} pending again`);
    const missed = ids.filter((id) => !redriven.some((d) => d.id === id));
    for (const id of missed) out(`${id}: not a dead letter (unknown, delivered, or re-driven already); left alone`);
    return missed.length === 0 ? 0 : 1;
  }
  throw new Error(CALLBACKS_USAGE);
}
