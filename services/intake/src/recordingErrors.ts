/**
 * Why recording an ingest failed decides what intake does with the record:
 *  - `event`: the catalog refused this event's content. PostgreSQL SQLSTATE class 22 (data exception),
 *    23 (integrity constraint, except 23505: a duplicate key means "already recorded", which the next try
 *    finds) and 54 (program limit exceeded). Tried a bounded number of times, then dead-lettered with the
 *    reason and the offset committed: another delivery would fail the same way and hold up the partition.
 *  - `transient`: anything about the database rather than the event: no connection, timeouts, serialization
 *    failures and deadlocks (40), resources (53), shutdown (57), I/O (58), privileges or schema (42, 28, 3D),
 *    internal errors. Retried without limit and without committing: the event is not lost, and a stall
 *    shows on /readyz.
 * An error without a SQLSTATE that is not a connection problem came from handling this event's data in
 * this process, so it counts as `event` too.
 */
export type RecordingErrorKind = 'event' | 'transient';

export interface RecordingFailure {
  kind: RecordingErrorKind;
  /** The SQLSTATE, or the system error code (ECONNREFUSED …), when there is one. */
  code?: string;
  message: string;
}

const EVENT_CLASSES = new Set(['22', '23', '54']);
const DUPLICATE_KEY = '23505';
const SQLSTATE = /^[0-9A-Z]{5}$/;
/** What node-postgres and the pool say when the server is unreachable or goes away. */
const CONNECTION_TROUBLE = /connect|connection|terminat|timeout|timed out|not queryable|socket|ECONN|EPIPE|EHOST|ENET|ENOTFOUND|EAI_AGAIN/i;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function classifyRecordingError(error: unknown): RecordingFailure {
  const message = error instanceof Error ? error.message : String(error);
  const code = codeOf(error);
  if (code && SQLSTATE.test(code)) {
    const kind = EVENT_CLASSES.has(code.slice(0, 2)) && code !== DUPLICATE_KEY ? 'event' : 'transient';
    return { kind, code, message };
  }
  // A system error (it has a syscall) or a pool/client message about the connection: the database, not the event.
  const systemError = typeof (error as { syscall?: unknown } | null)?.syscall === 'string';
  const nested = error instanceof AggregateError ? error.errors.some((e) => classifyRecordingError(e).kind === 'transient') : false;
  if (systemError || nested || (code !== undefined && CONNECTION_TROUBLE.test(code)) || CONNECTION_TROUBLE.test(message)) {
    return code === undefined ? { kind: 'transient', message } : { kind: 'transient', code, message };
  }
  return code === undefined ? { kind: 'event', message } : { kind: 'event', code, message };
}
