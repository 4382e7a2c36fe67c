/**
 * A tick's latency histogram on the /ingest wire: HdrHistogram's standard compressed V2 encoding
 * (hdr-histogram-js `encodeIntoCompressedBase64`: cookie, length, zlib of the LEB128/ZigZag counts),
 * in base64, values in µs. The hub merges these from every load generator, so combined percentiles
 * are those of one histogram of all deliveries, never the worst source's.
 *
 * The decoder is our own rather than `decodeFromCompressedBase64` because that one trusts its input:
 * it inflates without an output limit (a zlib bomb), allocates a counts array sized by the sender's
 * `highestTrackableValue`, and loops over a sender-chosen length. Ours checks every bound before it
 * allocates or adds anything; `test/loadgen/histogram-wire.test.ts` proves it reads what the
 * library writes.
 */
import { inflateSync } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';
import { HIGHEST_US, type Histogram } from './histograms.js';

export const WIRE_LIMITS = {
  /**
   * Base64 characters per histogram. A tick of 2 million deliveries spread over five decades
   * encodes to ~21 500; two of these still fit the hub's 64 KiB frame.
   */
  maxBase64: 28_000,
  /** Inflated bytes: 23 552 counts (1 µs–1 h at 3 digits) of at most 5 bytes each, plus the header. */
  maxInflatedBytes: 128 * 1024,
  /** Per bucket: the hub's histograms hold 32-bit counts. */
  maxCount: 2 ** 31 - 1,
} as const;

/** The only layout accepted: what `newHistogram()` records (µs, 1 µs to 1 h, 3 significant digits). */
const LOWEST = 1;
const DIGITS = 3;
const COMPRESSED_COOKIE_BASE = 0x1c849304;
const COOKIE_BASE = 0x1c849303;
const HEADER_BYTES = 40;

export class HistogramWireError extends Error {
  readonly code = 'HISTOGRAM_INVALID';
}

/** The encoding of `h` for a report; '' when empty. */
export function encodeWire(h: Histogram): string {
  return h.totalCount === 0 ? '' : hdr.encodeIntoCompressedBase64(h);
}

/** A checked histogram: its counts, ready to be added to a histogram of the same layout. */
export class WireHistogram {
  private constructor(readonly totalCount: number, readonly counts: Buffer, readonly countsStart: number, readonly countsEnd: number) {}

  /**
   * Checks every bound, then keeps the inflated counts (at most `maxInflatedBytes`). Throws
   * `HistogramWireError` with one line naming the problem. '' is an empty histogram.
   */
  static decode(base64: string): WireHistogram {
    if (base64.length > WIRE_LIMITS.maxBase64) fail(`is ${base64.length} base64 characters (max ${WIRE_LIMITS.maxBase64})`);
    if (base64 === '') return new WireHistogram(0, Buffer.alloc(0), 0, 0);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) fail('is not base64');
    const raw = Buffer.from(base64, 'base64');
    if (raw.length < 8 || ((raw.readInt32BE(0) & ~0xf0) !== COMPRESSED_COOKIE_BASE)) fail('is not a compressed HdrHistogram (V2 cookie)');
    const deflated = raw.readInt32BE(4);
    if (deflated !== raw.length - 8) fail(`says ${deflated} compressed bytes but holds ${raw.length - 8}`);
    let body: Buffer;
    try {
      // maxOutputLength stops inflating at the limit: a bomb costs 128 KiB, not its claimed size.
      body = inflateSync(raw.subarray(8), { maxOutputLength: WIRE_LIMITS.maxInflatedBytes });
    } catch (err) {
      const code = (err as { code?: string }).code;
      fail(code === 'ERR_BUFFER_TOO_LARGE' ? `inflates to more than ${WIRE_LIMITS.maxInflatedBytes} bytes` : 'does not inflate (bad zlib data)');
    }
    if (body.length < HEADER_BYTES || ((body.readInt32BE(0) & ~0xf0) !== COOKIE_BASE)) fail('has no V2 histogram header');
    const payload = body.readInt32BE(4);
    const digits = body.readInt32BE(12);
    const lowest = readInt64(body, 16);
    const highest = readInt64(body, 24);
    if (digits !== DIGITS || lowest !== LOWEST) {
      fail(`must be µs at ${DIGITS} significant digits from ${LOWEST} (got ${digits} digits from ${lowest})`);
    }
    if (highest < 2 || highest > HIGHEST_US) fail(`highest trackable value ${highest} is outside 2..${HIGHEST_US} µs`);
    if (payload < 0 || payload > body.length - HEADER_BYTES) fail(`says ${payload} payload bytes but holds ${body.length - HEADER_BYTES}`);
    const slots = countsArrayLength(highest);
    const end = HEADER_BYTES + payload;
    let index = 0;
    let total = 0;
    for (let pos = HEADER_BYTES; pos < end;) {
      const [v, next] = readZigZag(body, pos, end);
      pos = next;
      if (v < 0) {
        index += -v;
      } else {
        if (v > WIRE_LIMITS.maxCount) fail(`has a count of ${v} (max ${WIRE_LIMITS.maxCount})`);
        total += v;
        index++;
      }
      if (index > slots) fail(`has counts beyond its ${slots} buckets`);
    }
    return new WireHistogram(total, body, HEADER_BYTES, end);
  }

  /** Adds the counts into `into`, which must be a `newHistogram()` layout (same lowest and digits). */
  addTo(into: Histogram): void {
    const js = into as unknown as hdr.JsHistogram;
    let index = 0;
    for (let pos = this.countsStart; pos < this.countsEnd;) {
      const [v, next] = readZigZag(this.counts, pos, this.countsEnd);
      pos = next;
      if (v < 0) {
        index += -v;
        continue;
      }
      // The top of the bucket, as the library's decoder sets maxValue: the exact value did not travel.
      if (v > 0) into.recordValueWithCount(js.highestEquivalentValue(js.valueFromIndex(index)), v);
      index++;
    }
  }
}

function fail(problem: string): never {
  throw new HistogramWireError(problem);
}

/** Big-endian 64-bit as a Number; the low word unsigned (the library's reader gets this wrong above 2^31). */
function readInt64(b: Buffer, at: number): number {
  return b.readInt32BE(at) * 2 ** 32 + b.readUInt32BE(at + 4);
}

/**
 * One ZigZag LEB128 word. Counts fit 32 bits and zero runs 15, so more than 5 bytes is refused
 * rather than read into imprecise doubles.
 */
function readZigZag(b: Buffer, pos: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) fail('ends inside a count');
    const byte = b[pos++] as number;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return [value % 2 === 0 ? value / 2 : -(value + 1) / 2, pos];
    scale *= 128;
  }
  return fail('has a count wider than 5 bytes');
}

/** Counts-array length of a histogram with our lowest (1) and digits (3) up to `highest` (HdrHistogram's sizing). */
export function countsArrayLength(highest: number): number {
  const subBucketCount = 2048; // 2^ceil(log2(2 * 10^3))
  let smallestUntrackable = subBucketCount;
  let buckets = 1;
  while (smallestUntrackable <= highest) {
    smallestUntrackable *= 2;
    buckets++;
  }
  return (buckets + 1) * (subBucketCount / 2);
}
