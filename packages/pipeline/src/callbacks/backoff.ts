/** How failed callback attempts are spaced: doubling from `baseMs`, at most `maxMs`, with jitter. */
export interface CallbackBackoff {
  baseMs: number;
  maxMs: number;
}

/**
 * The wait after failed attempt `attempt` (1-based): base·2^(attempt−1), capped at max, of which a
 * random half is taken off ("equal jitter"), so deliveries that failed together (the OA was down) do
 * not all come back in the same second, and none comes back sooner than half the nominal wait.
 */
export function callbackRetryDelayMs(attempt: number, backoff: CallbackBackoff, random: () => number = Math.random): number {
  const nominal = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
