/** Reconnect delays: exponential, capped, with jitter so that clients of a restarted server spread out. */
export interface BackoffOptions {
  /** First delay before jitter, ms. @default 500 */
  minMs: number;
  /** Largest delay before jitter, ms. @default 10000 */
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { minMs: 500, maxMs: 10_000 };

/**
 * Delay before reconnect attempt `attempt` (0-based): min·2^attempt capped at max, then a uniformly
 * random 50–100 % of that ("equal jitter": never hammering, never waiting longer than the cap).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = defaultBackoff, random: () => number = Math.random): number {
  const base = Math.min(opts.maxMs, opts.minMs * 2 ** Math.min(attempt, 30));
  return Math.round(base / 2 + random() * (base / 2));
}
