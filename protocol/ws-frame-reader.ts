import type { Duplex, Writable } from 'node:stream';

/**
 * Reads WebSocket frames off a socket, for both ends of `/chat/ws`: the load generator reading a
 * server's frames and the server reading its clients'. A whole text frame — every chatpulse line over
 * `/chat/ws` — is handed over where it lies in the read (`text(buf, start, end)`), with no copy and no
 * event: `ws` makes a Buffer and two events per message, which held a loadgen worker to ~0.55 million
 * deliveries/s on this path (~1.5 million over TCP) and was ~15 % of the server's time at capacity.
 * Frames from a client are masked (RFC 6455 §5.3): with `masked`, a whole masked text frame is
 * unmasked in place in the read — the socket's own buffer, which nobody else sees — and an unmasked
 * one goes to ws, which refuses it.
 * A frame is handed over as lines: split at each `\n` in it (none in a chatpulse frame), as the line
 * decoder did with ws's messages — in a server's frames found by one search per read, not one scan
 * per frame; in a client's, searched for within the frame only, and only when unmasking saw a control
 * byte (a printable-ASCII frame, the usual chat line, is handed over as checked: see `unmask`).
 *
 * Every other frame (ping, pong, close, binary, fragments, anything odd) goes whole, in order, to
 * `other`: the `ws` library's own receiver, which answers pings, closes, and refuses bad frames as it
 * always did. While a fragmented message is open, everything goes there (a text frame then is its
 * protocol error to find). A frame longer than `maxFast` bytes switches to `ws` for the rest of the
 * connection, so a hostile length is bounded by ws's own `maxPayload`, never buffered here — unless
 * `oversized` is given: then a whole (unfragmented) data frame of the right masking that is too long
 * is reported to it and its bytes are dropped as they arrive, never held, and reading goes on after
 * it. That is how the server answers a too-long line over `/chat/ws` as over TCP (DESIGN §8: the line
 * dropped, the connection kept) instead of ws's close 1009.
 */
const FIN_TEXT = 0x81;
const MASK_BIT = 0x80;

/** What a line of a whole text frame is handed to; see `WsFrameReader`'s constructor. */
export type FrameText = (buf: Buffer, start: number, end: number, newRead: boolean, plain: boolean) => void;

export class WsFrameReader {
  readonly #text: FrameText;
  readonly #other: (bytes: Buffer) => boolean;
  readonly #maxFast: number;
  /** The mask bit a fast frame carries: set from a client, clear from a server. */
  readonly #maskBit: number;
  /** An unfinished frame's bytes so far (copies), and how many there are. */
  #held: Buffer[] = [];
  #heldBytes = 0;
  /** The held frame's whole size once its header is all held, else -1. */
  #heldSize = -1;
  /** A fragmented message is open: its frames go to `other` until its final one. */
  #fragmented = false;
  /** Everything goes to `other` from now on. */
  #passThrough = false;
  /** ws's receiver is done, or the socket closed (`stop`): nothing more is read. */
  #stopped = false;
  /** No text frame of the current read handed over yet. */
  #newRead = true;
  /** Called for a whole data frame over `maxFast` (its opcode), which is then dropped; see the class. */
  readonly #oversized: ((opcode: number) => void) | undefined;
  /** Bytes of an oversized frame still to drop. */
  #skip = 0;
  /** The next `\n` in `#nlIn` at or after the last place looked (Infinity: none); `#nlIn` only during `push`. */
  #nl = Number.POSITIVE_INFINITY;
  #nlIn: Buffer | null = null;

  /**
   * `text(…, newRead, plain)`: `newRead` is true for the first text frame of a socket read (the rest
   * arrived with it); `plain`, that the line is all printable ASCII — so valid UTF-8 with no control
   * character — as seen while unmasking a client's frame (always false for a server's frames, which
   * nobody checks).
   * `other(bytes)` returns false once ws's receiver takes nothing more (it read a close frame, or
   * refused a frame): then nothing more is read here either, not even the rest of the same read.
   * `masked`: the frames come from a client (the server's side).
   * `oversized(opcode)`: a whole text or binary frame over `maxFast` bytes, dropped unread.
   */
  constructor(
    text: FrameText,
    other: (bytes: Buffer) => boolean,
    maxFast: number,
    masked = false,
    oversized?: (opcode: number) => void,
  ) {
    this.#text = text;
    this.#other = other;
    this.#maxFast = maxFast;
    this.#maskBit = masked ? MASK_BIT : 0;
    this.#oversized = oversized;
  }

  /** Part of a frame is held, waiting for the rest. */
  get holding(): boolean {
    return this.#heldBytes > 0;
  }

  /** Reads nothing more. */
  stop(): void {
    this.#stopped = true;
    this.#held = [];
    this.#heldBytes = 0;
    this.#heldSize = -1;
  }

  push(chunk: Buffer): void {
    if (this.#stopped) return;
    if (this.#passThrough) return this.#pass(chunk);
    this.#newRead = true;
    try {
      this.#push(chunk);
    } finally {
      // Never pin a read between pushes: a held frame is a copy.
      this.#nlIn = null;
    }
  }

  #push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    if (this.#skip > 0) {
      i = Math.min(this.#skip, n);
      this.#skip -= i;
    } else if (this.#heldBytes > 0) {
      i = this.#finishHeld(chunk);
      if (i < 0) return;
    }
    while (i < n) {
      const size = frameSize(chunk, i, n);
      if (size > this.#maxFast) {
        if (!this.#dropsOversized(chunk[i] as number, chunk[i + 1] as number)) return this.#passOn(chunk.subarray(i));
        const here = Math.min(size, n - i);
        this.#skip = size - here;
        i += here;
        continue;
      }
      if (size < 0 || i + size > n) {
        this.#hold(chunk.subarray(i));
        return;
      }
      this.#frame(chunk, i, i + size);
      if (this.#stopped) return;
      i += size;
    }
  }

  /** Completes the held frame with the start of `chunk`: where the rest of `chunk` starts, or -1 (all held). */
  #finishHeld(chunk: Buffer): number {
    let size = this.#heldSize;
    if (size < 0) {
      // The header is split too (so fewer than 14 bytes are held): read it from them and the chunk.
      const headBytes = Math.min(14, this.#heldBytes + chunk.length);
      const head = Buffer.concat([...this.#held, chunk.subarray(0, Math.max(0, headBytes - this.#heldBytes))], headBytes);
      size = frameSize(head, 0, head.length);
    }
    if (size > this.#maxFast) {
      const held = Buffer.concat(this.#held, this.#heldBytes);
      this.#held = [];
      this.#heldBytes = 0;
      this.#heldSize = -1;
      // The second header byte may be the chunk's first (one byte held).
      if (this.#dropsOversized(held[0] as number, (held.length > 1 ? held[1] : chunk[0]) as number)) {
        // The held bytes are its start; drop the rest as it comes.
        const here = Math.min(size - held.length, chunk.length);
        this.#skip = size - held.length - here;
        return here;
      }
      this.#passOn(held);
      this.#pass(chunk);
      return -1;
    }
    const missing = size < 0 ? -1 : size - this.#heldBytes;
    if (missing < 0 || missing > chunk.length) {
      // Known once the header is: a frame dripping in over many reads is not re-read each time.
      this.#heldSize = size;
      this.#hold(chunk);
      return -1;
    }
    const frame = Buffer.concat([...this.#held, chunk.subarray(0, missing)], size);
    this.#held = [];
    this.#heldBytes = 0;
    this.#heldSize = -1;
    this.#frame(frame, 0, size);
    return this.#stopped ? -1 : missing;
  }

  /**
   * Whether the oversized frame starting with bytes `b0 b1` is one to drop (and if so, reports it):
   * a whole text or binary frame with the expected masking, outside a fragmented message. Anything
   * else goes to ws, which refuses what it must.
   */
  #dropsOversized(b0: number, b1: number): boolean {
    const opcode = b0 & 0x0f;
    if (this.#oversized === undefined || this.#fragmented || (b0 & 0xf0) !== 0x80 || (opcode !== 1 && opcode !== 2)) return false;
    if ((b1 & MASK_BIT) !== this.#maskBit) return false;
    this.#oversized(opcode);
    return !this.#stopped;
  }

  #hold(part: Buffer): void {
    // A copy: a view would pin the socket's whole read while the frame is unfinished.
    this.#held.push(Buffer.from(part));
    this.#heldBytes += part.length;
  }

  #passOn(rest: Buffer): void {
    this.#passThrough = true;
    this.#pass(rest);
  }

  #pass(bytes: Buffer): void {
    if (!this.#stopped && !this.#other(bytes)) this.#stopped = true;
  }

  #frame(buf: Buffer, start: number, end: number): void {
    const b0 = buf[start] as number;
    const b1 = buf[start + 1] as number;
    if (b0 === FIN_TEXT && (b1 & MASK_BIT) === this.#maskBit && !this.#fragmented) {
      const len = b1 & 0x7f;
      const at = start + (len < 126 ? 2 : len === 126 ? 4 : 10);
      if (this.#maskBit === 0) return this.#lines(buf, at, end);
      const seen = unmask(buf, at, end);
      // Printable ASCII (a chat message, nearly always): one line the chat core need not check again.
      if (seen === PRINTABLE) return this.#line(buf, at + 4, end, true);
      return this.#maskedLines(buf, at + 4, (seen & CONTROL) === 0 ? -1 : indexOfNl(buf, at + 4, end), end);
    }
    const opcode = b0 & 0x0f;
    // A data frame without FIN opens a fragmented message; a continuation with FIN closes it.
    if (opcode !== 0 && opcode < 8) this.#fragmented = (b0 & 0x80) === 0;
    else if (opcode === 0 && (b0 & 0x80) !== 0) this.#fragmented = false;
    this.#pass(buf.subarray(start, end));
  }

  /** The text `buf[start, end)` as lines, split at each `\n` (a `\n` at its very end ends its last line). */
  #lines(buf: Buffer, start: number, end: number): void {
    if (this.#nlIn !== buf || this.#nl < start) this.#findNl(buf, start);
    let from = start;
    while (this.#nl < end) {
      const nl = this.#nl;
      this.#line(buf, from, nl, false);
      from = nl + 1;
      this.#findNl(buf, from);
    }
    if (from < end || from === start) this.#line(buf, from, end, false);
  }

  /**
   * A client's text `buf[start, end)`, just unmasked, whose first `\n` is at `nl` (-1: none). Searched
   * within the frame only: a search of the rest of the read per frame would let a client that keeps
   * `\n` out of its masked bytes make each frame cost the whole read (quadratic in frames per read).
   */
  #maskedLines(buf: Buffer, start: number, nl: number, end: number): void {
    if (nl < 0) return this.#line(buf, start, end, false);
    let from = start;
    for (let i = nl; i >= 0; i = indexOfNl(buf, from, end)) {
      this.#line(buf, from, i, false);
      from = i + 1;
    }
    if (from < end) this.#line(buf, from, end, false);
  }

  #line(buf: Buffer, start: number, end: number, plain: boolean): void {
    this.#text(buf, start, end, this.#newRead, plain);
    this.#newRead = false;
  }

  #findNl(buf: Buffer, from: number): void {
    this.#nlIn = buf;
    const nl = buf.indexOf(10, from);
    this.#nl = nl < 0 ? Number.POSITIVE_INFINITY : nl;
  }
}

/** `unmask`'s byte classes, or'ed over a frame: printable ASCII (0x20–0x7E), any byte of 0x80 and up, and the rest (C0 controls, `\n` among them, and DEL). */
const PRINTABLE = 0;
const HIGH = 1;
const CONTROL = 2;
const BYTE_CLASS = new Uint8Array(256).map((_, b) => (b < 0x20 || b === 0x7f ? CONTROL : b >= 0x80 ? HIGH : PRINTABLE));

/**
 * Unmasks `buf[maskAt + 4, end)` in place with the key at `buf[maskAt, maskAt + 4)` (RFC 6455 §5.3)
 * and returns the classes of the bytes it holds, or'ed: the bytes are at hand, so the common frame —
 * printable ASCII — needs no second pass, neither to find a `\n` nor to check UTF-8 and controls.
 */
function unmask(buf: Buffer, maskAt: number, end: number): number {
  const k0 = buf[maskAt] as number;
  const k1 = buf[maskAt + 1] as number;
  const k2 = buf[maskAt + 2] as number;
  const k3 = buf[maskAt + 3] as number;
  let seen = PRINTABLE;
  let i = maskAt + 4;
  for (; i + 3 < end; i += 4) {
    const c0 = (buf[i] as number) ^ k0;
    const c1 = (buf[i + 1] as number) ^ k1;
    const c2 = (buf[i + 2] as number) ^ k2;
    const c3 = (buf[i + 3] as number) ^ k3;
    buf[i] = c0;
    buf[i + 1] = c1;
    buf[i + 2] = c2;
    buf[i + 3] = c3;
    seen |= (BYTE_CLASS[c0] as number) | (BYTE_CLASS[c1] as number) | (BYTE_CLASS[c2] as number) | (BYTE_CLASS[c3] as number);
  }
  for (let k = 0; i < end; i++, k++) {
    const c = (buf[i] as number) ^ (k === 0 ? k0 : k === 1 ? k1 : k2);
    buf[i] = c;
    seen |= BYTE_CLASS[c] as number;
  }
  return seen;
}

/** The first `\n` in `buf[from, end)`, or -1 (a byte loop: `indexOf` cannot stop at `end`). */
function indexOfNl(buf: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === 10) return i;
  return -1;
}

/** The whole size of the frame starting at `buf[i]` (header, mask key, payload), or -1 when its header is not all there. */
function frameSize(buf: Buffer, i: number, n: number): number {
  if (n - i < 2) return -1;
  const b1 = buf[i + 1] as number;
  const mask = (b1 & 0x80) !== 0 ? 4 : 0;
  const len = b1 & 0x7f;
  if (len < 126) return 2 + mask + len;
  if (len === 126) return n - i < 4 ? -1 : 4 + mask + buf.readUInt16BE(i + 2);
  // 64-bit length: past 2^53 it is absurd anyway, and stays larger than any `maxFast`.
  return n - i < 10 ? -1 : 10 + mask + buf.readUInt32BE(i + 2) * 4294967296 + buf.readUInt32BE(i + 6);
}

/** Whether ws's receiver takes no more: it ended at a close frame, or refused a frame (both within its write). */
export function receiverDone(receiver: Writable): boolean {
  return receiver.writableEnded || receiver.destroyed || receiver.errored !== null;
}

export interface FrameTakeover {
  /** One line of a whole text frame, as `WsFrameReader` hands it over. */
  text: FrameText;
  /** Every socket read, before its frames are read. */
  onRead?: (chunk: Buffer) => void;
  maxFast: number;
  masked: boolean;
  /** A whole text or binary frame over `maxFast`, dropped unread (see `WsFrameReader`); without it, ws takes such a frame and the rest of the connection. */
  oversized?: (opcode: number) => void;
}

/**
 * From now on, `socket`'s bytes go to a `WsFrameReader` instead of the `ws` WebSocket `ws` that owns
 * the socket: whole text frames to `text`, everything else on to ws's own receiver, as ws's own data
 * listener would have passed it (pausing the socket while the receiver is full). Call it right after
 * the upgrade, before the first read. False, and nothing changed, when `ws` is not the version we know
 * (no `_receiver`, or not exactly one data listener) or is set up differently (deferred events, an
 * extension): then ws reads everything, as it would anyway.
 */
export function takeOverFrames(ws: object, socket: Duplex, how: FrameTakeover): boolean {
  const { _receiver: receiver, extensions } = ws as { _receiver?: Writable & { _allowSynchronousEvents?: boolean }; extensions?: string };
  const listeners = socket.listeners('data');
  if (receiver === undefined || listeners.length !== 1) return false;
  // Frames handed to ws must be done with when `write` returns — its messages, pongs and close read
  // before the next frame here is — which holds only with synchronous events and no extension
  // (permessage-deflate inflates later). Otherwise ws reads everything, as it would anyway.
  if (receiver._allowSynchronousEvents !== true || extensions !== '') return false;
  socket.removeListener('data', listeners[0] as (chunk: Buffer) => void);
  const reader = new WsFrameReader(
    how.text,
    (bytes) => {
      if (receiverDone(receiver)) return false;
      if (!receiver.write(bytes)) socket.pause();
      return !receiverDone(receiver);
    },
    how.maxFast,
    how.masked,
    how.oversized,
  );
  // When the socket closes, ws reads what the socket still buffers straight into its receiver (its
  // socketOnClose). With part of a frame held here, that would start mid-frame — garbage to ws, a
  // close reported as an error. The connection is closing and those bytes are dropped either way:
  // drop them here first.
  socket.prependListener('close', () => {
    if (!reader.holding) return;
    reader.stop();
    while (socket.read() !== null);
  });
  const onRead = how.onRead;
  socket.on(
    'data',
    onRead === undefined
      ? (chunk: Buffer) => reader.push(chunk)
      : (chunk: Buffer) => {
          onRead(chunk);
          reader.push(chunk);
        },
  );
  return true;
}
