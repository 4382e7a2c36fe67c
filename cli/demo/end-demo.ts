import type { LoadgenTickReport } from '../../loadgen/index.js';
import type { Hub } from '../hub.js';
import { describeLoadgenFailure, type LoadgenExit } from './loadgen-child.js';
import { buildDemoSummary, demoExitCode, type DemoEnding, type DemoEndReason } from './summary.js';
import { readStoredRun, RESULT_FILES, writeDemoReport, writeSummaryFiles } from './summary-files.js';
import { summaryText } from './summary-format.js';
import type { DemoIo } from './demo-io.js';
import type { DemoPlan } from '../demo-flags.js';

export interface EndRequest {
  reason: DemoEndReason;
  signal: NodeJS.Signals | null;
}

export interface EndDemoInput {
  hub: Hub;
  io: DemoIo;
  request: EndRequest;
  exit: LoadgenExit;
  lastReport: LoadgenTickReport | undefined;
  startedAt: number;
  plan: DemoPlan;
  config: Record<string, unknown>;
  db: string;
  dashboard: string;
  chat: string;
  thresholds: readonly string[];
}

/** Whatever else happens, the ending must not hang: the run is in the store either way. */
const ENDING_LIMIT_MS = 20_000;

/**
 * The clients are gone: close the hub (the chat, then the last tick, the run and its CSV files),
 * then sum the stored run, write `summary.json`, `summary.md` and `report.html`, print the table and the folder.
 */
export async function endDemo(i: EndDemoInput): Promise<number> {
  const force = setTimeout(() => {
    i.io.err.write('chatpulse demo: writing the results took too long; the ticks so far are in the store\n');
    process.exit(1);
  }, ENDING_LIMIT_MS);
  force.unref();
  try {
    i.hub.dashboard.clearCountdown();
    await i.hub.close();
    const metrics = i.hub.metrics;
    if (!metrics) throw new Error('demo needs metrics');
    const folder = await metrics.close();
    const endedAt = Date.now();
    // The last tick carries the drain, with the load generator's final /ingest report.
    const lastReport = metrics.aggregator.latest?.loadgen.find((r) => r.source === 'demo') ?? i.lastReport;
    const server = readStoredRun(i.db, metrics.run.id);
    const summary = buildDemoSummary({
      runId: metrics.run.id, folder, startedAt: i.startedAt, endedAt, plannedMs: i.plan.durationMs,
      ending: ending(i.request, i.exit), config: i.config, dashboard: i.dashboard, chat: i.chat, server,
      loadgenExit: i.exit, lastReport, combinedLatency: metrics.aggregator.loadgenLatency(), thresholds: i.thresholds, files: RESULT_FILES,
    });
    await writeSummaryFiles(folder, summary);
    try {
      writeDemoReport(i.db, metrics.run.id, folder);
    } catch (err) {
      // The CSV and summaries are written: a missing page is said, not fatal (`chatpulse report` can retry).
      i.io.err.write(`chatpulse demo: report.html not written: ${(err as Error).message}\n`);
    }
    i.io.out.write(`\n${summaryText(summary)}\n\nresults written to ${folder}\n  ${RESULT_FILES.join(', ')}\n`);
    return demoExitCode(summary);
  } finally {
    clearTimeout(force);
  }
}

function ending(r: EndRequest, exit: LoadgenExit): DemoEnding {
  if (r.reason === 'completed') return { reason: 'completed', stoppedEarly: false, signal: null, detail: 'ran its planned length' };
  if (r.reason === 'signal') {
    const by = `stopped by ${r.signal === 'SIGINT' ? 'Ctrl-C (SIGINT)' : r.signal}`;
    // A second Ctrl-C is the user's choice, not a crash: said as such, the loadgen's figures partial.
    const atOnce = exit.stoppedAtOnce ? '; the load generator was stopped at once, so its figures are partial' : '';
    return { reason: 'signal', stoppedEarly: true, signal: r.signal, detail: `${by}${atOnce}` };
  }
  const failure = describeLoadgenFailure(exit);
  return { reason: 'loadgen-ended', stoppedEarly: true, signal: null, detail: failure ?? 'the load generator ended before the planned time' };
}
