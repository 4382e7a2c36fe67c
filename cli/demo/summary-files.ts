import fs from 'node:fs';
import path from 'node:path';
import { CSV_FILES, RunReader } from '../../metrics/index.js';
import { REPORT_FILE, writeRunReport } from '../../report/index.js';
import { openDatabase } from '../../store/database.js';
import { readRunTotals, type RunTotals } from '../../metrics/index.js';
import type { DemoSummary } from './summary.js';
import { summaryMarkdown } from './summary-format.js';
import { makeDir } from '../../protocol/make-dir.js';

export const SUMMARY_FILES = { json: 'summary.json', md: 'summary.md' } as const;

/** Every file a demo's results folder holds, in the order `summary.md` lists them. */
export const RESULT_FILES = [CSV_FILES.rooms, CSV_FILES.totals, CSV_FILES.mps_by_room, SUMMARY_FILES.json, SUMMARY_FILES.md, REPORT_FILE];

/**
 * The run as stored, summed — read from the closed store through a fresh connection, so the figures
 * are exactly the rows the CSV files were written from.
 */
export function readStoredRun(dbFile: string, runId: string): RunTotals {
  const db = openDatabase(dbFile);
  try {
    return readRunTotals(new RunReader(db), runId);
  } finally {
    db.close();
  }
}

/** Writes `report.html` (after `summary.json`, whose figures it shows) from the closed store. */
export function writeDemoReport(dbFile: string, runId: string, folder: string): string {
  const db = openDatabase(dbFile);
  try {
    return writeRunReport(db, runId, folder);
  } finally {
    db.close();
  }
}

/** Writes `summary.json` and `summary.md` into the run's folder, each under a temporary name first. */
export async function writeSummaryFiles(folder: string, summary: DemoSummary): Promise<void> {
  await writeSummaryPair(folder, summary, summaryMarkdown(summary));
}

/** `summary.json` (`summary` as JSON) and `summary.md` (`markdown`), each renamed into place when written. */
export async function writeSummaryPair(folder: string, summary: object, markdown: string): Promise<void> {
  makeDir(folder);
  const files: [string, string][] = [
    [SUMMARY_FILES.json, `${JSON.stringify(summary, null, 2)}\n`],
    [SUMMARY_FILES.md, markdown],
  ];
  for (const [name, text] of files) {
    const file = path.join(folder, name);
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, text);
    await fs.promises.rename(tmp, file);
  }
}
