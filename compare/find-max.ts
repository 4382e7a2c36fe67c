/**
 * `--find-max`: the highest per-client rate a target sustains. Steps the rate up by `factor` from the
 * base until a step fails (loss above `maxLossPercent`, corrected p99 above `maxP99Ms`, or the
 * generator itself saturated — then the limit is this machine's, not the server's), then bisects
 * between the last pass and the first failure. Bounded by `maxSteps` and `maxTimeMs` per target.
 */
import type { LoadSummary } from '../loadgen/index.js';
import type { CompareTarget } from './compare-rows.js';

export interface FindMaxOptions {
  /** @default 50 */
  maxP99Ms: number;
  /** @default 0.1 */
  maxLossPercent: number;
  /** @default 8 */
  maxSteps: number;
  /** Per target. @default 600_000 */
  maxTimeMs: number;
  /** @default 2 */
  factor: number;
}

export const defaultFindMax: FindMaxOptions = { maxP99Ms: 50, maxLossPercent: 0.1, maxSteps: 8, maxTimeMs: 600_000, factor: 2 };

export interface FindMaxStep {
  step: number;
  /** Per-client actions per second. */
  rate: number;
  clients: number;
  sentPerS: number;
  deliveriesPerS: number;
  p99Ms: number;
  lossPercent: number;
  ok: boolean;
  /** Why it failed ('' when ok). */
  why: string;
}

export interface FindMaxResult {
  target: string;
  url: string;
  steps: FindMaxStep[];
  /** The best step that held, if any. */
  best: FindMaxStep | null;
  stoppedBy: 'converged' | 'steps' | 'time' | 'aborted' | 'floor' | 'failed';
  /** Why a step could not run (`failed`: the target became unreachable). */
  failure?: string;
}

export function judge(s: LoadSummary, o: FindMaxOptions): string {
  if (!s.health.trustworthy) return 'generator saturated: the limit of this machine, not of the server';
  if (s.messages.received === 0) return 'nothing delivered';
  if (s.messages.lossPercent > o.maxLossPercent) return `loss ${s.messages.lossPercent}% > ${o.maxLossPercent}%`;
  if (s.latency.corrected.p99 > o.maxP99Ms) return `p99 ${s.latency.corrected.p99} ms > ${o.maxP99Ms} ms`;
  return '';
}

export async function findMax(
  t: CompareTarget, baseRate: number, o: FindMaxOptions, runAt: (rate: number, step: number) => Promise<LoadSummary>, signal?: AbortSignal,
): Promise<FindMaxResult> {
  const steps: FindMaxStep[] = [];
  const started = Date.now();
  let lo: number | undefined;
  let hi: number | undefined;
  let rate = baseRate > 0 ? baseRate : 1;
  let stoppedBy: FindMaxResult['stoppedBy'] = 'steps';
  let longest = 0;
  for (let step = 1; step <= o.maxSteps; step++) {
    if (signal?.aborted) { stoppedBy = 'aborted'; break; }
    if (Date.now() - started + longest > o.maxTimeMs) { stoppedBy = 'time'; break; }
    const t0 = Date.now();
    let s: LoadSummary;
    try {
      s = await runAt(round(rate), step);
    } catch (err) {
      // The target went away (or never answered): what the steps so far found still stands.
      return finish(t, steps, 'failed', (err as Error).message);
    }
    // A step cut short by Ctrl-C says nothing about what the target sustains.
    if (s.stoppedEarly) { stoppedBy = 'aborted'; break; }
    longest = Math.max(longest, Date.now() - t0);
    const why = judge(s, o);
    steps.push({
      step, rate: round(rate), clients: s.clients.planned, sentPerS: s.rates.sentPerS, deliveriesPerS: s.rates.receivedPerS,
      p99Ms: s.latency.corrected.p99, lossPercent: s.messages.lossPercent, ok: why === '', why,
    });
    if (why === '') lo = rate;
    else hi = rate;
    if (hi === undefined) rate *= o.factor;
    else if (lo === undefined) {
      rate /= o.factor;
      if (rate < 0.01) { stoppedBy = 'floor'; break; }
    } else {
      if (hi / lo < 1.15) { stoppedBy = 'converged'; break; }
      rate = (lo + hi) / 2;
    }
  }
  return finish(t, steps, stoppedBy);
}

function finish(t: CompareTarget, steps: FindMaxStep[], stoppedBy: FindMaxResult['stoppedBy'], failure?: string): FindMaxResult {
  const passed = steps.filter((s) => s.ok);
  const best = passed.length === 0 ? null : passed.reduce((a, b) => (b.deliveriesPerS > a.deliveriesPerS ? b : a));
  return { target: t.name, url: t.url, steps, best, stoppedBy, ...(failure !== undefined && { failure }) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
