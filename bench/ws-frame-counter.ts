/**
 * The bench driver's receive path for WebSocket (bench scenario 9): counts the frames a server sends
 * by walking their headers only — no payload copy, no decode, no allocation per frame — so that the
 * driver, on the same 2 cores as the server, is not what limits the figure. Works across chunks: a
 * header may be split anywhere (it is gathered in a 10-byte scratch buffer), a payload is skipped.
 *
 * Two extras, both byte compares as the payload streams past: frames whose payload starts with
 * `ackPrefix` are counted apart (a sender's own echo, the closed loop's ack), and the first payload
 * byte of every frame is kept, so a 1-byte Engine.IO ping (`2`) can be answered.
 */
export class FrameCounter {
  /** Complete data frames (text, binary or continuation) so far. */
  frames = 0;
  /** Complete frames whose payload began with `ackPrefix`. */
  acks = 0;
  readonly #ackPrefix: Uint8Array | null;
  readonly #onSmallFrame: ((firstByte: number) => void) | null;
  readonly #header = new Uint8Array(14);
  #headerHave = 0;
  /** Payload bytes of the current frame still to skip; -1 while reading a header. */
  #left = -1;
  #length = 0;
  #opcode = 0;
  /** Bytes of `ackPrefix` matched so far in the current payload; -1 once it cannot match. */
  #matched = -1;
  #first = -1;

  /**
   * @param ackPrefix count frames starting with these bytes in `acks` (none by default)
   * @param onSmallFrame called with the payload byte of every complete 1-byte data frame (pings)
   */
  constructor(ackPrefix?: Uint8Array, onSmallFrame?: (firstByte: number) => void) {
    this.#ackPrefix = ackPrefix && ackPrefix.length > 0 ? ackPrefix : null;
    this.#onSmallFrame = onSmallFrame ?? null;
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.#left < 0) {
        i = this.#readHeader(chunk, i);
        if (this.#left < 0) return; // the header goes on in the next chunk
        if (this.#left === 0) this.#done();
        continue;
      }
      const take = Math.min(this.#left, n - i);
      if (this.#first < 0) this.#first = chunk[i] as number;
      const prefix = this.#ackPrefix;
      if (prefix !== null && this.#matched >= 0) {
        let m = this.#matched;
        const end = i + Math.min(take, prefix.length - m);
        for (let k = i; k < end; k++, m++) {
          if (chunk[k] !== prefix[m]) { m = -1; break; }
        }
        this.#matched = m;
      }
      i += take;
      this.#left -= take;
      if (this.#left === 0) this.#done();
    }
  }

  /** Reads header bytes from `chunk` at `i`; returns the new offset. Sets `#left` once complete. */
  #readHeader(chunk: Uint8Array, i: number): number {
    const h = this.#header;
    const n = chunk.length;
    // Fast path: a whole 2-byte header, unmasked, in this chunk (nearly every frame of a fan-out).
    if (this.#headerHave === 0 && n - i >= 2 && ((chunk[i + 1] as number) & 0xff) < 126) {
      this.#start((chunk[i] as number) & 0x0f, chunk[i + 1] as number);
      return i + 2;
    }
    while (i < n) {
      h[this.#headerHave++] = chunk[i++] as number;
      if (this.#headerHave < 2) continue;
      const b1 = h[1] as number;
      const len7 = b1 & 0x7f;
      const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
      if (this.#headerHave < need) continue;
      // 64-bit lengths: the high word is taken as 0 (a bench frame is never 4 GiB).
      const length = len7 === 126 ? ((h[2] as number) << 8) | (h[3] as number)
        : len7 === 127 ? (((h[6] as number) << 24) >>> 0) + ((h[7] as number) << 16) + ((h[8] as number) << 8) + (h[9] as number)
          : len7;
      this.#headerHave = 0;
      this.#start((h[0] as number) & 0x0f, length);
      return i;
    }
    return i;
  }

  #start(opcode: number, length: number): void {
    this.#opcode = opcode;
    this.#length = length;
    this.#left = length;
    this.#first = -1;
    this.#matched = this.#ackPrefix !== null && opcode === 1 ? 0 : -1;
  }

  #done(): void {
    this.#left = -1;
    if (this.#opcode >= 8) return; // close, ping, pong: not deliveries
    this.frames++;
    if (this.#ackPrefix !== null && this.#matched === this.#ackPrefix.length) this.acks++;
    if (this.#length === 1 && this.#onSmallFrame !== null) this.#onSmallFrame(this.#first);
  }
}
