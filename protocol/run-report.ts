/**
 * What a run's `report.html` and a run-vs-baseline diff page are drawn from. Written by the node side
 * (report/) as JSON inside the page and read by the page script (dashboard/web/report-page.ts), so
 * the types live here, where both may import them.
 */
import type { Percentiles } from './loadgen-report.js';
import type { Snapshot } from './snapshot.js';

/** One room over the whole run, from its tick rows (the rows `rooms.csv` has). */
export interface RoomTotals {
  room: string;
  messages: number;
  /** messages ÷ the run's length in seconds. */
  mpsMean: number;
  mpsPeak: number;
  joins: number;
  leaves: number;
  peakMembers: number;
}

/** The server's view of a run, summed from its stored ticks — the same rows as the CSV files. */
export interface RunTotals {
  ticks: number;
  /** Epoch ms of the first and last tick. */
  firstTime: number | null;
  lastTime: number | null;
  /** `elapsed_s` of the last tick. */
  durationS: number;
  /** Sums over `totals.csv` rows. */
  messages: number;
  privateMessages: number;
  deliveries: number;
  joins: number;
  leaves: number;
  bytesIn: number;
  bytesOut: number;
  errors: number;
  /** Seconds of ticks in which at least one room message was sent (a server idle for hours is not diluted). */
  activeS: number;
  /** messages ÷ the whole run's seconds. */
  mpsMean: number;
  /** messages ÷ `activeS`: the rate while there was traffic. */
  mpsMeanActive: number;
  mpsPeak: number;
  peakConnections: number;
  peakMembers: number;
  /**
   * The server's own counters at the last tick (since the run started). They equal the sums above
   * unless a tick was lost — a check the summary makes visible.
   */
  counters: { messagesTotal: number; privateMessagesTotal: number; deliveriesTotal: number; connectionsTotal: number; errorsTotal: number };
  errorsByReason: Record<string, number>;
  disconnectsByReason: Record<string, number>;
  /**
   * True for a run imported from CSV files with no summary.json to say the rest: its private messages
   * and the reasons of its errors and disconnects are not in the files (the fields above read 0 and
   * empty, and a report shows them as unknown, not as none).
   */
  notInCsv?: boolean;
  /** Busiest first (by messages), `_other` last. */
  rooms: RoomTotals[];
}

/** One point of a latency percentile spectrum (see loadgen/spectrum.ts). */
export interface SpectrumPoint {
  /** Percentile, 0–100. */
  percentile: number;
  /** 1/(1 − percentile/100): the position on the log axis (1 = p0, 10 = p90, 100 = p99…). */
  x: number;
  ms: number;
}

/** The load generator's side of a run, as far as it is known. */
export interface ReportLoadgen {
  /**
   * Where these figures come from: the loadgen's own summary, only what reached the dashboard, or —
   * an imported run without either — the per-tick `loadgen_*` columns of its totals.csv, summed.
   */
  source: 'summary' | 'last-report' | 'tick-columns' | 'none';
  /** Counts are as of the last report, not settled (no summary). */
  partial: boolean;
  /** `peak` null: not known (the CSV columns do not say). */
  clients: { planned: number | null; peak: number | null; connects: number | null; reconnects: number | null };
  /** Delivery accounting, every class; null where the source does not say. */
  messages: {
    sent: number; pm: number | null; received: number; expected: number; lost: number; lossPercent: number;
    duplicated: number | null; reordered: number | null; late: number | null; unexpected: number | null; ambiguous: number | null;
  };
  errors: Record<string, number>;
  /** Generator health: can its latencies be trusted (never saturated)? */
  health: { trustworthy: boolean; note: string } | null;
}

export interface ReportThreshold {
  expr: string;
  /** null: not evaluated. */
  ok: boolean | null;
  value: number | null;
  unit: string;
  window: string;
}

/** A run's `report.html`. */
export interface RunReportData {
  kind: 'run';
  run: { id: string; label: string; start: number; end: number | null; status: string; ticks: number; config: Record<string, unknown> };
  generatedAt: string;
  /** A line saying how the run ended (the demo's `ending.detail`), when known. */
  ending: string | null;
  server: RunTotals;
  loadgen: ReportLoadgen | null;
  /** Whole-run delivery latency (ms), and where it comes from. */
  latency: { corrected: Percentiles; uncorrected: Percentiles; source: 'loadgen-summary' | 'stored-histograms' | 'server-summary' } | null;
  /** From the run's merged HdrHistograms in the store; null when no load generator sent histograms. */
  spectrum: { corrected: SpectrumPoint[]; uncorrected: SpectrumPoint[] } | null;
  thresholds: ReportThreshold[];
  verdict: 'pass' | 'fail' | 'none' | 'not evaluated';
  /** The ticks drawn; a long run is thinned to at most `REPORT_MAX_TICKS` evenly spaced ticks. */
  snapshots: Snapshot[];
  /** The run's tick count when `snapshots` is a thinned selection of it; null when every tick is there. */
  thinnedFrom: number | null;
}

/** Ticks drawn in a report at most; a longer run keeps every n-th tick (the totals are still every tick's). */
export const REPORT_MAX_TICKS = 3600;

/**
 * One figure of a diff. Lower is better for latencies, loss and errors; the load's own size (sent,
 * received, rates, connections) follows from the offered load, so neither way is better: not coloured.
 */
export interface DiffFigure {
  /** Stable key, also what a diff threshold names (`p99`, `mps`, …). */
  key: string;
  label: string;
  unit: string;
  run: number | null;
  baseline: number | null;
  /** run − baseline; null when either is missing. */
  delta: number | null;
  /** 100 × delta ÷ baseline; null when either is missing or the baseline is 0. */
  percent: number | null;
  better: 'lower' | 'higher' | 'neither';
}

export interface DiffThresholdResult {
  expr: string;
  /** `change`: the run against the baseline (signed value); `run`: the run's own figure. */
  against: 'change' | 'run';
  ok: boolean | null;
  /** The delta (percent or absolute, as the expression has it) that was compared; null if unknown. */
  value: number | null;
  unit: string;
  /** Why a threshold could not be evaluated. */
  note: string;
}

/** `chatpulse report RUN --baseline RUN2`: both runs, the figures side by side, the verdicts. */
export interface RunDiffData {
  kind: 'diff';
  generatedAt: string;
  run: RunReportData;
  baseline: RunReportData;
  figures: DiffFigure[];
  thresholds: DiffThresholdResult[];
  verdict: 'pass' | 'fail' | 'none' | 'not evaluated';
}
