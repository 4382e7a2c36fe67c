/**
 * One row per target (and per repeat) of a comparison, made from the loadgen summary of its run, and
 * the ratio of each figure to the first target's row of the same repeat (DESIGN §11).
 */
import type { LoadSummary } from '../loadgen/index.js';

export interface CompareTarget {
  /** As given: `inspircd` in `--target inspircd=irc://127.0.0.1:6667`. */
  name: string;
  /** Canonical `proto://host:port`. */
  url: string;
  protocol: string;
}

/** The figures compared; ratios are taken of each. */
export interface CompareFigures {
  deliveriesPerS: number;
  sentPerS: number;
  sent: number;
  received: number;
  expected: number;
  lost: number;
  lossPercent: number;
  /** Beyond expected and ambiguous recipients: a correct server has none. */
  unexpected: number;
  /** Recipients whose membership crossed the message (README "Delivery accounting"). */
  ambiguous: number;
  late: number;
  duplicated: number;
  reordered: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  p50UncorrectedMs: number;
  p99UncorrectedMs: number;
  p999UncorrectedMs: number;
  connectP50Ms: number;
  connectP99Ms: number;
  errors: number;
}

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
  /** The generator was not saturated: its latencies can be trusted. */
  trustworthy: boolean;
  errorKinds: Record<string, number>;
  /** figure ÷ the first target's figure in the same repeat (null when that is 0). */
  ratios: Record<keyof CompareFigures, number | null>;
}

export const FIGURES: readonly (keyof CompareFigures)[] = [
  'deliveriesPerS', 'sentPerS', 'sent', 'received', 'expected', 'lost', 'lossPercent', 'unexpected', 'ambiguous', 'late',
  'duplicated', 'reordered', 'p50Ms', 'p99Ms', 'p999Ms',
  'p50UncorrectedMs', 'p99UncorrectedMs', 'p999UncorrectedMs', 'connectP50Ms', 'connectP99Ms', 'errors',
];

export function figuresOf(s: LoadSummary): CompareFigures {
  const c = s.latency.corrected;
  const u = s.latency.uncorrected;
  return {
    deliveriesPerS: s.rates.receivedPerS, sentPerS: s.rates.sentPerS, sent: s.messages.sent, received: s.messages.received,
    expected: s.messages.expected, lost: s.messages.lost, lossPercent: s.messages.lossPercent,
    unexpected: s.messages.unexpected, ambiguous: s.messages.ambiguous, late: s.messages.late,
    duplicated: s.messages.duplicated, reordered: s.messages.reordered,
    p50Ms: c.p50, p99Ms: c.p99, p999Ms: c.p999, p50UncorrectedMs: u.p50, p99UncorrectedMs: u.p99, p999UncorrectedMs: u.p999,
    connectP50Ms: s.connect.connectMs.p50, connectP99Ms: s.connect.connectMs.p99, errors: s.errorsTotal,
  };
}

export function rowOf(t: CompareTarget, repeat: number, s: LoadSummary): CompareRow {
  const f = figuresOf(s);
  return {
    target: t.name, url: t.url, protocol: t.protocol, repeat, rate: s.config.rate, clients: s.clients.planned, durationS: s.durationS,
    trustworthy: s.health.trustworthy, errorKinds: { ...s.errors }, ...f,
    ratios: Object.fromEntries(FIGURES.map((k) => [k, null])) as CompareRow['ratios'],
  };
}

/** Fills `ratios` of every row against the first target's row of its repeat. */
export function addRatios(rows: CompareRow[], firstTarget: string): void {
  for (const r of rows) {
    const base = rows.find((b) => b.repeat === r.repeat && b.target === firstTarget);
    for (const k of FIGURES) {
      const b = base?.[k];
      r.ratios[k] = b === undefined || b === 0 ? null : Math.round((r[k] / b) * 1000) / 1000;
    }
  }
}

/** CSV columns: identity, every figure, then `<figure>_ratio` for each. */
export const CSV_COLUMNS: readonly string[] = [
  'target', 'url', 'protocol', 'repeat', 'rate', 'clients', 'duration_s', 'trustworthy',
  ...FIGURES.map(snake), ...FIGURES.map((k) => `${snake(k)}_ratio`), 'error_kinds',
];

export function csvRecord(r: CompareRow): (string | number)[] {
  return [
    r.target, r.url, r.protocol, r.repeat, r.rate, r.clients, r.durationS, r.trustworthy ? 'yes' : 'no',
    ...FIGURES.map((k) => r[k]), ...FIGURES.map((k) => r.ratios[k] ?? ''),
    Object.entries(r.errorKinds).map(([k, v]) => `${k}=${v}`).join(' '),
  ];
}

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
