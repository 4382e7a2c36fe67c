/**
 * `--threshold` expressions: `p99<50ms`, `p999<=1s`, `max<2s`, `loss<0.1%`, `errors<10`, each
 * optionally `over 10s` to hold in every sliding window of that length rather than over the whole
 * run. Latency thresholds use the corrected latency (the honest one).
 *
 * A threshold on a figure nothing measured (a latency with no delivery, a loss with no delivery
 * expected) fails with no value: a gate that passed on zero samples would let a broken run through.
 * Windows with nothing due are not judged; one with deliveries due and none made (an outage) fails a
 * latency gate. A run shorter than its window is judged whole. Messages that fell due and were never
 * written (unsent: the server stopped taking them, died say) fail every loss and latency gate, which
 * judge only what went: a server killed half-way read `loss 0 %` and a fine p99 and passed.
 */
import { parseDuration } from '../protocol/index.js';
import { newHistogram, type Histogram } from './histograms.js';

export type ThresholdMetric = 'p50' | 'p90' | 'p99' | 'p999' | 'max' | 'loss' | 'errors';
type Op = '<' | '<=' | '>' | '>=';

export interface Threshold {
  expr: string;
  metric: ThresholdMetric;
  op: Op;
  /** ms for latencies, percent for loss, a count for errors. */
  limit: number;
  /** Sliding window in ms; 0 = whole run. */
  windowMs: number;
}

export interface ThresholdResult {
  expr: string;
  ok: boolean;
  /** The whole-run value, or the worst window's. Same unit as the limit. null: nothing was measured (failed). */
  value: number | null;
  unit: 'ms' | '%' | 'count';
  /** 'run', or the window judged, as ticks make it (`10s`). */
  window: string;
  /** Why it failed beyond its value (messages never written), when that is so. */
  note?: string;
}

export class ThresholdError extends Error {
  readonly code = 'CHATPULSE_THRESHOLD';
}

const RE = /^\s*(p50|p90|p99|p999|p99\.9|max|loss|errors)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|us|µs|%)?\s*(?:over\s+(\S+))?\s*$/i;
const PERCENTILE: Record<string, number> = { p50: 50, p90: 90, p99: 99, p999: 99.9, max: 100 };

export function parseThreshold(expr: string): Threshold {
  const m = RE.exec(expr);
  if (!m) {
    throw new ThresholdError(`bad threshold '${expr}': expected METRIC OP VALUE [over DURATION], METRIC one of p50, p90, p99, p999, max, loss, errors (e.g. 'p99<50ms', 'loss<0.1%', 'errors<10 over 10s')`);
  }
  const metric = (m[1] as string).toLowerCase().replace('p99.9', 'p999') as ThresholdMetric;
  const unit = m[4]?.toLowerCase();
  let limit = Number(m[3]);
  if (metric === 'loss') {
    // `loss<5` is refused as `p99<5` is: 5 % or 5 deliveries, the reader cannot tell.
    if (unit !== '%') throw new ThresholdError(`bad threshold '${expr}': loss is a percentage: write it with %, like 'loss<${m[3]}%'`);
    // A limit past 100 % can never fail (or, with >, never pass): a gate that gates nothing.
    if (limit > 100) throw new ThresholdError(`bad threshold '${expr}': loss is a percentage from 0 to 100`);
  } else if (metric === 'errors') {
    if (unit !== undefined) throw new ThresholdError(`bad threshold '${expr}': errors is a count, like 'errors<10'`);
  } else {
    // `p99<5` could mean 5 ms or 5 s: said, not guessed.
    if (unit === undefined || unit === '%') throw new ThresholdError(`bad threshold '${expr}': a latency needs its unit, ms, s or us (like 'p99<50ms')`);
    if (unit === 's') limit *= 1000;
    else if (unit === 'us' || unit === 'µs') limit /= 1000;
  }
  let windowMs = 0;
  if (m[5] !== undefined) {
    const w = parseDuration(m[5]);
    if (w === undefined || w <= 0) throw new ThresholdError(`bad threshold '${expr}': 'over' takes a duration like 10s, got '${m[5]}'`);
    windowMs = w;
  }
  return { expr: expr.trim(), metric, op: m[2] as Op, limit, windowMs };
}

export function holds(t: Pick<Threshold, 'op' | 'limit'>, value: number): boolean {
  switch (t.op) {
    case '<': return value < t.limit;
    case '<=': return value <= t.limit;
    case '>': return value > t.limit;
    case '>=': return value >= t.limit;
  }
}

/** What one tick adds to the windows. */
export interface TickFacts {
  /** Corrected latency histogram of the tick (µs), merged across workers. */
  latency: Histogram;
  lost: number;
  settledExpected: number;
  errors: number;
  /**
   * Messages that fell due in the tick: written in it, or due and not written (`waiting`). A window
   * whose ticks had none (the drain after the schedule, a phase at rate 0) has nothing a latency gate
   * can judge; `settledExpected` cannot say so, since it counts messages settled now, written a loss
   * timeout earlier — the drain's empty ticks read as an outage, and `p99<1s over 1s` failed a
   * healthy run.
   */
  due: number;
}

/** Whole-run figures for the thresholds without a window. */
export interface RunFacts {
  latency: Histogram;
  lost: number;
  expected: number;
  errors: number;
  /** Messages due but never written. @default 0 */
  unsent?: number;
}

/** The figure, or NaN when there was nothing to measure (no latency sample; no delivery expected). */
export function measure(metric: ThresholdMetric, f: { latency: Histogram; lost: number; expected: number; errors: number }): number {
  if (metric === 'loss') return f.expected > 0 ? (100 * f.lost) / f.expected : Number.NaN;
  if (metric === 'errors') return f.errors;
  if (f.latency.totalCount === 0) return Number.NaN;
  return metric === 'max' ? f.latency.maxValue / 1000 : f.latency.getValueAtPercentile(PERCENTILE[metric] as number) / 1000;
}

/** Follows windowed thresholds tick by tick, keeping only the last window's ticks. */
export class ThresholdTracker {
  readonly #list: Threshold[];
  readonly #intervalMs: number;
  readonly #ticks: { latency: Histogram; lost: number; expected: number; errors: number; due: number }[] = [];
  readonly #worst = new Map<Threshold, number>();
  /**
   * Windows where messages fell due and no delivery came, per threshold, until one comes: then the
   * stall shows in the latency of what arrived late (or as loss), and a window shorter than that
   * latency was no outage. Still pending at the end — nothing delivered after it — it is one.
   */
  readonly #pending = new Set<Threshold>();
  readonly #maxTicks: number;

  constructor(list: Threshold[], intervalMs: number) {
    this.#list = list;
    this.#intervalMs = intervalMs;
    this.#maxTicks = Math.max(0, ...list.map((t) => this.#ticksFor(t)));
  }

  #ticksFor(t: Threshold): number {
    return t.windowMs > 0 ? Math.max(1, Math.round(t.windowMs / this.#intervalMs)) : 0;
  }

  addTick(f: TickFacts): void {
    if (this.#maxTicks === 0) return;
    const copy = newHistogram();
    copy.add(f.latency);
    this.#ticks.push({ latency: copy, lost: f.lost, expected: f.settledExpected, errors: f.errors, due: f.due });
    if (this.#ticks.length > this.#maxTicks) this.#ticks.shift()?.latency.destroy();
    if (f.latency.totalCount > 0) this.#pending.clear();
    for (const t of this.#list) {
      const k = this.#ticksFor(t);
      if (k === 0 || this.#ticks.length < k) continue;
      const ticks = this.#ticks.slice(-k);
      const value = this.#windowValue(t, ticks);
      if (Number.isNaN(value)) {
        // Messages fell due in it and no delivery came: an outage if none comes after it either (see
        // #pending). A window where none fell due (an idle ramp, the drain) has nothing to judge.
        if (t.metric !== 'loss' && ticks.some((x) => x.due > 0)) this.#pending.add(t);
        continue;
      }
      const prev = this.#worst.get(t);
      // Keep the value furthest on the failing side of the limit.
      if (prev === undefined || (t.op.startsWith('<') ? value > prev : value < prev)) this.#worst.set(t, value);
    }
  }

  #windowValue(t: Threshold, ticks: { latency: Histogram; lost: number; expected: number; errors: number; due: number }[]): number {
    const merged = newHistogram();
    if (t.metric !== 'loss' && t.metric !== 'errors') for (const x of ticks) merged.add(x.latency);
    const value = measure(t.metric, {
      latency: merged,
      lost: ticks.reduce((a, x) => a + x.lost, 0),
      expected: ticks.reduce((a, x) => a + x.expected, 0),
      errors: ticks.reduce((a, x) => a + x.errors, 0),
    });
    merged.destroy();
    return value;
  }

  results(run: RunFacts): ThresholdResult[] {
    return this.#list.map((t) => {
      const unit = t.metric === 'loss' ? '%' : t.metric === 'errors' ? 'count' : 'ms';
      const outage = this.#pending.has(t) ? (t.op.startsWith('<') ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY) : undefined;
      const worst = t.windowMs > 0 ? outage ?? this.#worst.get(t) : undefined;
      // A run shorter than the window (or with no window measured) is judged whole, and says so.
      const value = worst ?? measure(t.metric, run);
      const window = worst === undefined ? 'run' : `${(this.#ticksFor(t) * this.#intervalMs) / 1000}s`;
      const unsent = run.unsent ?? 0;
      const note = unsent > 0 && t.metric !== 'errors' ? { note: `${unsent} messages fell due and were never written (unsent): it judges only what went` } : {};
      // Nothing measured, or a window with deliveries due and none made (±Infinity, not JSON): no value.
      if (!Number.isFinite(value)) return { expr: t.expr, ok: false, value: null, unit, window, ...note };
      return { expr: t.expr, ok: holds(t, value) && note.note === undefined, value: Math.round(value * 1000) / 1000, unit, window, ...note };
    });
  }
}

/** A result's value as the summaries print it: `12.5 ms`, `3`, or `nothing measured`. */
export function thresholdValue(t: Pick<ThresholdResult, 'value' | 'unit'>, fmt: (n: number) => string): string {
  if (t.value === null) return 'nothing measured';
  return `${fmt(t.value)}${t.unit === 'count' ? '' : ` ${t.unit}`}`;
}
