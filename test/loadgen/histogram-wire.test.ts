import { deflateSync } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countsArrayLength, HistogramWireError, newHistogram, WIRE_LIMITS, WireHistogram } from '../../loadgen/index.js';

const LAYOUT = { lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 } as const;

function libraryHistogram(values: readonly number[], layout: Partial<hdr.BuildRequest> = {}): hdr.JsHistogram {
  const h = hdr.build({ ...LAYOUT, ...layout }) as hdr.JsHistogram;
  for (const v of values) h.recordValue(v);
  return h;
}

/** A compressed V2 histogram around hand-made counts bytes (to make what the library would never write). */
function handMade(countsBytes: number[], header: { digits?: number; lowest?: number; highest?: number; payload?: number } = {}): string {
  const body = Buffer.alloc(40 + countsBytes.length);
  body.writeInt32BE(0x1c849313, 0);
  body.writeInt32BE(header.payload ?? countsBytes.length, 4);
  body.writeInt32BE(0, 8);
  body.writeInt32BE(header.digits ?? 3, 12);
  const int64 = (v: number, at: number) => {
    body.writeUInt32BE(Math.floor(v / 2 ** 32), at);
    body.writeUInt32BE(v % 2 ** 32, at + 4);
  };
  int64(header.lowest ?? 1, 16);
  int64(header.highest ?? 3_600_000_000, 24);
  int64(1, 32);
  Buffer.from(countsBytes).copy(body, 40);
  return compressed(body);
}

function compressed(body: Buffer): string {
  const z = deflateSync(body);
  const head = Buffer.alloc(8);
  head.writeInt32BE(0x1c849314, 0);
  head.writeInt32BE(z.length, 4);
  return Buffer.concat([head, z]).toString('base64');
}

function refused(b64: string, why: RegExp): void {
  try {
    WireHistogram.decode(b64);
  } catch (err) {
    assert.instance(err, HistogramWireError);
    assert.match((err as Error).message, why);
    return;
  }
  assert.unreachable(`accepted; expected ${why}`);
}

test('reads exactly what hdr-histogram-js writes: every bucket, the total and the max agree with the library\'s own decoder', () => {
  const values = [0, 1, 2, 999, 2048, 2049, 123_456, 1_500_000, 3_599_999_999];
  for (let i = 0; i < 5000; i++) values.push(Math.round(Math.exp(3 + (i % 97) / 8)));
  const b64 = hdr.encodeIntoCompressedBase64(libraryHistogram(values));
  const ours = newHistogram() as hdr.JsHistogram;
  const decoded = WireHistogram.decode(b64);
  decoded.addTo(ours);
  const theirs = hdr.decodeFromCompressedBase64(b64, 32, false) as hdr.JsHistogram;
  assert.is(decoded.totalCount, values.length);
  assert.is(ours.totalCount, theirs.totalCount);
  assert.is(ours.maxValue, theirs.maxValue);
  for (let i = 0; i < ours.countsArrayLength; i++) {
    if (ours.getCountAtIndex(i) !== theirs.getCountAtIndex(i)) assert.unreachable(`bucket ${i}: ${ours.getCountAtIndex(i)} vs ${theirs.getCountAtIndex(i)}`);
  }
  for (const p of [50, 90, 99, 99.9]) assert.is(ours.getValueAtPercentile(p), theirs.getValueAtPercentile(p), `p${p}`);
  assert.is(WireHistogram.decode('').totalCount, 0, "'' is an empty histogram");
});

test('bucket count bound: the same as the library sizes it', () => {
  for (const highest of [2, 1000, 2047, 2048, 4096, 1_000_000, 3_600_000_000]) {
    assert.is(countsArrayLength(highest), libraryHistogram([], { highestTrackableValue: highest }).countsArrayLength, `highest ${highest}`);
  }
});

test('hostile histograms are refused with one line naming the problem, before anything is allocated or added', () => {
  refused('A'.repeat(WIRE_LIMITS.maxBase64 + 4), /^is 28004 base64 characters \(max 28000\)$/);
  refused('not base64!', /^is not base64$/);
  refused(Buffer.from('hello world, not a histogram').toString('base64'), /^is not a compressed HdrHistogram/);
  // A zlib bomb: 16 MiB of zeros in ~22 000 characters. Inflating stops at the limit.
  refused(compressed(Buffer.alloc(16 * 1024 * 1024)), /^inflates to more than 131072 bytes$/);
  const good = hdr.encodeIntoCompressedBase64(libraryHistogram([5, 6, 7]));
  const raw = Buffer.from(good, 'base64');
  raw.writeInt32BE(raw.readInt32BE(4) + 1000, 4);
  refused(raw.toString('base64'), /^says \d+ compressed bytes but holds \d+$/);
  const garbled = Buffer.from(good, 'base64');
  garbled.fill(0x55, 8);
  refused(garbled.toString('base64'), /^does not inflate/);
  // Absurd ranges and layouts: a counts array sized by the sender is what they would buy.
  refused(hdr.encodeIntoCompressedBase64(libraryHistogram([5], { highestTrackableValue: 2 ** 50 })), /^highest trackable value 1125899906842624 is outside 2\.\.3600000000 µs$/);
  refused(hdr.encodeIntoCompressedBase64(libraryHistogram([5], { numberOfSignificantValueDigits: 5 })), /^must be µs at 3 significant digits from 1 \(got 5 digits from 1\)$/);
  refused(hdr.encodeIntoCompressedBase64(libraryHistogram([5000], { lowestDiscernibleValue: 1000 })), /got 3 digits from 1000/);
  // Counts: a zero run far past the last bucket (the library would loop over it), a count wider than 32 bits, a truncated word.
  refused(handMade([0xff, 0xff, 0xff, 0x0f, 0x02]), /^has counts beyond its 23552 buckets$/);
  refused(handMade([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), /^has a count wider than 5 bytes$/);
  refused(handMade([0x80, 0x80, 0x80, 0x80, 0x10]), /^has a count of 2147483648 \(max 2147483647\)$/);
  refused(handMade([0x80]), /^ends inside a count$/);
  refused(handMade([0x02], { payload: 50 }), /^says 50 payload bytes but holds 1$/);
  refused(handMade([0x02], { highest: 1 }), /^highest trackable value 1 is outside/);
  const ok = WireHistogram.decode(handMade([0x00, 0x06])); // index 0: none, index 1: three
  const into = newHistogram();
  ok.addTo(into);
  assert.equal([ok.totalCount, into.totalCount, into.maxValue], [3, 3, 1], 'a hand-made one within the bounds is read');
});

test.run();
