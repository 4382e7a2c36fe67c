/**
 * The latency percentile spectrum of a whole run, as wrk2 and HdrHistogram plot it: latency against
 * percentile on a log axis of 1/(1 − p), so 90, 99, 99.9 and 99.99 sit one decade apart and the tail
 * gets as much room as the median.
 */
import { round3, type Histogram } from './histograms.js';

export interface SpectrumPoint {
  /** Percentile, 0–100. */
  percentile: number;
  /** 1/(1 − percentile/100): the position on the log axis (1 = p0, 10 = p90, 100 = p99…). */
  x: number;
  ms: number;
}

/** Points per decade of 1/(1 − p). */
const STEPS_PER_DECADE = 10;
/** Up to p99.9999: past it no run we make has the samples to say anything. */
const DECADES = 6;

/**
 * Percentiles 0 … 99.9999 in log steps, stopping once 1/(1 − p) exceeds the sample count (the
 * percentiles beyond are all the maximum), then the maximum itself one step further. Empty: no points.
 */
export function percentileSpectrum(h: Histogram): SpectrumPoint[] {
  const n = h.totalCount;
  if (n === 0) return [];
  const out: SpectrumPoint[] = [];
  for (let i = 0; i <= STEPS_PER_DECADE * DECADES; i++) {
    const x = 10 ** (i / STEPS_PER_DECADE);
    if (x > n) {
      out.push({ percentile: 100 * (1 - 1 / x), x, ms: round3(h.maxValue / 1000) });
      break;
    }
    const percentile = 100 * (1 - 1 / x);
    out.push({ percentile, x, ms: round3(h.getValueAtPercentile(percentile) / 1000) });
  }
  return out;
}
