/**
 * What a load message carries in its text, so that the server stays protocol-agnostic:
 * `~GID.SEQ.INTENDED.WRITTEN~` then padding up to `--size` bytes.
 *
 * - GID: the sender's client index (unique in the run), SEQ: its message number (1, 2, 3…),
 * - INTENDED: when the schedule wanted it sent, WRITTEN: when it was actually written to the socket,
 *   both epoch microseconds (see clock.ts). Receivers measure corrected latency from INTENDED and
 *   uncorrected latency from WRITTEN.
 */
export interface Payload {
  gid: number;
  seq: number;
  intendedUs: number;
  writtenUs: number;
}

const PAD = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(128);

/** Builds the message text. `size` is the text length to aim for (the header is never cut). */
export function encodePayload(gid: number, seq: number, intendedMs: number, writtenMs: number, size: number): string {
  const head = `~${gid}.${seq}.${Math.round(intendedMs * 1000)}.${Math.round(writtenMs * 1000)}~`;
  const pad = size - head.length;
  return pad > 0 ? head + PAD.slice(0, Math.min(pad, PAD.length)) : head;
}

const TILDE = 126;
const DOT = 46;

/**
 * Reads a payload from `buf[start, end)` into `out` (reused: no allocation per line). Returns false
 * when the bytes there are not a load message (a human typing in the room, say). Once per delivery:
 * each field is read by a tight digit loop and checked once at its end, not byte by byte.
 */
export function decodePayload(buf: Buffer, start: number, out: Payload, end = buf.length): boolean {
  if (start >= end || buf[start] !== TILDE) return false;
  let i = start + 1;
  for (let field = 0; field < 4; field++) {
    const from = i;
    let value = 0;
    let c = 0;
    while (i < end) {
      c = buf[i] as number;
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i++;
    }
    // At most 16 digits: every value stays an exact integer (epoch µs have 16).
    if (i === from || i - from > 16 || i === end || c !== (field === 3 ? TILDE : DOT)) return false;
    i++;
    if (field === 0) out.gid = value;
    else if (field === 1) out.seq = value;
    else if (field === 2) out.intendedUs = value;
    else out.writtenUs = value;
  }
  return true;
}

export function newPayload(): Payload {
  return { gid: 0, seq: 0, intendedUs: 0, writtenUs: 0 };
}
