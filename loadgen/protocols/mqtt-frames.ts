/**
 * Splits a byte stream into whole MQTT control packets (fixed header, remaining length as a 1-4 byte
 * varint, then that many bytes). A packet wholly inside a chunk is handed on as a view of the chunk,
 * without a copy; only a packet cut by a chunk boundary is gathered into a buffer of its own. A packet
 * longer than `maxBytes` is refused from its header, before its bytes are buffered, and skipped.
 *
 * mqtt-packet's own `parser()` would frame too, but it decodes every packet into an object and keeps
 * its input in a BufferList, so a PUBLISH's payload would no longer be an offset in one Buffer — the
 * inbox reads the load header in place at `textStart`.
 */
import type { FrameDecoder, FrameHandlers } from './adapter.js';

const EMPTY = Buffer.alloc(0);

/** Header length (1 + varint bytes) and remaining length of the packet at `at`; 0 = incomplete, -1 = malformed. */
export function packetHeader(buf: Buffer, at: number): { headerBytes: number; bodyBytes: number } | 0 | -1 {
  let value = 0;
  let mul = 1;
  for (let k = 1; k <= 4; k++) {
    if (at + k >= buf.length) return 0;
    const b = buf[at + k] as number;
    value += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return { headerBytes: 1 + k, bodyBytes: value };
    mul *= 128;
  }
  return -1;
}

export class MqttFrameDecoder implements FrameDecoder {
  readonly #max: number;
  readonly #h: FrameHandlers;
  /** The start of a packet that the last chunk cut. */
  #rest: Buffer = EMPTY;
  /** Bytes of a refused (oversized) packet still to come and be dropped. */
  #skip = 0;
  /** A malformed length: nothing after it can be framed again on this connection. */
  #broken = false;

  /** `maxBytes`: the largest packet accepted (header included). */
  constructor(maxBytes: number, handlers: FrameHandlers) {
    this.#max = maxBytes;
    this.#h = handlers;
  }

  push(chunk: Buffer): void {
    if (this.#broken) return;
    let data = chunk;
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, data.length);
      this.#skip -= n;
      data = data.subarray(n);
    }
    if (this.#rest.length > 0) {
      data = Buffer.concat([this.#rest, data]);
      this.#rest = EMPTY;
    }
    let i = 0;
    while (i < data.length) {
      const h = packetHeader(data, i);
      if (h === 0) break;
      if (h === -1) {
        this.#broken = true;
        return this.#h.onOverflow();
      }
      const size = h.headerBytes + h.bodyBytes;
      if (size > this.#max) {
        this.#h.onOverflow();
        const here = Math.min(size, data.length - i);
        this.#skip = size - here;
        i += here;
        continue;
      }
      if (i + size > data.length) break;
      this.#h.onLine(data.subarray(i, i + size));
      i += size;
    }
    // Copied: the caller may reuse its chunk once push returns.
    if (i < data.length) this.#rest = Buffer.from(data.subarray(i));
  }
}
