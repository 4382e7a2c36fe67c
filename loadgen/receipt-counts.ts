/**
 * How many times each message (sender `gid`, sequence `seq`) was received in this worker during the
 * current tick — the receipts the main thread's ledger settles. Once per delivery, so it is an
 * open-addressing hash table in two typed arrays: one probe for a key already there (most of them:
 * every member of a room receives the same message), where a `Map` took a `get` and a `set` and was
 * ~7 % of a saturated worker (profile).
 *
 * NaN marks an empty slot: it equals no key, whatever a hostile payload makes of gid and seq.
 */
import { receiptKey } from './worker-messages.js';

const INITIAL_SLOTS = 1024;

export class ReceiptCounts {
  #keys = new Float64Array(INITIAL_SLOTS).fill(NaN);
  #counts = new Float64Array(INITIAL_SLOTS);
  #mask = INITIAL_SLOTS - 1;
  #size = 0;

  /** Distinct messages counted since the last `take`. */
  get size(): number {
    return this.#size;
  }

  add(gid: number, seq: number): void {
    const key = receiptKey(gid, seq);
    const keys = this.#keys;
    const mask = this.#mask;
    let i = slotOf(key) & mask;
    for (;;) {
      const k = keys[i] as number;
      if (k === key) {
        (this.#counts[i] as number)++;
        return;
      }
      if (k !== k) break; // NaN: empty
      i = (i + 1) & mask;
    }
    keys[i] = key;
    this.#counts[i] = 1;
    // At most half full: probes stay short.
    if (++this.#size * 2 > keys.length) this.#grow();
  }

  /** `[key, count, key, count, …]` of everything counted, and empties the table (its size kept). */
  take(): Float64Array {
    const out = new Float64Array(this.#size * 2);
    const keys = this.#keys;
    const counts = this.#counts;
    let o = 0;
    for (let i = 0; i < keys.length && o < out.length; i++) {
      const key = keys[i] as number;
      if (key !== key) continue;
      out[o++] = key;
      out[o++] = counts[i] as number;
    }
    keys.fill(NaN);
    this.#size = 0;
    return out;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldCounts = this.#counts;
    const slots = oldKeys.length * 2;
    this.#keys = new Float64Array(slots).fill(NaN);
    this.#counts = new Float64Array(slots);
    this.#mask = slots - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const key = oldKeys[j] as number;
      if (key !== key) continue;
      let i = slotOf(key) & this.#mask;
      while (!Number.isNaN(this.#keys[i])) i = (i + 1) & this.#mask;
      this.#keys[i] = key;
      this.#counts[i] = oldCounts[j] as number;
    }
  }
}

/**
 * Mixes a key's sequence (low 32 bits) and sender (high bits) — small, consecutive integers — into
 * well-spread slot bits. From the key alone, so that a slot is found again after `#grow`.
 */
function slotOf(key: number): number {
  let h = Math.imul(key >>> 0, 0x9e3779b1) ^ Math.imul((key / 4294967296) >>> 0, 0x85ebca6b);
  h ^= h >>> 15;
  return h;
}
