/**
 * What one virtual client does with each load message it receives — the hot path, once per delivery:
 * decode the payload in place, drop duplicates (counted), count reorderings, record corrected and
 * uncorrected latency, and log the receipt for the run's ledger unless it came later than the loss
 * timeout (a late message is counted as late, not as delivered). Its own room messages' echoes are
 * handed to `ownEcho` first, so that their recipients are decided before the receipt is logged.
 *
 * One payload and one window per client, reused: nothing here allocates per delivery.
 */
import { decodePayloadHead, decodePayloadTimes, newPayload } from './payload.js';
import { ReceiverWindow, Seen } from './receiver-window.js';
import type { WorkerStats } from './worker-stats.js';

export class Inbox {
  readonly #payload = newPayload();
  readonly #window = new ReceiverWindow();
  readonly #gid: number;
  /** The run's tag (`run-identity.ts`): messages without it are another run's, or a person's. */
  readonly #tag: Uint8Array;
  readonly #stats: WorkerStats;
  readonly #lateUs: number;
  readonly #now: () => number;
  readonly #ownEcho: (seq: number, nowMs: number) => void;
  readonly #firstSeen: ((gid: number, seq: number, nowMs: number) => void) | undefined;

  /**
   * `gid`: the receiving client's; `tag`: its run's, as `tagBytes` gives it; `now`: epoch ms;
   * `ownEcho(seq, now)`: one of this client's messages came back (called only for lines the protocol
   * marks as our own). `firstSeen(gid, seq, now)`: a message reached this worker for the first time this
   * tick (its first copy, once per message and tick, not per delivery) — so the server had handled it by
   * then (own-messages.ts: a window without an echo reaches past it).
   */
  constructor(
    gid: number, tag: Uint8Array, stats: WorkerStats, lossTimeoutMs: number, now: () => number, ownEcho: (seq: number, nowMs: number) => void,
    firstSeen?: (gid: number, seq: number, nowMs: number) => void,
  ) {
    this.#gid = gid;
    this.#tag = tag;
    this.#stats = stats;
    this.#lateUs = lossTimeoutMs * 1000;
    this.#now = now;
    this.#ownEcho = ownEcho;
    this.#firstSeen = firstSeen;
  }

  /**
   * A room message or PM whose text is `line[start, end)`; `self`: the protocol says we sent it.
   * `end`: @default line.length
   */
  receive(line: Buffer, start: number, self: boolean, end = line.length): void {
    const p = this.#payload;
    const timesAt = decodePayloadHead(line, start, p, end, this.#tag);
    if (timesAt < 0) return; // someone else's chat, or another run's messages: not ours to measure
    const stats = this.#stats;
    const messages = stats.receipts;
    // Another member in this worker got the same bytes this tick: its times are read already. A copy
    // whose times end elsewhere (cut short on the way) is read on its own, and refused if no payload.
    let slot = messages.find(p.gid, p.seq);
    if (slot >= 0 && messages.sameTimes(slot, line, timesAt, end)) {
      p.intendedUs = messages.intendedUs(slot);
      p.writtenUs = messages.writtenUs(slot);
    } else {
      const timesEnd = decodePayloadTimes(line, timesAt, p, end);
      if (timesEnd < 0) return;
      if (slot < 0) {
        slot = messages.insert(p.gid, p.seq, p.intendedUs, p.writtenUs, line, timesAt, timesEnd);
        this.#firstSeen?.(p.gid, p.seq, this.#now());
      }
    }
    const nowUs = this.#now() * 1000;
    if (self && p.gid === this.#gid) this.#ownEcho(p.seq, nowUs / 1000);
    const seen = this.#window.check(p.gid, p.seq);
    if (seen === Seen.Duplicate) {
      stats.duplicated++;
      return;
    }
    if (seen === Seen.Reordered) stats.reordered++;
    stats.received++;
    const uncorrected = nowUs - p.writtenUs;
    stats.latency(nowUs - p.intendedUs, uncorrected);
    if (uncorrected > this.#lateUs) stats.late++;
    else messages.count(slot);
  }
}
