/**
 * Delivery accounting across worker threads. Senders report each message with the recipients it
 * certainly had (`expected`) and those it may or may not have had (`ambiguous`: their join or leave
 * was in flight with the message — own-messages.ts); receivers (in any worker) report how many
 * distinct recipients saw it in time. A message is settled once its loss timeout has passed:
 * `lost = expected − seen` when seen falls short, `unexpected = seen − expected − ambiguous` when it
 * exceeds both; the ambiguous recipients are counted apart, neither lost nor unexpected.
 * Counting happens in the workers; this class only adds up per tick.
 */
import { receiptSlot } from './worker-messages.js';

export interface Settled {
  expected: number;
  lost: number;
  unexpected: number;
  ambiguous: number;
}

/** Numbers per sender record: gid, seq, expected (−1 retracts: a PM to nobody), ambiguous, written ms. */
export const SENT_RECORD = 5;

/**
 * Settles one message: pure, so the rule is tested on its own. `ambiguous` below 0 (room-view.ts
 * `WHOLLY_AMBIGUOUS`): whoever saw it is ambiguous, as when the sender never said.
 */
export function settleOne(expected: number, ambiguous: number, seen: number): Settled {
  if (expected < 0 || ambiguous < 0) return { expected: 0, lost: 0, unexpected: 0, ambiguous: seen }; // the sender never said, or could not
  if (seen < expected) return { expected, lost: expected - seen, unexpected: 0, ambiguous };
  return { expected, lost: 0, unexpected: Math.max(0, seen - expected - ambiguous), ambiguous };
}

/** Marks a slot whose message was settled (NaN marks one never used). Keys are never negative. */
const TOMBSTONE = -1;
const INITIAL_SLOTS = 1024;

/**
 * The messages not yet settled, in an open-addressing hash table of typed arrays: at a million
 * deliveries a second this holds the last few seconds' messages (the loss timeout), ~170 k per worker.
 * As one object per message in a `Map` they were the main thread's old generation — scavenges of up
 * to 28 ms and 80 ms of marking at 1.4 M deliveries/s from one worker, and with many workers the main
 * thread would be what limits the run.
 */
export class DeliveryLedger {
  expectedTotal = 0;
  lostTotal = 0;
  unexpectedTotal = 0;
  ambiguousTotal = 0;
  #keys = new Float64Array(INITIAL_SLOTS).fill(Number.NaN);
  /** −1 until the sender's record arrives (a receipt can overtake it from another worker). */
  #expected = new Float64Array(INITIAL_SLOTS);
  #ambiguous = new Float64Array(INITIAL_SLOTS);
  #seen = new Float64Array(INITIAL_SLOTS);
  #deadline = new Float64Array(INITIAL_SLOTS);
  #size = 0;
  /** Live slots plus tombstones: what probing has to step over. */
  #used = 0;
  readonly #lossTimeout: number;
  readonly #slack: number;

  /** `slack`: how late a receipt may reach this thread after it was seen (a tick or two). */
  constructor(lossTimeoutMs: number, slackMs: number) {
    this.#lossTimeout = lossTimeoutMs;
    this.#slack = slackMs;
  }

  get pending(): number {
    return this.#size;
  }

  /** Messages still waiting for a recipient (the end-of-run drain stops when this is 0). */
  unsettled(): number {
    let n = 0;
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) {
      if (!isLive(keys[i] as number)) continue;
      const expected = this.#expected[i] as number;
      if (expected < 0 || (this.#seen[i] as number) < expected) n++;
    }
    return n;
  }

  /** Records of `SENT_RECORD` numbers: gid, seq, expected, ambiguous, written ms; expected −1 retracts. */
  addSent(records: Float64Array): void {
    for (let i = 0; i + SENT_RECORD - 1 < records.length; i += SENT_RECORD) {
      const key = (records[i] as number) * 4294967296 + (records[i + 1] as number);
      if (!isKey(key)) continue;
      const expected = records[i + 2] as number;
      const ambiguous = records[i + 3] as number;
      if (expected < 0) {
        const at = this.#find(key);
        if (at >= 0 && (this.#expected[at] as number) > 0) {
          this.expectedTotal -= this.#expected[at] as number;
          this.#expected[at] = 0;
        }
        continue;
      }
      const deadline = (records[i + 4] as number) + this.#lossTimeout + this.#slack;
      let at = this.#find(key);
      if (at < 0) {
        at = this.#insert(key);
        this.#seen[at] = 0;
        this.#deadline[at] = deadline;
      } else {
        this.#deadline[at] = Math.max(this.#deadline[at] as number, deadline);
      }
      this.#expected[at] = expected;
      this.#ambiguous[at] = ambiguous;
      this.expectedTotal += expected;
    }
  }

  /** Pairs of [key, distinct recipients this tick]. */
  addReceipts(receipts: Float64Array, nowMs: number): void {
    for (let i = 0; i + 1 < receipts.length; i += 2) {
      const key = receipts[i] as number;
      if (!isKey(key)) continue;
      const at = this.#find(key);
      if (at >= 0) {
        this.#seen[at] = (this.#seen[at] as number) + (receipts[i + 1] as number);
        continue;
      }
      const slot = this.#insert(key);
      this.#expected[slot] = -1;
      this.#ambiguous[slot] = 0;
      this.#seen[slot] = receipts[i + 1] as number;
      this.#deadline[slot] = nowMs + this.#lossTimeout + this.#slack;
    }
  }

  /**
   * Settles every message whose deadline has passed. With `all` (the run is over) the rest too: a
   * recipient not seen yet of a message whose loss timeout had not run out was never judged — it is
   * ambiguous, not lost (a run stopped early would otherwise call everything in flight lost).
   */
  settle(nowMs: number, all = false): Settled {
    const out: Settled = { expected: 0, lost: 0, unexpected: 0, ambiguous: 0 };
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) {
      if (!isLive(keys[i] as number)) continue;
      const deadline = this.#deadline[i] as number;
      if (!all && deadline > nowMs) continue;
      keys[i] = TOMBSTONE;
      this.#size--;
      const expected = this.#expected[i] as number;
      const seen = this.#seen[i] as number;
      // Unjudged: its loss timeout had not run out (the slack only waits for other workers' receipts,
      // which have all come in once the run is over).
      const cut = deadline - this.#slack > nowMs && expected > seen ? expected - seen : 0;
      const one = settleOne(expected - cut, (this.#ambiguous[i] as number) + cut, seen);
      this.expectedTotal -= cut;
      out.expected += one.expected;
      out.lost += one.lost;
      out.unexpected += one.unexpected;
      out.ambiguous += one.ambiguous;
    }
    this.lostTotal += out.lost;
    this.unexpectedTotal += out.unexpected;
    this.ambiguousTotal += out.ambiguous;
    // After a burst, a table far bigger than what it holds would make every later scan cost the burst.
    if (keys.length > INITIAL_SLOTS && this.#size * 16 < keys.length) this.#rehash();
    return out;
  }

  /** The slot of `key`, or −1. */
  #find(key: number): number {
    const keys = this.#keys;
    const mask = keys.length - 1;
    for (let i = receiptSlot(key) & mask; ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === key) return i;
      if (k !== k) return -1; // NaN: never used, the probe ends
    }
  }

  /** A slot for `key`, known to be absent: the first tombstone or empty slot on its probe. */
  #insert(key: number): number {
    // At most half of the slots live or tombstoned: probes stay short and always end.
    if ((this.#used + 1) * 2 > this.#keys.length) this.#rehash();
    const keys = this.#keys;
    const mask = keys.length - 1;
    let i = receiptSlot(key) & mask;
    for (;;) {
      const k = keys[i] as number;
      if (k !== k || k === TOMBSTONE) break;
      i = (i + 1) & mask;
    }
    if (keys[i] !== TOMBSTONE) this.#used++;
    keys[i] = key;
    this.#size++;
    return i;
  }

  /** Into a table sized for the live messages (at most a quarter full), leaving the tombstones behind. */
  #rehash(): void {
    let slots = INITIAL_SLOTS;
    while (slots < this.#size * 4) slots *= 2;
    const old = { keys: this.#keys, expected: this.#expected, ambiguous: this.#ambiguous, seen: this.#seen, deadline: this.#deadline };
    this.#keys = new Float64Array(slots).fill(Number.NaN);
    this.#expected = new Float64Array(slots);
    this.#ambiguous = new Float64Array(slots);
    this.#seen = new Float64Array(slots);
    this.#deadline = new Float64Array(slots);
    this.#size = 0;
    this.#used = 0;
    for (let i = 0; i < old.keys.length; i++) {
      const key = old.keys[i] as number;
      if (!isLive(key)) continue;
      const at = this.#insert(key);
      this.#expected[at] = old.expected[i] as number;
      this.#ambiguous[at] = old.ambiguous[i] as number;
      this.#seen[at] = old.seen[i] as number;
      this.#deadline[at] = old.deadline[i] as number;
    }
  }
}

/** A slot holding a message: neither never used (NaN) nor settled (TOMBSTONE). */
function isLive(k: number): boolean {
  return k === k && k !== TOMBSTONE;
}

/**
 * A worker reports gid·2³² + seq of non-negative integers read from digits, so a key is finite and
 * never negative (never NaN, the empty mark, nor −1, the tombstone). A mangled payload's 16-digit gid
 * makes a key past 2⁵³: still a key, counted as the ambiguous receipt it is, as the `Map` did.
 */
function isKey(key: number): boolean {
  return key >= 0 && key <= Number.MAX_VALUE;
}
