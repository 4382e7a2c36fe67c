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
