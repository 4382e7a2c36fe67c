/**
 * Lines handed from the event loop to the history writer thread. A batch is a few typed arrays and
 * one short table of distinct room and nick names: posting it is a handful of memcpys, where flat
 * arrays of strings cost the event loop milliseconds to clone once a second (a latency spike under
 * load). Texts travel as UTF-8 bytes back to back, because the fan-out path never decodes a room
 * message: the writer thread does, off the event loop.
 */

/** One stored chat line as `/history` and `/join` replay it. */
export interface HistoryLine {
  ts: number;
  room: string;
  nick: string;
  text: string;
}

export interface HistoryBatch {
  /** Distinct room and nick names; `room` and `nick` index into it. */
  names: string[];
  room: Uint32Array;
  nick: Uint32Array;
  ts: Float64Array;
  /** Row i's text is bytes [ends[i - 1] ?? 0, ends[i]) of `text`. */
  ends: Uint32Array;
  text: Uint8Array;
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

/** Rows [from, end) of a batch (the names table is shared): what is kept when older rows are dropped. */
export function sliceBatch(b: HistoryBatch, from: number): HistoryBatch {
  const start = from === 0 ? 0 : (b.ends[from - 1] as number);
  return {
    names: b.names, room: b.room.slice(from), nick: b.nick.slice(from), ts: b.ts.slice(from),
    ends: b.ends.slice(from).map((e) => e - start), text: b.text.slice(start),
  };
}

/** Collects rows whose text is a slice of a buffer that never changes (a room's line or frame arena). */
export class HistoryBatchBuilder {
  readonly #names: string[] = [];
  readonly #ids = new Map<string, number>();
  readonly #room: number[] = [];
  readonly #nick: number[] = [];
  readonly #ts: number[] = [];
  readonly #bufs: Buffer[] = [];
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  #bytes = 0;

  get size(): number {
    return this.#ts.length;
  }

  /** The id of a room or nick name in this batch. */
  id(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.#names.push(name) - 1;
      this.#ids.set(name, id);
    }
    return id;
  }

  add(roomId: number, ts: number, nick: string, buf: Buffer, start: number, end: number): void {
    this.#room.push(roomId);
    this.#nick.push(this.id(nick));
    this.#ts.push(ts);
    this.#bufs.push(buf);
    this.#starts.push(start);
    this.#ends.push(end);
    this.#bytes += end - start;
  }

  build(): HistoryBatch {
    const n = this.#ts.length;
    const text = Buffer.allocUnsafeSlow(this.#bytes);
    const ends = new Uint32Array(n);
    let at = 0;
    for (let i = 0; i < n; i++) {
      at += (this.#bufs[i] as Buffer).copy(text, at, this.#starts[i], this.#ends[i]);
      ends[i] = at;
    }
    return {
      names: this.#names, room: Uint32Array.from(this.#room), nick: Uint32Array.from(this.#nick),
      ts: Float64Array.from(this.#ts), ends, text: new Uint8Array(text.buffer, text.byteOffset, text.byteLength),
    };
  }
}
