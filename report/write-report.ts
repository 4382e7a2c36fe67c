/**
 * Writing the pages: `report.html` in a run's folder (the demo and `server` at the end of a run,
 * `chatpulse report` on demand) and the diff page beside it. Each file under a temporary name first,
 * so a reader never sees half a page.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunDiffData, RunReportData } from '../protocol/run-report.js';
import type { Db } from '../store/database.js';
import { renderRunReportHtml } from './report-html.js';
import { buildRunReport } from './run-report-data.js';
import { makeDir } from '../protocol/make-dir.js';

export const REPORT_FILE = 'report.html';

/** The diff page's name in the run's folder: one per baseline, so several can sit side by side. */
export function diffFileName(baselineId: string): string {
  return `diff-${baselineId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}.html`;
}

export function writePage(file: string, data: RunReportData | RunDiffData): void {
  makeDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, renderRunReportHtml(data));
  fs.renameSync(tmp, file);
}

/** Builds and writes `<runFolder>/report.html`; returns its path. */
export function writeRunReport(db: Db, runId: string, runFolder: string): string {
  const file = path.join(runFolder, REPORT_FILE);
  writePage(file, buildRunReport(db, runId, runFolder));
  return file;
}
