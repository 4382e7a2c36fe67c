/**
 * What a load message carries in its text, so that the server stays protocol-agnostic:
 * `~TAG.GID.SEQ.INTENDED.WRITTEN~` then padding up to `--size` bytes.
 *
 * - TAG: the run's (`run-identity.ts`): a receiver reads only its own run's messages, so a second run
 *   in the same rooms, numbered like this one, is not taken for duplicates of it,
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
export function encodePayload(tag: string, gid: number, seq: number, intendedMs: number, writtenMs: number, size: number): string {
  const head = `~${tag}.${gid}.${seq}.${Math.round(intendedMs * 1000)}.${Math.round(writtenMs * 1000)}~`;
  const pad = size - head.length;
  return pad > 0 ? head + PAD.slice(0, Math.min(pad, PAD.length)) : head;
}

const TILDE = 126;
const DOT = 46;

/** The bytes of a run's tag, as the decoders compare them (`run-identity.ts`). */
export function tagBytes(tag: string): Buffer {
  return Buffer.from(tag, 'latin1');
}

/**
 * Reads a payload of the run tagged `tag` (`tagBytes`) from `buf[start, end)` into `out` (reused: no
 * allocation per line). Returns false when the bytes there are not one of its load messages (a human
 * typing in the room, say, or another run's).
 */
export function decodePayload(buf: Buffer, start: number, out: Payload, tag: Uint8Array, end = buf.length): boolean {
  const at = decodePayloadHead(buf, start, out, end, tag);
  return at >= 0 && decodePayloadTimes(buf, at, out, end) >= 0;
}

/**
 * The payload's identity only: `~TAG.GID.SEQ.` into `out.gid`, `out.seq`; returns where INTENDED
 * starts, or -1 (also for another run's tag). A receiver that has read this message's times before
 * (every member of a room gets the same bytes) need not read its 32 digits of times again: they were
 * most of the receive path's parsing.
 */
export function decodePayloadHead(buf: Buffer, start: number, out: Payload, end: number, tag: Uint8Array): number {
  const n = tag.length;
  if (end - start < n + 2 || buf[start] !== TILDE || buf[start + n + 1] !== DOT) return -1;
  for (let k = 0; k < n; k++) if (buf[start + 1 + k] !== tag[k]) return -1;
  // Once per delivery: the two fields are read here, not through readField, which the optimizer left
  // as a call (~7 % of a busy worker, perf). The same rules: 1–16 digits, then a dot.
  let i = start + n + 2;
  let from = i;
  let gid = 0;
  let c = 0;
  for (; i < end; i++) {
    c = buf[i] as number;
    if (c < 48 || c > 57) break;
    gid = gid * 10 + (c - 48);
  }
  if (i === from || i - from > 16 || i === end || c !== DOT) return -1;
  from = ++i;
  let seq = 0;
  for (; i < end; i++) {
    c = buf[i] as number;
    if (c < 48 || c > 57) break;
    seq = seq * 10 + (c - 48);
  }
  if (i === from || i - from > 16 || i === end || c !== DOT) return -1;
  out.gid = gid;
  out.seq = seq;
  return i + 1;
}

/** `INTENDED.WRITTEN~` from `at` into `out`: returns where it ended (after the `~`), or -1 when the bytes there are not that. */
export function decodePayloadTimes(buf: Buffer, at: number, out: Payload, end: number): number {
  let i = readField(buf, at, end, DOT);
  if (i < 0) return -1;
  out.intendedUs = fieldValue;
  i = readField(buf, i, end, TILDE);
  if (i < 0) return -1;
  out.writtenUs = fieldValue;
  return i;
}

/** The value `readField` read last (a second return value without an allocation). */
let fieldValue = 0;

/**
 * 1–16 digits from `i`, then `stop`: returns the index after `stop` and leaves the value in
 * `fieldValue`, or -1. At most 16 digits: epoch µs have 16 and stay exact (a hostile value above 2^53
 * does not, as before).
 */
function readField(buf: Buffer, i: number, end: number, stop: number): number {
  const from = i;
  let value = 0;
  let c = 0;
  while (i < end) {
    c = buf[i] as number;
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  if (i === from || i - from > 16 || i === end || c !== stop) return -1;
  fieldValue = value;
  return i + 1;
}

export function newPayload(): Payload {
  return { gid: 0, seq: 0, intendedUs: 0, writtenUs: 0 };
}
