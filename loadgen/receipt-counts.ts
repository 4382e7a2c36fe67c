/**
 * The messages (sender `gid`, sequence `seq`) received in this worker during the current tick: how
 * many times each was received — the receipts the main thread's ledger settles — and its two times,
 * read from the first copy. Every member of a room receives the same bytes, so another copy in this
 * worker is found by the payload's head (`~TAG.GID.SEQ.`) and takes its times from here when its closing
 * `~` sits where the first copy's did (`sameTimes`); a copy cut short is read on its own, and refused.
 *
 * Once per delivery, so it is an open-addressing hash table in typed arrays: one probe for a message
 * already there, where a `Map` took a `get` and a `set` (~7 % of a saturated worker, profile).
 * NaN marks an empty slot: it equals no key, whatever a hostile payload makes of gid and seq.
 */
import { receiptKey, receiptSlot as slotOf } from './worker-messages.js';

const INITIAL_SLOTS = 1024;
const TILDE = 126;

export class ReceiptCounts {
  #keys = new Float64Array(INITIAL_SLOTS).fill(NaN);
  #counts = new Float64Array(INITIAL_SLOTS);
  #intended = new Float64Array(INITIAL_SLOTS);
  #written = new Float64Array(INITIAL_SLOTS);
  /** How many bytes each message's times (`INTENDED.WRITTEN~`) took in its first copy. */
  #bytesLen = new Float64Array(INITIAL_SLOTS);
  #mask = INITIAL_SLOTS - 1;
  #size = 0;

  /** Distinct messages held since the last `take` (counted or not). */
  get size(): number {
    return this.#size;
  }

  /** The slot of message (gid, seq), or -1 when it has not been seen this tick. */
  find(gid: number, seq: number): number {
    const key = receiptKey(gid, seq);
    const keys = this.#keys;
    const mask = this.#mask;
    let i = slotOf(key) & mask;
    for (;;) {
      const k = keys[i] as number;
      if (k === key) return i;
      if (k !== k) return -1; // NaN: empty
      i = (i + 1) & mask;
    }
  }

  /**
   * Whether the copy whose times start at `buf[start]` (and whose line ends at `end`) is the first
   * copy of the message in `slot` as far as its times go: its closing `~` where the first copy's was.
   * One byte, not a comparison of 34: a copy cut short or longer is read on its own; a copy with other
   * digits of the same length is taken to have the sender's times, the first copy's.
   */
  sameTimes(slot: number, buf: Buffer, start: number, end: number): boolean {
    const len = this.#bytesLen[slot] as number;
    return end - start >= len && buf[start + len - 1] === TILDE;
  }

  /**
   * Adds message (gid, seq), absent (`find` said -1), with its times and no receipt yet; returns its
   * slot. `buf[timesStart, timesEnd)`: the bytes the times were read from (their length is kept for
   * `sameTimes`).
   */
  insert(gid: number, seq: number, intendedUs: number, writtenUs: number, buf?: Buffer, timesStart = 0, timesEnd = 0): number {
    // At most half full: probes stay short.
    if ((this.#size + 1) * 2 > this.#keys.length) this.#grow();
    const key = receiptKey(gid, seq);
    const keys = this.#keys;
    const mask = this.#mask;
    let i = slotOf(key) & mask;
    while (!Number.isNaN(keys[i])) i = (i + 1) & mask;
    keys[i] = key;
    this.#counts[i] = 0;
    this.#intended[i] = intendedUs;
    this.#written[i] = writtenUs;
    // No bytes (times given, not read): never the same as a copy's.
    this.#bytesLen[i] = buf === undefined ? Number.POSITIVE_INFINITY : timesEnd - timesStart;
    this.#size++;
    return i;
  }

  intendedUs(slot: number): number {
    return this.#intended[slot] as number;
  }

  writtenUs(slot: number): number {
    return this.#written[slot] as number;
  }

  /** One receipt of the message in `slot`. */
  count(slot: number): void {
    (this.#counts[slot] as number)++;
  }

  /** One receipt of message (gid, seq) (times unknown: NaN). */
  add(gid: number, seq: number): void {
    let slot = this.find(gid, seq);
    if (slot < 0) slot = this.insert(gid, seq, Number.NaN, Number.NaN);
    this.count(slot);
  }

  /**
   * `[key, count, key, count, …]` of every message received at least once (one seen only as a
   * duplicate or too late has no receipt to report), and empties the table (its size kept).
   */
  take(): Float64Array {
    const keys = this.#keys;
    const counts = this.#counts;
    let n = 0;
    for (let i = 0; i < keys.length; i++) if (counts[i] !== 0 && !Number.isNaN(keys[i])) n++;
    const out = new Float64Array(n * 2);
    let o = 0;
    for (let i = 0; i < keys.length && o < out.length; i++) {
      const key = keys[i] as number;
      if (key !== key || counts[i] === 0) continue;
      out[o++] = key;
      out[o++] = counts[i] as number;
    }
    keys.fill(NaN);
    counts.fill(0);
    this.#size = 0;
    return out;
  }

  #grow(): void {
    const [oldKeys, oldCounts, oldIntended, oldWritten, oldLen] = [this.#keys, this.#counts, this.#intended, this.#written, this.#bytesLen];
    const slots = oldKeys.length * 2;
    this.#keys = new Float64Array(slots).fill(NaN);
    this.#counts = new Float64Array(slots);
    this.#intended = new Float64Array(slots);
    this.#written = new Float64Array(slots);
    this.#bytesLen = new Float64Array(slots);
    this.#mask = slots - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j] as number;
      if (key !== key) continue;
      let i = slotOf(key) & this.#mask;
      while (!Number.isNaN(this.#keys[i])) i = (i + 1) & this.#mask;
      this.#keys[i] = key;
      this.#counts[i] = oldCounts[j] as number;
      this.#intended[i] = oldIntended[j] as number;
      this.#written[i] = oldWritten[j] as number;
      this.#bytesLen[i] = oldLen[j] as number;
    }
  }
}
