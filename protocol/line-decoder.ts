import { isUtf8 } from 'node:buffer';
import { findControl } from './controls.js';

/**
 * Splits a byte stream into lines without ever decoding a partial line.
 *
 * Works on bytes: `\n` (0x0A) never occurs inside a multi-byte UTF-8 sequence, so a character split
 * across two TCP chunks is reassembled before anyone decodes it. A line longer than `maxLine` is
 * refused as soon as the buffered part passes the limit, so a 1 GB line is never buffered.
 *
 * For the same reason, if the bytes between a chunk's first and last `\n` are valid UTF-8, so is every
 * line in between: one check per read instead of one per line (a short line's check is mostly call
 * overhead). The same read-wide pass looks for control characters (protocol/controls.ts). Lines known
 * to be valid UTF-8 and free of controls arrive with `checked` true; the others the receiver checks.
 */
export interface LineDecoderHandlers {
  /**
   * A complete line without its `\n` (and without a `\r` before it). Valid only during the call.
   * `checked`: the line is known to be valid UTF-8 with no control character but tab.
   */
  onLine(line: Buffer, checked: boolean): void;
  /**
   * Optional, and then called instead of `onLine`: the line is `buf[start, end)`. A receiver that reads
   * bytes where they lie saves the view `onLine` needs — on a load generator's receive path, one
   * Buffer per delivery was ~7 % of a saturated worker (the view, and the garbage it leaves).
   */
  onLineAt?(buf: Buffer, start: number, end: number, checked: boolean): void;
  /** A line passed `maxLine` bytes; its bytes up to the next `\n` are discarded. */
  onOverflow(): void;
}

export class LineDecoder {
  #parts: Buffer[] = [];
  #partBytes = 0;
  #discarding = false;
  readonly #maxLine: number;
  readonly #handlers: LineDecoderHandlers;

  readonly #checkUtf8: boolean;
  readonly #ranges: boolean;

  /** `checkUtf8`: pre-check each read's inner lines for UTF-8 and controls (the server); readers that never look skip it. */
  constructor(maxLine: number, handlers: LineDecoderHandlers, checkUtf8 = false) {
    this.#checkUtf8 = checkUtf8;
    this.#maxLine = maxLine;
    this.#handlers = handlers;
    this.#ranges = handlers.onLineAt !== undefined;
  }

  /** Whether part of a line has arrived without its `\n` (held, or being discarded as too long). */
  get midLine(): boolean {
    return this.#partBytes > 0 || this.#discarding;
  }

  /** Bytes held for an unfinished line. */
  get pendingBytes(): number {
    return this.#partBytes;
  }

  /**
   * `endsLine`: the chunk ends a line as if a `\n` followed (a WebSocket text frame is one line). The
   * line is handed over as a view, where pushing a separate `\n` would copy the frame and then concat
   * it. An empty chunk that ends a line is an empty line. `from`, `to`: only `chunk[from, to)` is input
   * (a frame where it lies in a bigger read).
   */
  push(chunk: Buffer, endsLine = false, from = 0, to = chunk.length): void {
    let start = from;
    const length = to;
    let firstNl = -1;
    let lastNl = -1;
    let innerValid = false;
    if (this.#checkUtf8) {
      firstNl = indexOfNl(chunk, from, to);
      lastNl = firstNl === -1 ? -1 : chunk.lastIndexOf(10, to - 1);
      // Lines that start after the first `\n` and end by the last one (that `\n` included, so that a
      // `\r` before it is seen as a line ending, not as a control character).
      innerValid = lastNl > firstNl && isUtf8(chunk.subarray(firstNl + 1, lastNl)) && findControl(chunk, firstNl + 1, lastNl + 1) === -1;
    }
    while (start < length || (endsLine && start === from)) {
      let nl = indexOfNl(chunk, start, length);
      if (nl === -1) {
        if (!endsLine) return this.#keepPartial(chunk, start, length);
        nl = length;
      }
      if (this.#discarding) {
        this.#discarding = false;
        start = nl + 1;
        continue;
      }
      // Checked: it starts after the read's first `\n` and ends at one by its last (not a frame's end).
      const checked = innerValid && start > firstNl && nl <= lastNl;
      if (this.#partBytes === 0) {
        let end = nl;
        if (end > start && chunk[end - 1] === 13) end--;
        const lineStart = start;
        start = nl + 1;
        if (end - lineStart > this.#maxLine) this.#handlers.onOverflow();
        else if (this.#ranges) (this.#handlers as Required<LineDecoderHandlers>).onLineAt(chunk, lineStart, end, checked);
        else this.#handlers.onLine(chunk.subarray(lineStart, end), checked);
        continue;
      }
      this.#parts.push(chunk.subarray(start, nl));
      let line = Buffer.concat(this.#parts, this.#partBytes + (nl - start));
      this.#parts = [];
      this.#partBytes = 0;
      start = nl + 1;
      if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
      if (line.length > this.#maxLine) this.#handlers.onOverflow();
      else if (this.#ranges) (this.#handlers as Required<LineDecoderHandlers>).onLineAt(line, 0, line.length, checked);
      else this.#handlers.onLine(line, checked);
    }
  }

  /**
   * `buf[start, end)` is one whole line, known to hold no `\n` (a WebSocket reader split it already):
   * handed over as `push(…, true, start, end)` would, without looking for a `\n` in it again.
   */
  pushLine(buf: Buffer, start: number, end: number): void {
    if (this.#partBytes > 0 || this.#discarding || this.#checkUtf8) return this.push(buf, true, start, end);
    if (end > start && buf[end - 1] === 13) end--;
    if (end - start > this.#maxLine) this.#handlers.onOverflow();
    else if (this.#ranges) (this.#handlers as Required<LineDecoderHandlers>).onLineAt(buf, start, end, false);
    else this.#handlers.onLine(buf.subarray(start, end), false);
  }

  #keepPartial(chunk: Buffer, start: number, end: number): void {
    if (this.#discarding) return;
    const rest = end - start;
    // One extra byte of room: the line may still end in `\r\n`, and the `\r` is not content.
    if (this.#partBytes + rest > this.#maxLine + 1) {
      this.#parts = [];
      this.#partBytes = 0;
      this.#discarding = true;
      this.#handlers.onOverflow();
      return;
    }
    // Copy: keeping a view would pin the socket's whole pooled chunk while the line is unfinished.
    this.#parts.push(Buffer.from(chunk.subarray(start, end)));
    this.#partBytes += rest;
  }
}

/**
 * The first `\n` in `buf[from, to)`, or -1. `Buffer#indexOf` cannot stop at `to`: inside a bigger
 * read (a WebSocket frame, a line with no `\n`) it would scan the whole rest of the read per line.
 */
function indexOfNl(buf: Buffer, from: number, to: number): number {
  if (to === buf.length) return buf.indexOf(10, from);
  for (let i = from; i < to; i++) if (buf[i] === 10) return i;
  return -1;
}
