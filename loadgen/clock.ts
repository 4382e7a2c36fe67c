import { performance } from 'node:perf_hooks';

/**
 * High-resolution epoch milliseconds. `performance.timeOrigin + performance.now()` is consistent
 * across the worker threads of one process (each thread has its own origin, and its own `now()`
 * counts from it), unlike `performance.now()` alone; and unlike `Date.now()` it has sub-ms resolution.
 */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

export type Clock = () => number;

/** Epoch ms `from` → `to` as whole µs, the unit of the latency histograms; 0 if the clock stepped back. */
export function elapsedUs(from: number, to: number): number {
  return Math.max(0, Math.round((to - from) * 1000));
}
