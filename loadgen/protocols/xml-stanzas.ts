/**
 * Splits an XMPP stream (RFC 6120 §4) into frames: the stream header `<stream:stream …>` (an element
 * that stays open for the whole connection, so never a whole element), then each of its children —
 * the stanzas and the negotiation elements — whole, then `</stream:stream>` alone. A header that comes
 * while a stream is open is a restart (after SASL): a frame again, and what follows is its children.
 *
 * A byte-level state machine whose state survives chunk boundaries, so a chunk is scanned once even
 * when a stanza spans many: `<` and `>` inside quoted attribute values, self-closing tags, CDATA
 * sections, the XML declaration, comments (which XMPP forbids, skipped anyway). Every delimiter is
 * ASCII and no byte of a multi-byte UTF-8 sequence is, so a character split between chunks is never
 * looked at. Frames are views of the input (copied only when a frame spans chunks); a frame longer
 * than `maxBytes` is reported once and skipped without being buffered.
 */
import type { FrameDecoder, FrameHandlers } from './adapter.js';

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUOT = 0x22;
const APOS = 0x27;
const QMARK = 0x3f;
const BANG = 0x21;
const LSQB = 0x5b;
const RSQB = 0x5d;
const DASH = 0x2d;
const SPACE = 0x20;

// Scanner states.
const TEXT = 0;
/** Just after `<`. */
const OPEN = 1;
/** Inside a start or end tag. */
const TAG = 2;
/** Inside a quoted attribute value. */
const QUOTED = 3;
/** Just after `<!`: CDATA, comment or declaration follows. */
const BANG_OPEN = 4;
/** Inside `<?…?>`, `<![CDATA[…]]>`, `<!--…-->` or `<!…>`: until `#until` ends it. */
const SPECIAL = 5;

const STREAM_TAG = Buffer.from('stream:stream');

export class StanzaDecoder implements FrameDecoder {
  readonly #max: number;
  readonly #h: FrameHandlers;
  /** Bytes of a frame begun in an earlier chunk. */
  #pending: Buffer | undefined;
  #state = TEXT;
  /** Element depth; `#base` is the stanza level (1 inside an open stream, 0 before or after one). */
  #depth = 0;
  #base = 0;
  /** Where the frame being read starts, in the current data (-1: between frames). */
  #frameStart = -1;
  /** Where the tag being read starts (its `<`), in the current data. */
  #tagStart = 0;
  #endTag = false;
  /** The last byte of the tag so far that was not a space was `/`. */
  #slash = false;
  #quote = 0;
  /** How a SPECIAL section ends: `?` (`?>`), `]` (`]]>`), `-` (`-->`) or `>` (`>`). */
  #until = 0;
  #prev1 = 0;
  #prev2 = 0;
  /** The frame being read passed `maxBytes`: its bytes are dropped until it ends. */
  #skipping = false;

  constructor(maxBytes: number, handlers: FrameHandlers) {
    this.#max = maxBytes;
    this.#h = handlers;
  }

  push(chunk: Buffer): void {
    const data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    let i = this.#pending === undefined ? 0 : this.#pending.length;
    this.#pending = undefined;
    for (; i < data.length; i++) {
      const c = data[i] as number;
      switch (this.#state) {
        case TEXT:
          if (c !== LT) continue;
          this.#state = OPEN;
          this.#tagStart = i;
          if (this.#depth === this.#base && !this.#skipping) this.#frameStart = i;
          continue;
        case OPEN:
          if (c === SLASH) this.#beginTag(true);
          else if (c === QMARK) this.#special(QMARK);
          else if (c === BANG) this.#state = BANG_OPEN;
          else this.#beginTag(false);
          continue;
        case BANG_OPEN:
          this.#special(c === LSQB ? RSQB : c === DASH ? DASH : GT);
          continue;
        case QUOTED:
          if (c === this.#quote) this.#state = TAG;
          continue;
        case SPECIAL:
          if (c === GT && this.#specialEnds()) this.#endSpecial();
          this.#prev2 = this.#prev1;
          this.#prev1 = c;
          continue;
        default: // TAG
          if (c === QUOT || c === APOS) {
            this.#quote = c;
            this.#state = QUOTED;
            this.#slash = false;
          } else if (c === GT) {
            this.#tagEnded(data, i);
          } else if (c > SPACE) {
            this.#slash = c === SLASH;
          }
      }
    }
    this.#keep(data);
  }

  #beginTag(end: boolean): void {
    this.#state = TAG;
    this.#endTag = end;
    this.#slash = false;
  }

  #special(until: number): void {
    this.#state = SPECIAL;
    this.#until = until;
    this.#prev1 = this.#prev2 = 0;
  }

  #specialEnds(): boolean {
    const u = this.#until;
    if (u === GT) return true;
    if (u === QMARK) return this.#prev1 === QMARK;
    return this.#prev1 === u && this.#prev2 === u; // `]]>` or `-->`
  }

  /** A declaration, comment or CDATA section ended: at the stanza level it is no frame. */
  #endSpecial(): void {
    this.#state = TEXT;
    if (this.#depth === this.#base) this.#frameStart = -1;
  }

  #tagEnded(data: Buffer, i: number): void {
    this.#state = TEXT;
    if (this.#depth > this.#base) {
      if (this.#endTag) this.#depth--;
      else if (!this.#slash) this.#depth++;
      if (this.#depth === this.#base) this.#emit(data, i + 1);
      return;
    }
    // At the stanza level: a stanza that opens, a whole empty one, the stream's header or its close.
    if (this.#endTag) {
      this.#base = this.#depth = 0;
      return this.#emit(data, i + 1);
    }
    if (this.#slash) return this.#emit(data, i + 1);
    if (!this.#skipping && this.#isStreamHeader(data)) {
      this.#base = this.#depth = 1;
      return this.#emit(data, i + 1);
    }
    this.#depth++;
  }

  #isStreamHeader(data: Buffer): boolean {
    const at = this.#tagStart + 1;
    const end = at + STREAM_TAG.length;
    if (end >= data.length || data.compare(STREAM_TAG, 0, STREAM_TAG.length, at, end) !== 0) return false;
    const next = data[end] as number;
    return next <= SPACE || next === GT;
  }

  #emit(data: Buffer, end: number): void {
    const start = this.#frameStart;
    this.#frameStart = -1;
    if (this.#skipping) {
      this.#skipping = false;
      return;
    }
    if (start < 0) return;
    if (end - start > this.#max) return this.#h.onOverflow();
    this.#h.onLine(data.subarray(start, end));
  }

  /** Keeps the unfinished frame for the next chunk, or starts skipping it if it is already too long. */
  #keep(data: Buffer): void {
    const start = this.#frameStart;
    if (start < 0) return;
    if (data.length - start > this.#max) {
      this.#frameStart = -1;
      this.#skipping = true;
      this.#h.onOverflow();
      return;
    }
    this.#pending = Buffer.from(data.subarray(start));
    this.#tagStart -= start;
    this.#frameStart = 0;
  }
}
