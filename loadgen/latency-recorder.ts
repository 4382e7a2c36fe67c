/**
 * The receive path's latency recording: counts in HdrHistogram's own bucket layout (µs, 1 µs to 1 h,
 * 3 significant digits — the layout `newHistogram()` builds), indexed with one `Math.clz32` and a
 * shift instead of hdr-histogram-js's `log2`/`pow`/`floor` per value (~14 % of a saturated worker,
 * by profile). Once per tick the counts go into a real histogram (`drainInto`): every value lands in
 * the bucket HdrHistogram itself would have put it in, and the smallest and largest are recorded as
 * they were, so percentiles, min and max are exactly what recording each value there would give.
 */
import { HIGHEST_US, type Histogram } from './histograms.js';

/** 2 × 10^3 → 2048 sub-buckets; half of them (1024) per bucket above the first. */
const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
/** Buckets up to HIGHEST_US (< 2^32): index of the last one + 1, times 1024, plus the first's extra half. */
const COUNTS = (32 - SUB_BUCKET_HALF_MAGNITUDE) * SUB_BUCKET_HALF + SUB_BUCKET_HALF;

/** The counts index of `v` (an integer 0 … 2^32 − 1), as HdrHistogram's `countsArrayIndex`. */
export function countsIndex(v: number): number {
  // floor(log2 v) − 10, at least 0: bucket 0 holds 0 … 2047 at full precision.
  const bucket = v < 2 * SUB_BUCKET_HALF ? 0 : 21 - Math.clz32(v);
  return (bucket << SUB_BUCKET_HALF_MAGNITUDE) + (v >>> bucket);
}

/** The lowest value of the bucket at `index` (any value there maps back to it). */
export function valueAtIndex(index: number): number {
  if (index < 2 * SUB_BUCKET_HALF) return index;
  const bucket = (index >>> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  return ((index & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF) * 2 ** bucket;
}

export class LatencyRecorder {
  readonly #counts = new Float64Array(COUNTS);
  #total = 0;
  /** The smallest non-zero value recorded (HdrHistogram keeps `minNonZeroValue`). */
  #min = Infinity;
  #max = -1;
  #lowest = COUNTS;
  #highest = -1;

  get totalCount(): number {
    return this.#total;
  }

  /** Records `us`, clamped into 0 … 1 h and rounded, as `recordUs` does. */
  record(us: number): void {
    const v = us <= 0 ? 0 : us >= HIGHEST_US ? HIGHEST_US : Math.round(us);
    const i = countsIndex(v);
    (this.#counts[i] as number)++;
    this.#total++;
    if (v > this.#max) this.#max = v;
    if (v > 0 && v < this.#min) this.#min = v; // the smallest non-zero: 0 is exact in bucket 0
    if (i < this.#lowest) this.#lowest = i;
    if (i > this.#highest) this.#highest = i;
  }

  /** Adds every count to `h` and starts over. */
  drainInto(h: Histogram): void {
    if (this.#total === 0) return;
    const counts = this.#counts;
    const minIndex = this.#min === Infinity ? -1 : countsIndex(this.#min);
    const maxIndex = countsIndex(this.#max);
    for (let i = this.#lowest; i <= this.#highest; i++) {
      const n = counts[i] as number;
      if (n === 0) continue;
      counts[i] = 0;
      // Any value of a bucket counts the same; the extremes' buckets use the extremes themselves, so
      // that `h`'s min and max are the true ones and no value goes below the min or above the max.
      if (i === maxIndex && i === minIndex) {
        h.recordValueWithCount(this.#max, 1);
        if (n > 1) h.recordValueWithCount(this.#min, n - 1);
      } else {
        h.recordValueWithCount(i === maxIndex ? this.#max : i === minIndex ? this.#min : valueAtIndex(i), n);
      }
    }
    this.#total = 0;
    this.#min = Infinity;
    this.#max = -1;
    this.#lowest = COUNTS;
    this.#highest = -1;
  }
}
