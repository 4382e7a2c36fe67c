/**
 * A run against a baseline: each figure side by side with its change, and `--threshold` verdicts
 * that can gate CI on a regression. A signed limit compares the change (`p99<+10%` relative,
 * `p99<+5ms` absolute); an unsigned one checks the run itself (`p99<50ms`, `loss<0.1%`).
 */
import type { DiffFigure, DiffThresholdResult, RunDiffData, RunReportData } from '../protocol/run-report.js';

export class DiffThresholdError extends Error {
  readonly code = 'CHATPULSE_DIFF_THRESHOLD';
}

interface FigureDef {
  key: string;
  label: string;
  unit: string;
  better: 'lower' | 'higher' | 'neither';
  /** Latencies take ms/s/us; the rest are plain numbers in their own unit. */
  latency: boolean;
  of(r: RunReportData): number | null;
}

const perActiveS = (n: number, r: RunReportData) => (r.server.activeS > 0 ? round3(n / r.server.activeS) : null);

export const DIFF_FIGURES: readonly FigureDef[] = [
  ...(['p50', 'p90', 'p99', 'p999', 'max'] as const).map((k) => ({
    key: k, label: `${k === 'p999' ? 'p99.9' : k} latency (corrected)`, unit: 'ms', better: 'lower' as const, latency: true,
    of: (r: RunReportData) => (r.latency && r.latency.corrected.count > 0 ? r.latency.corrected[k] : null),
  })),
  ...(['p50', 'p99'] as const).map((k) => ({
    key: `${k}u`, label: `${k} latency (uncorrected)`, unit: 'ms', better: 'lower' as const, latency: true,
    of: (r: RunReportData) => (r.latency && r.latency.uncorrected.count > 0 ? r.latency.uncorrected[k] : null),
  })),
  { key: 'loss', label: 'loss', unit: '%', better: 'lower', latency: false, of: (r) => r.loadgen?.messages.lossPercent ?? null },
  { key: 'lost', label: 'deliveries lost', unit: '', better: 'lower', latency: false, of: (r) => r.loadgen?.messages.lost ?? null },
  { key: 'sent', label: 'messages sent (loadgen)', unit: '', better: 'neither', latency: false, of: (r) => r.loadgen?.messages.sent ?? null },
  { key: 'received', label: 'deliveries received (loadgen)', unit: '', better: 'neither', latency: false, of: (r) => r.loadgen?.messages.received ?? null },
  { key: 'mps', label: 'room messages / s while active (server)', unit: '/s', better: 'neither', latency: false, of: (r) => r.server.mpsMeanActive },
  { key: 'deliveries', label: 'deliveries / s while active (server)', unit: '/s', better: 'neither', latency: false, of: (r) => perActiveS(r.server.deliveries, r) },
  { key: 'connections', label: 'peak connections (server)', unit: '', better: 'neither', latency: false, of: (r) => r.server.peakConnections },
  { key: 'errors', label: 'errors (server)', unit: '', better: 'lower', latency: false, of: (r) => r.server.errors },
];

type Op = '<' | '<=' | '>' | '>=';

export interface DiffThreshold {
  expr: string;
  figure: FigureDef;
  op: Op;
  limit: number;
  /** `change`: run − baseline (`percent`: relative, in %); `value`: the run's own figure. */
  mode: 'percent' | 'change' | 'value';
}

const KEYS = DIFF_FIGURES.map((f) => f.key);
const RE = /^\s*([a-z0-9.]+)\s*(<=|>=|<|>)\s*([+-]?)(\d+(?:\.\d+)?)\s*(ms|s|us|µs|%|\/s)?\s*$/i;

/** Parses one `--threshold` for `chatpulse report`; one line naming the problem when it is wrong. */
export function parseDiffThreshold(expr: string): DiffThreshold {
  const m = RE.exec(expr);
  const help = `expected FIGURE OP [+|-]VALUE[UNIT], FIGURE one of ${KEYS.join(', ')} (e.g. 'p99<+10%', 'p99<+5ms', 'mps>-5%', 'p99<50ms')`;
  if (!m) throw new DiffThresholdError(`bad threshold '${expr.slice(0, 80)}': ${help}`);
  const key = (m[1] as string).toLowerCase().replace('p99.9', 'p999');
  const figure = DIFF_FIGURES.find((f) => f.key === key);
  if (figure === undefined) throw new DiffThresholdError(`bad threshold '${expr.slice(0, 80)}': unknown figure '${key.slice(0, 20)}'; ${help}`);
  const signed = m[3] !== '';
  const unit = m[5]?.toLowerCase();
  let limit = Number(m[4]) * (m[3] === '-' ? -1 : 1);
  // `%` on a signed limit is a relative change; unsigned, only loss is itself a percentage.
  if (unit === '%' && (signed || figure.key !== 'loss')) {
    if (!signed) throw new DiffThresholdError(`bad threshold '${expr.slice(0, 80)}': a change against the baseline is signed, like '${key}${m[2]}+${m[4]}%'`);
    return { expr, figure, op: m[2] as Op, limit, mode: 'percent' };
  }
  if (figure.latency) {
    if (unit === 's') limit *= 1000;
    else if (unit === 'us' || unit === 'µs') limit /= 1000;
    else if (unit !== undefined && unit !== 'ms') throw new DiffThresholdError(`bad threshold '${expr.slice(0, 80)}': ${key} takes ms, s or us (or % for a change)`);
  } else if (unit !== undefined && !(unit === '%' && key === 'loss') && !(unit === '/s' && figure.unit === '/s')) {
    throw new DiffThresholdError(`bad threshold '${expr.slice(0, 80)}': ${key} is ${figure.unit === '' ? 'a count' : `in ${figure.unit}`}; '${unit}' does not apply`);
  }
  return { expr, figure, op: m[2] as Op, limit, mode: signed ? 'change' : 'value' };
}

export function diffFigures(run: RunReportData, baseline: RunReportData): DiffFigure[] {
  return DIFF_FIGURES.map((f) => {
    const a = f.of(run);
    const b = f.of(baseline);
    const delta = a === null || b === null ? null : round3(a - b);
    return { key: f.key, label: f.label, unit: f.unit, run: a, baseline: b, delta, percent: relative(a, b), better: f.better };
  });
}

/** Evaluates thresholds; `baseline` undefined: only unsigned ones are allowed (checked by the caller). */
export function evaluateDiffThresholds(list: readonly DiffThreshold[], run: RunReportData, baseline?: RunReportData): DiffThresholdResult[] {
  return list.map((t): DiffThresholdResult => {
    const against = t.mode === 'value' ? 'run' as const : 'change' as const;
    const a = t.figure.of(run);
    if (a === null) return { expr: t.expr, against, ok: null, value: null, unit: t.figure.unit, note: `the run has no ${t.figure.label}` };
    if (t.mode === 'value') return { expr: t.expr, against, ok: compare(a, t.op, t.limit), value: a, unit: t.figure.unit, note: '' };
    const b = baseline ? t.figure.of(baseline) : null;
    if (b === null) return { expr: t.expr, against, ok: null, value: null, unit: t.figure.unit, note: `the baseline has no ${t.figure.label}` };
    if (t.mode === 'change') return { expr: t.expr, against, ok: compare(a - b, t.op, t.limit), value: round3(a - b), unit: t.figure.unit, note: '' };
    const p = a === b ? 0 : b === 0 ? (a > b ? Infinity : -Infinity) : (100 * (a - b)) / b;
    return {
      expr: t.expr, against, ok: compare(p, t.op, t.limit), value: Number.isFinite(p) ? round3(p) : null, unit: '%',
      note: Number.isFinite(p) ? '' : `the baseline's ${t.figure.label} is 0: any rise is an infinite change`,
    };
  });
}

export function verdictOf(results: readonly { ok: boolean | null }[]): RunDiffData['verdict'] {
  if (results.length === 0) return 'none';
  if (results.some((r) => r.ok === false)) return 'fail';
  return results.some((r) => r.ok === null) ? 'not evaluated' : 'pass';
}

export function buildRunDiff(run: RunReportData, baseline: RunReportData, thresholds: readonly DiffThreshold[], now = new Date()): RunDiffData {
  const results = evaluateDiffThresholds(thresholds, run, baseline);
  return { kind: 'diff', generatedAt: now.toISOString(), run, baseline, figures: diffFigures(run, baseline), thresholds: results, verdict: verdictOf(results) };
}

function relative(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  if (a === b) return 0;
  return b === 0 ? null : round3((100 * (a - b)) / b);
}

function compare(v: number, op: Op, limit: number): boolean {
  return op === '<' ? v < limit : op === '<=' ? v <= limit : op === '>' ? v > limit : v >= limit;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
