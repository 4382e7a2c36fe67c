/**
 * The receive path's recorder against hdr-histogram-js itself: the same values recorded one by one
 * into a real histogram and through LatencyRecorder give the same buckets (the same encoding), the
 * same min, max and percentiles.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as hdr from 'hdr-histogram-js';
import { HIGHEST_US, newHistogram, recordUs } from '../../loadgen/histograms.js';
import { countsIndex, LatencyRecorder, valueAtIndex } from '../../loadgen/latency-recorder.js';
import { Prng } from '../../loadgen/prng.js';

function both(values: number[]): [hdr.Histogram, hdr.Histogram] {
  const direct = newHistogram();
  const viaRecorder = newHistogram();
  const r = new LatencyRecorder();
  for (const v of values) {
    recordUs(direct, v);
    r.record(v);
  }
  assert.is(r.totalCount, values.length);
  r.drainInto(viaRecorder);
  assert.is(r.totalCount, 0, 'drained');
  return [direct, viaRecorder];
}

function same(values: number[], what: string): void {
  const [a, b] = both(values);
  assert.is(hdr.encodeIntoCompressedBase64(b), hdr.encodeIntoCompressedBase64(a), `${what}: same buckets`);
  assert.is(b.totalCount, a.totalCount, what);
  assert.is(b.maxValue, a.maxValue, `${what}: max`);
  assert.is(b.minNonZeroValue, a.minNonZeroValue, `${what}: min`);
  for (const p of [0, 50, 90, 99, 99.9, 99.99, 100]) assert.is(b.getValueAtPercentile(p), a.getValueAtPercentile(p), `${what}: p${p}`);
}

test('every bucket boundary and the clamps: the index is HdrHistogram\'s', () => {
  const h = newHistogram() as unknown as { countsArrayIndex(v: number): number };
  const edges = [0, 1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 65_535, 65_536, 1_000_000, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 5, HIGHEST_US];
  for (const v of edges) {
    assert.is(countsIndex(v), h.countsArrayIndex(v), `index of ${v}`);
    assert.is(countsIndex(valueAtIndex(countsIndex(v))), countsIndex(v), `${v}'s bucket maps back to itself`);
  }
  same([-5, 0, 0.4, HIGHEST_US + 10, HIGHEST_US * 2], 'negative, fractional and over-range values clamp as recordUs clamps them');
});

test('random latencies over every decade, and a tick drained twice', () => {
  const prng = new Prng(7);
  const rand = () => prng.next();
  const values = Array.from({ length: 50_000 }, () => Math.round(10 ** (rand() * 9.5)));
  same(values, 'random');
  same(Array(1000).fill(1500), 'one value only');
  const r = new LatencyRecorder();
  const h = newHistogram();
  r.record(100);
  r.drainInto(h);
  r.record(5_000_000);
  r.drainInto(h);
  assert.equal([h.totalCount, h.minNonZeroValue, h.maxValue], [2, 100, 5_000_000], 'a second tick adds to what the first left');
});

test.run();
