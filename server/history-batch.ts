/**
 * Lines handed from the event loop to the history writer thread. Texts travel as UTF-8 bytes back to
 * back in one buffer, because the fan-out path never decodes a
 * room message: the writer thread does, off the event loop. Everything else is flat per-row arrays,
 * which clone far faster than one object per row (postMessage copies the batch once).
 */
export interface HistoryBatch {
  rooms: string[];
  ts: number[];
  nicks: string[];
  /** Row i's text is bytes [ends[i - 1] ?? 0, ends[i]). */
  text: Uint8Array;
  ends: number[];
}

export function batchSize(b: HistoryBatch): number {
  return b.ts.length;
}

/** Every row's text, decoded. */
export function batchTexts(b: HistoryBatch): string[] {
  const bytes = Buffer.from(b.text.buffer, b.text.byteOffset, b.text.byteLength);
  const out: string[] = new Array(b.ends.length);
  let start = 0;
  for (let i = 0; i < b.ends.length; i++) {
    const end = b.ends[i] as number;
    out[i] = bytes.toString('utf8', start, end);
    start = end;
  }
  return out;
}

/** Collects rows whose text is a slice of a buffer that never changes (a room's line arena). */
export class HistoryBatchBuilder {
  readonly #rooms: string[] = [];
  readonly #ts: number[] = [];
  readonly #nicks: string[] = [];
  readonly #bufs: Buffer[] = [];
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  #bytes = 0;

  add(room: string, ts: number, nick: string, buf: Buffer, start: number, end: number): void {
    this.#rooms.push(room);
    this.#ts.push(ts);
    this.#nicks.push(nick);
    this.#bufs.push(buf);
    this.#starts.push(start);
    this.#ends.push(end);
    this.#bytes += end - start;
  }

  get size(): number {
    return this.#ts.length;
  }

  build(): HistoryBatch {
    const text = new Uint8Array(this.#bytes);
    const ends: number[] = new Array(this.#ts.length);
    let at = 0;
    for (let i = 0; i < this.#bufs.length; i++) {
      const buf = this.#bufs[i] as Buffer;
      const start = this.#starts[i] as number;
      const end = this.#ends[i] as number;
      text.set(buf.subarray(start, end), at);
      at += end - start;
      ends[i] = at;
    }
    return { rooms: this.#rooms, ts: this.#ts, nicks: this.#nicks, text, ends };
  }
}
