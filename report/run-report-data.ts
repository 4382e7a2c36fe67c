/**
 * A stored run, gathered for its report: the ticks and totals from the SQLite store, the whole-run
 * latency histograms the hub merged (for the percentile spectrum), and — when the run's results
 * folder holds one — its `summary.json`: a demo's figures the report shows as they are; a server's
 * fill in, for an imported run, what its CSV files do not hold.
 */
import fs from 'node:fs';
import path from 'node:path';
import { percentileSpectrum } from '../loadgen/index.js';
import { readRunLatency, readRunTotals, RunReader, storedPercentiles, type Snapshot } from '../metrics/index.js';
import type { LoadgenTickReport, Percentiles } from '../protocol/loadgen-report.js';
import { REPORT_MAX_TICKS, type ReportLoadgen, type ReportThreshold, type RunReportData, type RunTotals } from '../protocol/run-report.js';
import type { Db } from '../store/database.js';

export class ReportError extends Error {
  readonly code = 'CHATPULSE_REPORT';
}

/** Ticks read per query while gathering a run. */
const PAGE = 1000;

/** The report of `runId` as stored in `db`, with `<runFolder>/summary.json` (the demo's) when present. */
export function buildRunReport(db: Db, runId: string, runFolder: string, now = new Date()): RunReportData {
  const reader = new RunReader(db);
  const run = reader.getRun(runId);
  if (run === undefined) throw new ReportError(noSuchRun(reader, runId));
  const { snapshots, thinnedFrom } = readTicks(reader, runId, run.ticks);
  const stored = readRunLatency(db, runId);
  const json = readSummaryJson(path.join(runFolder, 'summary.json'), runId);
  const summary = json && demoSummaryPart(json);
  const server = json?.type === 'server-summary' ? serverSummaryPart(json) : undefined;
  const storedLatency = stored && stored.corrected.totalCount > 0 ? { ...storedPercentiles(stored), source: 'stored-histograms' as const } : null;
  return {
    kind: 'run',
    run: { id: run.id, label: run.label, start: run.start, end: run.end, status: run.status, ticks: run.ticks, config: run.config },
    generatedAt: now.toISOString(),
    ending: summary?.ending ?? null,
    server: importedTotals(readRunTotals(reader, runId), run.status, json?.server),
    // An imported run has neither the reports nor the histograms: a server's summary.json still says them.
    loadgen: summary?.loadgen ?? loadgenFromReports(snapshots) ?? server?.loadgen ?? loadgenFromTickColumns(reader, runId, run.ticks),
    latency: summary?.latency ? { ...summary.latency, source: 'loadgen-summary' } : storedLatency ?? (server?.latency ? { ...server.latency, source: 'server-summary' } : null),
    spectrum: stored && stored.corrected.totalCount > 0
      ? { corrected: percentileSpectrum(stored.corrected), uncorrected: percentileSpectrum(stored.uncorrected) }
      : null,
    thresholds: summary?.thresholds ?? [],
    verdict: summary?.verdict ?? 'none',
    snapshots,
    thinnedFrom,
  };
}

function noSuchRun(reader: RunReader, runId: string): string {
  const recent = reader.listRuns(3).map((r) => r.id);
  return `no run '${runId.slice(0, 80)}' in the store${recent.length ? ` (newest: ${recent.join(', ')})` : ' (it holds no runs)'}`;
}

/** Every tick, or every n-th of a run longer than REPORT_MAX_TICKS (the last one always kept). */
function readTicks(reader: RunReader, runId: string, ticks: number): { snapshots: Snapshot[]; thinnedFrom: number | null } {
  const every = Math.max(1, Math.ceil(ticks / REPORT_MAX_TICKS));
  const out: Snapshot[] = [];
  let lastSeen: Snapshot | undefined;
  for (let after = 0; ; ) {
    const page = reader.snapshots(runId, {}, after, PAGE);
    if (page.length === 0) break;
    for (const s of page) {
      if ((s.tick - 1) % every === 0) out.push(s);
      lastSeen = s;
    }
    after = page[page.length - 1]!.tick;
  }
  if (lastSeen !== undefined && out[out.length - 1] !== lastSeen) out.push(lastSeen);
  return { snapshots: out, thinnedFrom: every > 1 ? ticks : null };
}

/**
 * Without a summary, the load generators' side is what reached the dashboard: each source's last
 * report (running totals), summed. Partial by nature — loss is not settled until a generator ends.
 */
function loadgenFromReports(snapshots: readonly Snapshot[]): ReportLoadgen | null {
  const last = new Map<string, LoadgenTickReport>();
  let saturatedTicks = 0;
  for (const s of snapshots) {
    for (const r of s.loadgen) last.set(r.source, r);
    if (s.loadgen.some((r) => r.saturated)) saturatedTicks++;
  }
  if (last.size === 0) return null;
  const gens = [...last.values()].map((r): GeneratorTotals => ({
    clients: r.clients, sent: r.sentTotal, received: r.receivedTotal, expected: r.expectedTotal, lost: r.lostTotal,
    duplicated: r.duplicatedTotal, reordered: r.reorderedTotal, errors: r.errors,
  }));
  return lastReports(gens, {
    trustworthy: saturatedTicks === 0,
    note: saturatedTicks === 0 ? `${last.size} generator(s) reported; none saturated`
      : `a generator was saturated in ${saturatedTicks} drawn tick(s): its latencies there are suspect`,
  });
}

/**
 * An imported run with neither reports nor a summary.json still has, in each tick of its totals.csv,
 * what the generators reported in it: sent, received and lost (`loadgen_*`). Summed over every tick
 * (not the drawn ones), they are the run's counts as the ticks said them. What the columns do not
 * hold stays unknown: duplicates, unexpected deliveries, clients, errors by kind. `expected` is taken
 * as received + lost — exact when nothing was duplicated or unexpected, which the columns cannot say.
 */
function loadgenFromTickColumns(reader: RunReader, runId: string, ticks: number): ReportLoadgen | null {
  let sent = 0;
  let received = 0;
  let lost = 0;
  let reported = 0;
  for (let after = 0; after < ticks; after += PAGE) {
    for (const r of reader.totalsRows(runId, {}, after, PAGE)) {
      if (r.loadgen === null) continue;
      reported++;
      sent += r.loadgen.sent;
      received += r.loadgen.received;
      lost += r.loadgen.lost;
    }
  }
  if (reported === 0) return null;
  const expected = received + lost;
  return {
    source: 'tick-columns', partial: true,
    clients: { planned: null, peak: null, connects: null, reconnects: null },
    messages: {
      sent, pm: null, received, expected, lost, lossPercent: expected > 0 ? Math.round((1e5 * lost) / expected) / 1000 : 0,
      duplicated: null, reordered: null, late: null, unexpected: null, ambiguous: null,
    },
    errors: {},
    health: null,
  };
}

/** One generator's running totals as of its last report (a tick's report, or a server summary's entry). */
interface GeneratorTotals {
  clients: number; sent: number; received: number; expected: number; lost: number; duplicated: number; reordered: number;
  errors: Record<string, number>;
}

/** Generators' last reports summed: counts as of then, loss not settled (`partial`). */
function lastReports(gens: readonly GeneratorTotals[], health: ReportLoadgen['health']): ReportLoadgen {
  const sum = (f: (g: GeneratorTotals) => number) => gens.reduce((a, g) => a + (Number.isFinite(f(g)) ? f(g) : 0), 0);
  const errors: Record<string, number> = {};
  for (const g of gens) for (const [k, n] of Object.entries(g.errors ?? {})) errors[k] = (errors[k] ?? 0) + n;
  const expected = sum((g) => g.expected);
  const lost = sum((g) => g.lost);
  return {
    source: 'last-report', partial: true,
    clients: { planned: null, peak: sum((g) => g.clients), connects: null, reconnects: null },
    messages: {
      sent: sum((g) => g.sent), pm: null, received: sum((g) => g.received), expected, lost,
      lossPercent: expected > 0 ? Math.round((1e5 * lost) / expected) / 1000 : 0,
      duplicated: sum((g) => g.duplicated), reordered: sum((g) => g.reordered), late: null, unexpected: null, ambiguous: null,
    },
    errors,
    health,
  };
}

interface DemoSummaryPart {
  ending: string | null;
  loadgen: ReportLoadgen;
  latency: { corrected: Percentiles; uncorrected: Percentiles } | null;
  thresholds: ReportThreshold[];
  verdict: RunReportData['verdict'];
}

/** This run's `summary.json` (the demo's or the server's), parsed; undefined when missing, unreadable or another run's. */
function readSummaryJson(file: string, runId: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || (v as { runId?: unknown }).runId !== runId) return undefined;
  return v as Record<string, unknown>;
}

/** A demo's summary, read as the report's source of loadgen figures; undefined when it is not one (the report then goes without). */
function demoSummaryPart(v: Record<string, unknown>): DemoSummaryPart | undefined {
  if (v.type !== 'demo-summary') return undefined;
  const l = v.loadgen as (ReportLoadgen & { latency: DemoSummaryPart['latency'] }) | undefined;
  if (l === undefined || typeof l !== 'object' || typeof l.messages !== 'object') return undefined;
  return {
    ending: typeof (v.ending as { detail?: unknown })?.detail === 'string' ? (v.ending as { detail: string }).detail : null,
    loadgen: { source: l.source, partial: l.partial, clients: l.clients, messages: l.messages, errors: l.errors ?? {}, health: l.health ?? null },
    latency: l.latency ?? null,
    thresholds: Array.isArray(v.thresholds) ? (v.thresholds as ReportThreshold[]) : [],
    verdict: (v.verdict as RunReportData['verdict']) ?? 'none',
  };
}

/**
 * A `chatpulse server` summary's load side: each generator as of its last report, summed (as
 * `loadgenFromReports` sums them from the ticks), and their merged whole-run latency.
 */
function serverSummaryPart(v: Record<string, unknown>): { loadgen: ReportLoadgen | null; latency: { corrected: Percentiles; uncorrected: Percentiles } | null } {
  const gens = Array.isArray(v.generators) ? (v.generators as GeneratorTotals[]).filter((g) => g !== null && typeof g === 'object' && typeof g.sent === 'number') : [];
  const combined = v.combinedLatency as { corrected?: Percentiles; uncorrected?: Percentiles } | null | undefined;
  const latency = combined?.corrected && combined.uncorrected && combined.corrected.count > 0 ? { corrected: combined.corrected, uncorrected: combined.uncorrected } : null;
  return { loadgen: gens.length === 0 ? null : lastReports(gens, null), latency };
}

/**
 * An imported run's totals: what the CSV files hold, and what they do not (private messages, the
 * reasons of errors and disconnects) from the folder's summary.json when it has them — else marked
 * unknown, never shown as 0 and "none".
 */
function importedTotals(t: RunTotals, status: string, fromSummary: unknown): RunTotals {
  if (status !== 'imported') return t;
  const s = fromSummary as Partial<RunTotals> | undefined;
  if (s === undefined || s === null || typeof s !== 'object' || typeof s.privateMessages !== 'number') return { ...t, notInCsv: true };
  return {
    ...t, privateMessages: s.privateMessages,
    errorsByReason: s.errorsByReason ?? {}, disconnectsByReason: s.disconnectsByReason ?? {},
    counters: { ...t.counters, privateMessagesTotal: s.counters?.privateMessagesTotal ?? s.privateMessages },
  };
}
