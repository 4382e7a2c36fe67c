const MIN_BYTES = 1024;
const MAX_BYTES = 64 * 1024;

/**
 * A room's outgoing lines, written back to back into one buffer, so that a member who receives a run
 * of them (everyone but the senders, in a busy room) is written one slice per turn with no copy —
 * instead of one buffer per line, concatenated again per member.
 *
 * Bytes are never overwritten: queued slices keep a full buffer alive until they are written, and the
 * next line goes to a fresh one. A buffer that filled within one event-loop turn was too small for
 * this room's traffic and the next is twice as big (up to 64 KiB); otherwise the next is small again,
 * so a quiet room holds about 1 KiB.
 */
export class LineArena {
  buf: Buffer = Buffer.alloc(0);
  #pos = 0;
  #startTurn = -1;

  /** Writes `prefix + raw + \n` and returns where it starts; it ends at the returned offset + length. */
  append(prefix: Buffer, raw: Buffer, turn: number): number {
    const need = prefix.length + raw.length + 1;
    if (this.#pos + need > this.buf.length) this.#renew(need, turn);
    const start = this.#pos;
    const buf = this.buf;
    // TypedArray#set: Buffer#copy's argument handling costs more than copying a short line.
    buf.set(prefix, start);
    buf.set(raw, start + prefix.length);
    buf[start + need - 1] = 10;
    this.#pos = start + need;
    return start;
  }

  #renew(need: number, turn: number): void {
    const grow = this.#startTurn === turn ? Math.min(MAX_BYTES, this.buf.length * 2) : MIN_BYTES;
    this.buf = Buffer.allocUnsafe(Math.max(grow, need));
    this.#pos = 0;
    this.#startTurn = turn;
  }
}
