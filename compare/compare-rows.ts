/**
 * One row per target (and per repeat) of a comparison, made from the loadgen summary of its run, and
 * the ratio of each figure to the first target's row of the same repeat (DESIGN §11).
 */
import { nothingMeasured, parseThreshold, thresholdValue, type LoadSummary, type ThresholdResult } from '../loadgen/index.js';

export interface CompareTarget {
  /** As given: `inspircd` in `--target inspircd=irc://127.0.0.1:6667`. */
  name: string;
  /** Canonical `proto://host:port`. */
  url: string;
  protocol: string;
}

/**
 * The figures compared; ratios are taken of each. `null` is "not measured": a latency with no delivery
 * behind it, a connect time with no connection, or every figure of a run that could not start. Never 0,
 * which would read as the fastest server of the table.
 */
export interface CompareFigures {
  deliveriesPerS: number | null;
  sentPerS: number | null;
  sent: number | null;
  /** Messages that fell due but were never written (their clients could not send): not in loss or latency. */
  unsent: number | null;
  received: number | null;
  expected: number | null;
  lost: number | null;
  lossPercent: number | null;
  /** Beyond expected and ambiguous recipients: a correct server has none. */
  unexpected: number | null;
  /** Recipients whose membership crossed the message (README "Delivery accounting"). */
  ambiguous: number | null;
  late: number | null;
  duplicated: number | null;
  reordered: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  p50UncorrectedMs: number | null;
  p99UncorrectedMs: number | null;
  p999UncorrectedMs: number | null;
  connectP50Ms: number | null;
  connectP99Ms: number | null;
  errors: number | null;
}

/**
 * How a run went: `ok`; `stopped early` (Ctrl-C cut it short: its figures cover only what ran);
 * `nothing measured` (no message sent or received — every login refused, say); `incomplete` (messages
 * fell due that were never written: the server stopped taking them, died say — its loss and latency
 * cover only what went); `failed` (it could not run: the server was unreachable). Only `ok` rows are
 * comparable; `why` says what went wrong.
 */
export type RunStatus = 'ok' | 'stopped early' | 'nothing measured' | 'incomplete' | 'failed';

export interface CompareRow extends CompareFigures {
  target: string;
  url: string;
  protocol: string;
  /** 1-based. */
  repeat: number;
  /** Per-client action rate of this run (find-max steps change it). */
  rate: number;
  clients: number;
  durationS: number;
  /** The generator was not saturated: its latencies can be trusted (null: nothing ran). */
  trustworthy: boolean | null;
  status: RunStatus;
  /** What went wrong ('' when `ok`). */
  why: string;
  errorKinds: Record<string, number>;
  /** `--threshold` verdicts of this run, as the loadgen judged them (empty: none asked, or it could not run). */
  thresholds: ThresholdResult[];
  /** figure ÷ the first target's figure in the same repeat (null when that is 0). */
  ratios: Record<keyof CompareFigures, number | null>;
}

export const FIGURES: readonly (keyof CompareFigures)[] = [
  'deliveriesPerS', 'sentPerS', 'sent', 'unsent', 'received', 'expected', 'lost', 'lossPercent', 'unexpected', 'ambiguous', 'late',
  'duplicated', 'reordered', 'p50Ms', 'p99Ms', 'p999Ms',
  'p50UncorrectedMs', 'p99UncorrectedMs', 'p999UncorrectedMs', 'connectP50Ms', 'connectP99Ms', 'errors',
];

export function figuresOf(s: LoadSummary): CompareFigures {
  const c = s.latency.corrected;
  const u = s.latency.uncorrected;
  const connect = s.connect.connectMs;
  const lat = (p: { count: number }, v: number) => (p.count > 0 ? v : null);
  return {
    deliveriesPerS: s.rates.receivedPerS, sentPerS: s.rates.sentPerS, sent: s.messages.sent, unsent: s.messages.unsent, received: s.messages.received,
    expected: s.messages.expected, lost: s.messages.lost, lossPercent: s.messages.expected > 0 ? s.messages.lossPercent : null,
    unexpected: s.messages.unexpected, ambiguous: s.messages.ambiguous, late: s.messages.late,
    duplicated: s.messages.duplicated, reordered: s.messages.reordered,
    p50Ms: lat(c, c.p50), p99Ms: lat(c, c.p99), p999Ms: lat(c, c.p999),
    p50UncorrectedMs: lat(u, u.p50), p99UncorrectedMs: lat(u, u.p99), p999UncorrectedMs: lat(u, u.p999),
    connectP50Ms: lat(connect, connect.p50), connectP99Ms: lat(connect, connect.p99), errors: s.errorsTotal,
  };
}

const NO_RATIOS = () => Object.fromEntries(FIGURES.map((k) => [k, null])) as CompareRow['ratios'];

export function rowOf(t: CompareTarget, repeat: number, s: LoadSummary): CompareRow {
  const f = figuresOf(s);
  const kinds = Object.entries(s.errors).map(([k, n]) => `${k} ×${n}`).join(', ');
  const status: RunStatus = s.stoppedEarly ? 'stopped early' : nothingMeasured(s) ? 'nothing measured' : s.messages.unsent > 0 ? 'incomplete' : 'ok';
  const why = status === 'nothing measured' ? `no message was sent or received (errors: ${kinds || 'none reported'})`
    : status === 'stopped early' ? `stopped after ${s.durationS} s of ${s.plannedS} s`
    : status === 'incomplete' ? `${s.messages.unsent} of ${s.messages.sent + s.messages.unsent} messages due were never written: the server stopped taking them (errors: ${kinds || 'none reported'}); loss and latency cover only what went`
    : '';
  return {
    target: t.name, url: t.url, protocol: t.protocol, repeat, rate: s.config.rate, clients: s.clients.planned, durationS: s.durationS,
    trustworthy: s.health.trustworthy, status, why, errorKinds: { ...s.errors }, thresholds: s.thresholds, ...f, ratios: NO_RATIOS(),
  };
}

/**
 * The row of a run that could not happen (`why`: the error), every figure unmeasured — and every
 * `--threshold` asked failed with no value, as the loadgen fails a rule on nothing measured: a
 * comparison of two targets, one unreachable, said "all held" for the one it judged.
 */
export function failedRow(t: CompareTarget, repeat: number, rate: number, clients: number, why: string, thresholds: readonly string[] = []): CompareRow {
  const f = Object.fromEntries(FIGURES.map((k) => [k, null])) as unknown as CompareFigures;
  return {
    target: t.name, url: t.url, protocol: t.protocol, repeat, rate, clients, durationS: 0,
    trustworthy: null, status: 'failed', why, errorKinds: {}, thresholds: thresholds.map(notJudged), ...f, ratios: NO_RATIOS(),
  };
}

function notJudged(expr: string): ThresholdResult {
  const { metric, windowMs } = parseThreshold(expr);
  const unit = metric === 'loss' ? '%' : metric === 'errors' ? 'count' : 'ms';
  return { expr, ok: false, value: null, unit, window: windowMs > 0 ? `${windowMs / 1000}s` : 'run', note: 'the run could not happen' };
}

/** Fills `ratios` of every row against the first target's row of its repeat (null where either is unmeasured or the base is 0). */
export function addRatios(rows: CompareRow[], firstTarget: string): void {
  for (const r of rows) {
    const base = rows.find((b) => b.repeat === r.repeat && b.target === firstTarget);
    for (const k of FIGURES) {
      const b = base?.[k];
      const v = r[k];
      r.ratios[k] = b === undefined || b === null || b === 0 || v === null ? null : Math.round((v / b) * 1000) / 1000;
    }
  }
}

/** CSV columns: identity and how the run went, every figure (empty: not measured), then `<figure>_ratio` for each. */
export const CSV_COLUMNS: readonly string[] = [
  'target', 'url', 'protocol', 'repeat', 'rate', 'clients', 'duration_s', 'trustworthy', 'status', 'why',
  ...FIGURES.map(snake), ...FIGURES.map((k) => `${snake(k)}_ratio`), 'error_kinds', 'thresholds',
];

export function csvRecord(r: CompareRow): (string | number)[] {
  return [
    r.target, r.url, r.protocol, r.repeat, r.rate, r.clients, r.durationS, r.trustworthy === null ? '' : r.trustworthy ? 'yes' : 'no', r.status, r.why,
    ...FIGURES.map((k) => r[k] ?? ''), ...FIGURES.map((k) => r.ratios[k] ?? ''),
    Object.entries(r.errorKinds).map(([k, v]) => `${k}=${v}`).join(' '),
    r.thresholds.map((t) => `${t.ok ? 'ok' : 'FAIL'} ${thresholdLine(t)}`).join('; '),
  ];
}

/** One verdict as people read it: `p99<50ms 12.3 ms (whole run)`, with why it failed beyond its value. */
export function thresholdLine(t: ThresholdResult): string {
  const fmt = (n: number) => String(Math.round(n * 1000) / 1000);
  return `${t.expr} ${thresholdValue(t, fmt)} (${t.window === 'run' ? 'whole run' : `worst ${t.window} window`})${t.note ? ` — ${t.note}` : ''}`;
}

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
