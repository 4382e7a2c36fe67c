/**
 * HdrHistogram helpers. Latencies are recorded in microseconds (1 µs to 1 h, 3 significant
 * digits) and cross threads as compressed base64; merging is `add`, never averaging percentiles.
 */
import * as hdr from 'hdr-histogram-js';
import type { Percentiles } from './report.js';

export type Histogram = hdr.Histogram;

/** 1 hour in µs: the top of every latency histogram (and of what /ingest accepts). */
export const HIGHEST_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

/** Records `us`, clamped into the trackable range (a negative value means clock trouble: 0). */
export function recordUs(h: Histogram, us: number): void {
  h.recordValue(us <= 0 ? 0 : us >= HIGHEST_US ? HIGHEST_US : Math.round(us));
}

/** '' for an empty histogram, so idle ticks cost nothing to ship. */
export function encodeHistogram(h: Histogram): string {
  return h.totalCount === 0 ? '' : hdr.encodeIntoCompressedBase64(h);
}

/** Adds an encoded histogram into `into`. */
export function addEncoded(into: Histogram, encoded: string): void {
  if (encoded === '') return;
  const h = hdr.decodeFromCompressedBase64(encoded, 32, false);
  into.add(h);
  h.destroy();
}

/** Percentiles in milliseconds (the unit of every output). */
export function percentilesMs(h: Histogram): Percentiles {
  const ms = (p: number) => round3(h.getValueAtPercentile(p) / 1000);
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, count: 0 };
  return { p50: ms(50), p90: ms(90), p99: ms(99), p999: ms(99.9), max: round3(h.maxValue / 1000), count: h.totalCount };
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * Cumulative counts at or below each bound (µs, ascending), for a Prometheus histogram made at
 * scrape time from the run's HdrHistogram rather than by observing every delivery twice.
 */
export function cumulativeCounts(h: Histogram, boundsUs: readonly number[]): number[] {
  const js = h as unknown as hdr.JsHistogram;
  const out: number[] = [];
  let index = 0;
  let sum = 0;
  const last = js.countsArrayIndex(Math.min(h.maxValue, HIGHEST_US));
  for (const b of boundsUs) {
    const upTo = Math.min(last, js.countsArrayIndex(Math.min(b, HIGHEST_US)));
    for (; index <= upTo; index++) sum += js.getCountAtIndex(index);
    out.push(b >= h.maxValue ? h.totalCount : sum);
  }
  return out;
}
