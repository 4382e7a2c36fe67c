/**
 * Client text frames (RFC 6455 §5.2–5.3: FIN, opcode 1, masked with a fresh random key) for lines the
 * load generator sends over a WebSocket, all the lines of one write built into one buffer for one
 * socket write. `ws.send` takes a Buffer, a header, a mask and a corked two-part write per message:
 * ~11 % of a saturated worker on `/chat/ws` (profile), where this is one encode and one write.
 */
import { randomFillSync } from 'node:crypto';

/** Mask keys come from a pool of random bytes refilled 8 KiB at a time, as ws does. */
const POOL_BYTES = 8192;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;

/**
 * One masked text frame per line of `text`, in one buffer: split at each `\n`, a `\n` at the very end
 * ending the last line (`a\n` is one frame, `\n` one empty frame, '' none) — as ws.send per line did.
 */
export function maskedTextFrames(text: string): Buffer {
  const src = Buffer.from(text, 'utf8');
  let size = 0;
  forEachLine(src, (start, end) => {
    size += headerSize(end - start) + (end - start);
  });
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  forEachLine(src, (start, end) => {
    o = writeFrame(out, o, src, start, end);
  });
  return out;
}

function forEachLine(src: Buffer, fn: (start: number, end: number) => void): void {
  let start = 0;
  for (let nl = src.indexOf(10); nl !== -1; nl = src.indexOf(10, start)) {
    fn(start, nl);
    start = nl + 1;
  }
  if (start < src.length) fn(start, src.length);
}

/** Header and mask key of a masked frame with `n` payload bytes. */
function headerSize(n: number): number {
  return (n < 126 ? 2 : n < 65536 ? 4 : 10) + 4;
}

function writeFrame(out: Buffer, o: number, src: Buffer, start: number, end: number): number {
  const n = end - start;
  out[o++] = 0x81;
  if (n < 126) {
    out[o++] = 0x80 | n;
  } else if (n < 65536) {
    out[o++] = 0x80 | 126;
    out.writeUInt16BE(n, o);
    o += 2;
  } else {
    out[o++] = 0x80 | 127;
    out.writeUInt32BE(0, o);
    out.writeUInt32BE(n, o + 4);
    o += 8;
  }
  if (poolAt + 4 > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const k0 = pool[poolAt] as number;
  const k1 = pool[poolAt + 1] as number;
  const k2 = pool[poolAt + 2] as number;
  const k3 = pool[poolAt + 3] as number;
  poolAt += 4;
  out[o] = k0;
  out[o + 1] = k1;
  out[o + 2] = k2;
  out[o + 3] = k3;
  o += 4;
  let i = start;
  for (; i + 3 < end; i += 4, o += 4) {
    out[o] = (src[i] as number) ^ k0;
    out[o + 1] = (src[i + 1] as number) ^ k1;
    out[o + 2] = (src[i + 2] as number) ^ k2;
    out[o + 3] = (src[i + 3] as number) ^ k3;
  }
  // The last 0–3 bytes: their key bytes are still in the pool, just behind `poolAt`.
  for (let j = poolAt - 4; i < end; i++, j++, o++) out[o] = (src[i] as number) ^ (pool[j] as number);
  return o;
}
