/**
 * When the run's own clients were cut off without the plan saying so: the server closed them, or the
 * node they were on died. Every worker hears of every client's outage (worker-pool.ts relays them).
 *
 * Why: with several servers, the other nodes keep such a client in their rooms until they learn it is
 * gone — for a `kill -9`'d node, its presence TTL later — and say `* X left` only then. Messages sent
 * meanwhile list it as a member, but a closed socket receives nothing: counted as expected, they read
 * as loss on servers that did nothing wrong (12.7 % in a test that kills one of two nodes). The run
 * knows which of its clients were down and when, so those recipients are counted apart (ambiguous),
 * as the ones its own disconnect storms cut.
 */

/** Outages over this long ago (epoch ms before the latest event) are forgotten: no message still waits on them. */
const KEEP_MS = 120_000;

export class MemberOutages {
  /**
   * `readMs`: how long after a message's echo (or window) a cut can still find it unread in the socket.
   * Unlike a planned drop, an outage has a known end: a message written after the client was back in a
   * room reaches it as any other (a margin before the write made every message of the next second
   * ambiguous after each of a slow consumer's many returns: more ambiguous than expected).
   */
  constructor(readonly readMs: number) {}

  // One entry per outage, oldest first: client index, from, until (Infinity while it lasts).
  readonly #client: number[] = [];
  readonly #from: number[] = [];
  readonly #until: number[] = [];
  /** Outages still lasting, and when the last one that ended did: `anyCuts` is asked once per own message. */
  #lasting = 0;
  #lastEnd = -Infinity;

  /** Client `index` lost its connection at epoch ms `at` (again, if it was down already: kept as it was). */
  down(index: number, at: number): void {
    if (this.#open(index) >= 0) return;
    this.#prune(at - KEEP_MS);
    this.#client.push(index);
    this.#from.push(at);
    this.#until.push(Infinity);
    this.#lasting++;
  }

  /** Client `index` is back in a room at epoch ms `at`. */
  up(index: number, at: number): void {
    const i = this.#open(index);
    if (i < 0) return;
    this.#until[i] = at;
    this.#lasting--;
    this.#lastEnd = Math.max(this.#lastEnd, at);
  }

  /**
   * Whether an outage could cut a message written at epoch ms `written` and echoed (or decided) at
   * `to`: one that began before `to` + `readMs` and had not ended at the write. False at once when
   * none lasts and the last ended before the write (nearly always: the list is not scanned per message).
   */
  anyCuts(written: number, to: number): boolean {
    if (this.#lasting === 0 && this.#lastEnd < written) return false;
    for (let i = 0; i < this.#from.length; i++) if (this.#overlaps(i, written, to + this.readMs)) return true;
    return false;
  }

  /** Whether an outage of client `index` could cut that message (as `anyCuts`). */
  cuts(index: number, written: number, to: number): boolean {
    for (let i = 0; i < this.#from.length; i++) if (this.#client[i] === index && this.#overlaps(i, written, to + this.readMs)) return true;
    return false;
  }

  #overlaps(i: number, from: number, to: number): boolean {
    return (this.#from[i] as number) <= to && (this.#until[i] as number) >= from;
  }

  #open(index: number): number {
    for (let i = this.#from.length - 1; i >= 0; i--) if (this.#client[i] === index && this.#until[i] === Infinity) return i;
    return -1;
  }

  #prune(before: number): void {
    let kept = 0;
    for (let i = 0; i < this.#until.length; i++) {
      if ((this.#until[i] as number) < before) continue;
      this.#client[kept] = this.#client[i] as number;
      this.#from[kept] = this.#from[i] as number;
      this.#until[kept] = this.#until[i] as number;
      kept++;
    }
    this.#client.length = this.#from.length = this.#until.length = kept;
  }
}
