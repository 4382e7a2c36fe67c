import type { LoadgenTickReport, LoadSummary, Percentiles, ThresholdResult } from '../../loadgen/index.js';
import type { CombinedLatency } from '../../metrics/index.js';
import { describeLoadgenFailure, type LoadgenExit } from './loadgen-child.js';
import type { RunTotals } from '../../metrics/index.js';

/** Why the demo ended. */
export type DemoEndReason = 'completed' | 'signal' | 'loadgen-ended';

export interface DemoEnding {
  reason: DemoEndReason;
  /** Before the planned length: Ctrl-C, SIGTERM, or the loadgen gone. */
  stoppedEarly: boolean;
  signal: NodeJS.Signals | null;
  /** One line for people. */
  detail: string;
}

/** The loadgen's view, from its `--json` record — or from its last `/ingest` report if it crashed. */
export interface DemoLoadgen {
  source: 'summary' | 'last-report' | 'none';
  exit: { code: number | null; signal: NodeJS.Signals | null; stopRequested: boolean; stoppedAtOnce: boolean };
  /** Set when the child did not end normally (never when the demo stopped it). */
  failure: string | null;
  /**
   * The figures are not the whole run's (no `--json` record): counts as of its last `/ingest` report,
   * so they may fall short of the server's, and loss is not settled.
   */
  partial: boolean;
  clients: { planned: number | null; peak: number; connects: number | null; reconnects: number | null };
  messages: {
    sent: number; pm: number | null; received: number; expected: number; lost: number; lossPercent: number;
    duplicated: number; reordered: number; late: number | null; unexpected: number | null; ambiguous: number | null;
    /** Messages due and never written (as of the last report when `partial`); null when not said. */
    unsent: number | null;
  };
  /** Whole-run percentiles (ms); null without the loadgen's summary. */
  latency: { corrected: Percentiles; uncorrected: Percentiles } | null;
  /** The last tick's percentiles (ms), when only the last report is known. */
  lastTickLatency: { corrected: Percentiles; uncorrected: Percentiles } | null;
  /**
   * Whole run, every generator that reported to this dashboard (the demo's and any other): the
   * percentiles of one histogram merged on the hub from their /ingest histograms. Null when none came.
   */
  combinedLatency: CombinedLatency | null;
  errors: Record<string, number>;
  errorsTotal: number;
  health: { trustworthy: boolean; note: string } | null;
}

export interface DemoThreshold {
  expr: string;
  /** null: not evaluated (the loadgen's summary is missing). */
  ok: boolean | null;
  value: number | null;
  unit: string;
  window: string;
}

/** `summary.json` (and everything `summary.md` shows). */
export interface DemoSummary {
  type: 'demo-summary';
  runId: string;
  /** The results folder, as given (relative to where the demo ran, or absolute). */
  folder: string;
  startedAt: string;
  endedAt: string;
  plannedS: number;
  /** Seconds of ticks recorded (the last tick's elapsed time). */
  durationS: number;
  ending: DemoEnding;
  config: Record<string, unknown>;
  dashboard: string;
  chat: string;
  server: RunTotals;
  loadgen: DemoLoadgen;
  thresholds: DemoThreshold[];
  /** `pass`/`fail` over the thresholds; `none` without any; `not evaluated` without the loadgen's summary. */
  verdict: 'pass' | 'fail' | 'none' | 'not evaluated';
  files: string[];
}

export interface DemoSummaryInput {
  runId: string;
  folder: string;
  startedAt: number;
  endedAt: number;
  plannedMs: number;
  ending: DemoEnding;
  config: Record<string, unknown>;
  dashboard: string;
  chat: string;
  server: RunTotals;
  loadgenExit: LoadgenExit | undefined;
  lastReport: LoadgenTickReport | undefined;
  /** The hub's merged histogram of every /ingest report (`TickAggregator.loadgenLatency()`). */
  combinedLatency?: CombinedLatency | null;
  thresholds: readonly string[];
  files: string[];
}

export function buildDemoSummary(i: DemoSummaryInput): DemoSummary {
  const loadgen = { ...loadgenPart(i.loadgenExit, i.lastReport), combinedLatency: i.combinedLatency ?? null };
  const thresholds: DemoThreshold[] = i.loadgenExit?.summary
    ? i.loadgenExit.summary.thresholds.map((t: ThresholdResult) => ({ expr: t.expr, ok: t.ok, value: t.value, unit: t.unit, window: t.window }))
    : i.thresholds.map((expr) => ({ expr, ok: null, value: null, unit: '', window: '' }));
  const verdict = thresholds.length === 0 ? 'none'
    : thresholds.some((t) => t.ok === null) ? 'not evaluated'
    : thresholds.every((t) => t.ok) ? 'pass' : 'fail';
  return {
    type: 'demo-summary', runId: i.runId, folder: i.folder,
    startedAt: new Date(i.startedAt).toISOString(), endedAt: new Date(i.endedAt).toISOString(),
    plannedS: i.plannedMs / 1000, durationS: i.server.durationS, ending: i.ending, config: i.config,
    dashboard: i.dashboard, chat: i.chat, server: i.server, loadgen, thresholds, verdict, files: i.files,
  };
}

function loadgenPart(exit: LoadgenExit | undefined, last: LoadgenTickReport | undefined): Omit<DemoLoadgen, 'combinedLatency'> {
  const exitInfo = {
    code: exit?.code ?? null, signal: exit?.signal ?? null, stopRequested: exit?.stopRequested ?? false, stoppedAtOnce: exit?.stoppedAtOnce ?? false,
  };
  const failure = exit ? describeLoadgenFailure(exit) ?? null : 'the load generator did not end';
  const s: LoadSummary | undefined = exit?.summary;
  if (s) {
    const m = s.messages;
    return {
      source: 'summary', exit: exitInfo, failure, partial: false,
      clients: { ...s.clients },
      messages: {
        sent: m.sent, pm: m.pm, received: m.received, expected: m.expected, lost: m.lost, lossPercent: m.lossPercent,
        duplicated: m.duplicated, reordered: m.reordered, late: m.late, unexpected: m.unexpected, ambiguous: m.ambiguous, unsent: m.unsent,
      },
      latency: s.latency, lastTickLatency: null, errors: s.errors, errorsTotal: s.errorsTotal,
      health: { trustworthy: s.health.trustworthy, note: s.health.note },
    };
  }
  const r = last;
  const errors = r ? { ...r.errors } : {};
  return {
    source: r ? 'last-report' : 'none', exit: exitInfo, failure, partial: true,
    clients: { planned: null, peak: r?.clients ?? 0, connects: null, reconnects: null },
    messages: {
      sent: r?.sentTotal ?? 0, pm: null, received: r?.receivedTotal ?? 0, expected: r?.expectedTotal ?? 0, lost: r?.lostTotal ?? 0,
      lossPercent: r && r.expectedTotal > 0 ? Math.round((1e5 * r.lostTotal) / r.expectedTotal) / 1000 : 0,
      duplicated: r?.duplicatedTotal ?? 0, reordered: r?.reorderedTotal ?? 0, late: null, unexpected: r?.unexpectedTotal ?? null,
      ambiguous: r?.ambiguousTotal ?? null, unsent: r?.waiting ?? null,
    },
    latency: null, lastTickLatency: r ? r.latencyMs : null, errors,
    errorsTotal: Object.values(errors).reduce((a, b) => a + b, 0), health: null,
  };
}

/** 0 when the demo did what it promised; 1 when a threshold failed or the load generator failed. */
export function demoExitCode(s: DemoSummary): number {
  return s.verdict === 'fail' || s.loadgen.failure !== null ? 1 : 0;
}
