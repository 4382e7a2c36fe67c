const MIN_BYTES = 1024;
const MAX_BYTES = 64 * 1024;
/** A buffer that filled in fewer turns than this was too small; one that lasted more, too big. */
const FULL_WITHIN_TURNS = 4;
const QUIET_AFTER_TURNS = 64;

/**
 * A room's outgoing lines, written back to back into one buffer, so that a member who receives a run
 * of them (everyone but the senders, in a busy room) is written one slice per turn with no copy —
 * instead of one buffer per line, concatenated again per member.
 *
 * Bytes are never overwritten: queued slices keep a full buffer alive until they are written, and the
 * next line goes to a fresh one. Where a turn's lines cross into a fresh buffer, every member's turn
 * is two slices, which the transport copies into one write: so a buffer should hold several turns of
 * the room's traffic. One that filled within a few event-loop turns was too small and the next is
 * twice as big (up to 64 KiB); one that lasted many turns was too big and the next is half as big; and
 * the first line after a quiet spell (64 turns without one) starts a fresh 1 KiB buffer, so a room
 * that went quiet holds about 1 KiB from its next line on. (Starting each turn small again, as this
 * once did, split nearly every turn of a busy room into a ladder of 1, 2, 4, 8 KiB buffers: 85 % of
 * the writes to `/chat/ws` members in rooms of 50 at capacity were copies.)
 */
export class LineArena {
  buf: Buffer = Buffer.alloc(0);
  /**
   * Connections whose open run follows this arena (`QueuedConnection.follow`): each receives every
   * line appended here until it stops following. Kept by the connections, read by the fan-out.
   */
  followers = 0;
  #pos = 0;
  #startTurn = -1;
  /** The turn of the last line written. */
  #lastTurn = -1;

  /** Writes `prefix + raw + \n` and returns where it starts; it ends at the returned offset + length. */
  append(prefix: Buffer, raw: Buffer, turn: number): number {
    const need = prefix.length + raw.length + 1;
    if (this.wouldRenew(need, turn)) this.#renew(need, turn);
    this.#lastTurn = turn;
    const start = this.#pos;
    const buf = this.buf;
    // TypedArray#set: Buffer#copy's argument handling costs more than copying a short line.
    buf.set(prefix, start);
    buf.set(raw, start + prefix.length);
    buf[start + need - 1] = 10;
    this.#pos = start + need;
    return start;
  }

  /**
   * Writes `prefix + raw` as one WebSocket text frame (RFC 6455: FIN, opcode 1, unmasked; a 2-, 4- or
   * 10-byte header) and returns where it starts; it ends at `end`. The frame is the same bytes for
   * every WebSocket member of a room: built once here, as `append` builds the TCP line once.
   */
  appendFrame(prefix: Buffer, raw: Buffer, turn: number): number {
    const n = prefix.length + raw.length;
    const header = frameHeaderBytes(n);
    if (this.wouldRenew(header + n, turn)) this.#renew(header + n, turn);
    this.#lastTurn = turn;
    const start = this.#pos;
    const buf = this.buf;
    buf[start] = 0x81;
    if (header === 2) {
      buf[start + 1] = n;
    } else if (header === 4) {
      buf[start + 1] = 126;
      buf.writeUInt16BE(n, start + 2);
    } else {
      buf[start + 1] = 127;
      buf.writeUInt32BE(0, start + 2);
      buf.writeUInt32BE(n, start + 6);
    }
    buf.set(prefix, start + header);
    buf.set(raw, start + header + prefix.length);
    this.#pos = start + header + n;
    return start;
  }

  /** Where the last `append` or `appendFrame` ended. */
  get end(): number {
    return this.#pos;
  }

  /**
   * Whether writing `need` bytes in `turn` starts a fresh buffer. Followers must stop following
   * first: their runs lie in the current buffer and end where it ends.
   */
  wouldRenew(need: number, turn: number): boolean {
    return this.#pos + need > this.buf.length || this.#quietBig(turn);
  }

  /** A big buffer in a room that has been quiet: its lines were all written long ago, so start small. */
  #quietBig(turn: number): boolean {
    return turn - this.#lastTurn > QUIET_AFTER_TURNS && this.buf.length > MIN_BYTES;
  }

  #renew(need: number, turn: number): void {
    // A follower's run would end in the new buffer: the caller must have stopped them (wouldRenew).
    if (this.followers !== 0) throw new Error(`line arena renewed with ${this.followers} followers`);
    const lasted = turn - this.#startTurn;
    const size = this.buf.length;
    const next =
      turn - this.#lastTurn > QUIET_AFTER_TURNS ? MIN_BYTES
      : lasted < FULL_WITHIN_TURNS ? Math.min(MAX_BYTES, size * 2)
      : lasted > QUIET_AFTER_TURNS ? size >> 1
      : size;
    this.buf = Buffer.allocUnsafe(Math.max(MIN_BYTES, next, need));
    this.#pos = 0;
    this.#startTurn = turn;
  }
}

/** The header of an unmasked WebSocket frame with an `n`-byte payload: 2, 4 or 10 bytes. */
function frameHeaderBytes(n: number): number {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}

/** The bytes `appendFrame` writes for an `n`-byte payload, header included. */
export function frameBytes(n: number): number {
  return frameHeaderBytes(n) + n;
}
