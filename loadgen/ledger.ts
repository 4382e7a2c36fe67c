/**
 * Delivery accounting across worker threads. Senders report each message with the recipients it
 * certainly had (`expected`) and those it may or may not have had (`ambiguous`: their join or leave
 * was in flight with the message — own-messages.ts); receivers (in any worker) report how many
 * distinct recipients saw it in time. A message is settled once its loss timeout has passed:
 * `lost = expected − seen` when seen falls short, `unexpected = seen − expected − ambiguous` when it
 * exceeds both; the ambiguous recipients are counted apart, neither lost nor unexpected.
 * Counting happens in the workers; this class only adds up per tick.
 */
interface Entry {
  /** −1 until the sender's record arrives (a receipt can overtake it from another worker). */
  expected: number;
  ambiguous: number;
  seen: number;
  deadline: number;
}

export interface Settled {
  expected: number;
  lost: number;
  unexpected: number;
  ambiguous: number;
}

/** Numbers per sender record: gid, seq, expected (−1 retracts: a PM to nobody), ambiguous, written ms. */
export const SENT_RECORD = 5;

/** Settles one message: pure, so the rule is tested on its own. */
export function settleOne(expected: number, ambiguous: number, seen: number): Settled {
  if (expected < 0) return { expected: 0, lost: 0, unexpected: 0, ambiguous: seen }; // the sender never said
  if (seen < expected) return { expected, lost: expected - seen, unexpected: 0, ambiguous };
  return { expected, lost: 0, unexpected: Math.max(0, seen - expected - ambiguous), ambiguous };
}

export class DeliveryLedger {
  expectedTotal = 0;
  lostTotal = 0;
  unexpectedTotal = 0;
  ambiguousTotal = 0;
  readonly #pending = new Map<number, Entry>();
  readonly #lossTimeout: number;
  readonly #slack: number;

  /** `slack`: how late a receipt may reach this thread after it was seen (a tick or two). */
  constructor(lossTimeoutMs: number, slackMs: number) {
    this.#lossTimeout = lossTimeoutMs;
    this.#slack = slackMs;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Messages still waiting for a recipient (the end-of-run drain stops when this is 0). */
  unsettled(): number {
    let n = 0;
    for (const e of this.#pending.values()) if (e.expected < 0 || e.seen < e.expected) n++;
    return n;
  }

  /** Records of `SENT_RECORD` numbers: gid, seq, expected, ambiguous, written ms; expected −1 retracts. */
  addSent(records: Float64Array): void {
    for (let i = 0; i + SENT_RECORD - 1 < records.length; i += SENT_RECORD) {
      const key = (records[i] as number) * 4294967296 + (records[i + 1] as number);
      const expected = records[i + 2] as number;
      const ambiguous = records[i + 3] as number;
      const e = this.#pending.get(key);
      if (expected < 0) {
        if (e !== undefined && e.expected > 0) {
          this.expectedTotal -= e.expected;
          e.expected = 0;
        }
        continue;
      }
      const deadline = (records[i + 4] as number) + this.#lossTimeout + this.#slack;
      if (e === undefined) this.#pending.set(key, { expected, ambiguous, seen: 0, deadline });
      else {
        e.expected = expected;
        e.ambiguous = ambiguous;
        e.deadline = Math.max(e.deadline, deadline);
      }
      this.expectedTotal += expected;
    }
  }

  /** Pairs of [key, distinct recipients this tick]. */
  addReceipts(receipts: Float64Array, nowMs: number): void {
    for (let i = 0; i + 1 < receipts.length; i += 2) {
      const key = receipts[i] as number;
      const e = this.#pending.get(key);
      if (e !== undefined) e.seen += receipts[i + 1] as number;
      else this.#pending.set(key, { expected: -1, ambiguous: 0, seen: receipts[i + 1] as number, deadline: nowMs + this.#lossTimeout + this.#slack });
    }
  }

  /**
   * Settles every message whose deadline has passed. With `all` (the run is over) the rest too: a
   * recipient not seen yet of a message whose loss timeout had not run out was never judged — it is
   * ambiguous, not lost (a run stopped early would otherwise call everything in flight lost).
   */
  settle(nowMs: number, all = false): Settled {
    const out: Settled = { expected: 0, lost: 0, unexpected: 0, ambiguous: 0 };
    for (const [key, e] of this.#pending) {
      if (!all && e.deadline > nowMs) continue;
      this.#pending.delete(key);
      // Unjudged: its loss timeout had not run out (the slack only waits for other workers' receipts,
      // which have all come in once the run is over).
      const cut = e.deadline - this.#slack > nowMs && e.expected > e.seen ? e.expected - e.seen : 0;
      const one = settleOne(e.expected - cut, e.ambiguous + cut, e.seen);
      this.expectedTotal -= cut;
      out.expected += one.expected;
      out.lost += one.lost;
      out.unexpected += one.unexpected;
      out.ambiguous += one.ambiguous;
    }
    this.lostTotal += out.lost;
    this.unexpectedTotal += out.unexpected;
    this.ambiguousTotal += out.ambiguous;
    return out;
  }
}
