/**
 * Per-connection line budget: at most `maxPerSecond` lines in each one-second window.
 * A fixed window is enough here: it bounds work per connection, and its cost is two numbers.
 */
export class RateLimiter {
  #windowStart = 0;
  #count = 0;
  #warnedInWindow = false;
  readonly #max: number;

  constructor(maxPerSecond: number) {
    this.#max = maxPerSecond;
  }

  /** Returns 'ok', 'drop' (over budget, already warned) or 'warn' (over budget, first time this second). */
  take(nowMs: number): 'ok' | 'drop' | 'warn' {
    if (this.#max <= 0) return 'ok';
    if (nowMs - this.#windowStart >= 1000) {
      this.#windowStart = nowMs;
      this.#count = 0;
      this.#warnedInWindow = false;
    }
    if (++this.#count <= this.#max) return 'ok';
    if (this.#warnedInWindow) return 'drop';
    this.#warnedInWindow = true;
    return 'warn';
  }
}
