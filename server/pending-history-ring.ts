import type { HistoryBatchBuilder, HistoryLine } from './history-batch.js';

/**
 * A room's chat lines not yet handed to the history writer, at most `cap` of them: appending past the cap drops
 * the oldest (the store would trim it anyway). So memory is bounded by rooms × cap whatever the
 * message rate, and an append is a few stores — no per-line object, no decoding, no trimming later.
 * A line's text is a slice of a buffer that never changes (the room's line or frame arena), kept by
 * reference.
 */
export class PendingHistoryRing {
  readonly room: string;
  #ts: number[] = [];
  #nick: string[] = [];
  #buf: Buffer[] = [];
  #start: number[] = [];
  #end: number[] = [];
  #next = 0;
  #count = 0;
  readonly #cap: number;

  constructor(room: string, cap: number) {
    this.room = room;
    this.#cap = cap;
  }

  get size(): number {
    return this.#count;
  }

  push(ts: number, nick: string, buf: Buffer, start: number, end: number): void {
    const i = this.#next;
    this.#ts[i] = ts;
    this.#nick[i] = nick;
    this.#buf[i] = buf;
    this.#start[i] = start;
    this.#end[i] = end;
    this.#next = i + 1 === this.#cap ? 0 : i + 1;
    if (this.#count < this.#cap) this.#count++;
  }

  /** Appends this room's lines, oldest first, decoded, to `out` (a `/join` or `/history` read: rare). */
  readInto(out: HistoryLine[]): void {
    const start = this.#count < this.#cap ? 0 : this.#next;
    for (let k = 0; k < this.#count; k++) {
      const i = (start + k) % this.#cap;
      const text = (this.#buf[i] as Buffer).toString('utf8', this.#start[i] as number, this.#end[i] as number);
      out.push({ ts: this.#ts[i] as number, room: this.room, nick: this.#nick[i] as string, text });
    }
  }

  /** Adds this room's lines, oldest first, to `out`, and starts over empty. */
  drainInto(out: HistoryBatchBuilder): void {
    const start = this.#count < this.#cap ? 0 : this.#next;
    const roomId = out.id(this.room);
    for (let k = 0; k < this.#count; k++) {
      const i = (start + k) % this.#cap;
      out.add(roomId, this.#ts[i] as number, this.#nick[i] as string, this.#buf[i] as Buffer, this.#start[i] as number, this.#end[i] as number);
    }
    // Let go of the arenas the texts point into.
    this.#buf = [];
    this.#next = 0;
    this.#count = 0;
  }
}
