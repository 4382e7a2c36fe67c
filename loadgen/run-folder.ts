/**
 * A run folder (`chatpulse loadgen --out DIR`): `summary.json` (the `--json` record), `summary.md`
 * (the table in Markdown) and `report.html` (one self-contained page: opens from file:// offline).
 */
import fs from 'node:fs';
import path from 'node:path';
import { readChartJs } from './html-inline.js';
import type { LoadgenTickReport } from './report.js';
import { renderReportHtml, type ReportData, type TickPoint } from './report-html.js';
import { formatSummaryMarkdown } from './summary-md.js';
import { makeDir } from '../protocol/make-dir.js';

export const RUN_FOLDER_FILES = ['summary.json', 'summary.md', 'report.html'] as const;

export class RunFolderError extends Error {
  readonly code = 'CHATPULSE_RUN_FOLDER';
}

/** Creates `dir` (and its parents) now, before the run, so that a bad path costs no load. */
export function prepareRunFolder(dir: string): void {
  try {
    makeDir(dir);
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new RunFolderError(`cannot create or write '${dir.slice(0, 200)}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The per-tick figures the report charts, from the report each tick already makes. */
export function tickPoint(r: LoadgenTickReport): TickPoint {
  const { corrected: c, uncorrected: u } = r.latencyMs;
  return {
    t: r.elapsedS, clients: r.clients, sent: r.sent, received: r.received, saturated: r.saturated,
    // An idle tick has no latency: a gap in the line, not a fall to 0 ms.
    p50: c.count ? c.p50 : null, p99: c.count ? c.p99 : null, p50u: u.count ? u.p50 : null, p99u: u.count ? u.p99 : null,
  };
}

/** Writes the three files into `dir` (created if missing). Chart.js is read from node_modules now. */
export function writeRunFolder(dir: string, data: ReportData): void {
  prepareRunFolder(dir);
  fs.writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify(data.summary, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'summary.md'), formatSummaryMarkdown(data.summary));
  fs.writeFileSync(path.join(dir, 'report.html'), renderReportHtml(data, readChartJs()));
}

