import fs from 'node:fs';
import path from 'node:path';
import { isRunId, RunStore, timeUtc, type Snapshot } from '../metrics/index.js';
import { CSV_FILES } from '../protocol/csv-columns.js';
import { MAX_CSV_BYTES, runFromCsvFiles } from '../protocol/csv-files.js';
import { RunCsvError } from '../protocol/run-csv.js';
import { openDatabase } from '../store/database.js';
import { flag, UsageError } from './flags.js';
import type { Command } from './command.js';
import { defaultDbPath } from './hub.js';
import { parseCommandFlags } from './parse-command-flags.js';
import { makeDir } from '../protocol/make-dir.js';

const spec = {
  label: { ...flag.string('', 'label of the imported run'), defaultLabel: "the folder's run id label, or 'imported'" },
  resultsDir: flag.string('results', 'folder of the run folders and the default store; summary.json goes to <results-dir>/<RUN>/'),
  db: { ...flag.string('', 'SQLite store to import into'), defaultLabel: '<results-dir>/chatpulse.db' },
};

const FOOTER = `DIR is a run folder as the demo and \`chatpulse server\` write it (results/<RUN>/): its rooms.csv
and totals.csv (either is enough) become a run in the store, status imported, so that
\`chatpulse report RUN\` and \`--baseline RUN\` work with it. The run keeps the folder's id when it is
free in the store (else it gets a fresh one, printed). A summary.json beside the CSV files is copied
to <results-dir>/<RUN>/ with its run id and folder rewritten: the report then shows the load
generators' figures from it, a demo's or a server's, and from a server's also its private messages and
the reasons of its errors and disconnects.
FILE is one rooms.csv or totals.csv. Not in the CSV files, and so not in an imported run without a
summary.json: private messages, connections opened, errors and disconnects by reason (the report says
"not in the CSV files", never 0 or none), the merged latency histograms (no spectrum).

Exit code: 0 when imported, 2 on a usage error or a file that is not a chatpulse CSV (one line saying
which file, line and column).

examples:
  chatpulse import ~/Downloads/2026-11-22T14-03-05Z-demo
  chatpulse import totals.csv --label laptop`;

/** Ticks written per transaction: a few hundred keep the write fast without holding the file long. */
const TICKS_PER_TRANSACTION = 500;

export const importCommand: Command = {
  summary: "put a run's CSV folder (rooms.csv, totals.csv) back into the store, for report and --baseline",
  async run(argv) {
    const [target, ...rest] = argv;
    const positional = target !== undefined && !target.startsWith('-');
    const f = parseCommandFlags(positional ? rest : argv, spec, { usage: 'chatpulse import DIR|FILE [--label L] [flags]', summary: importCommand.summary, footer: FOOTER });
    if (f === undefined) return 0;
    if (!positional) throw new UsageError('which folder or file? chatpulse import DIR (a run folder with rooms.csv/totals.csv) or FILE');
    const source = readSource(target);
    let csv;
    try {
      csv = runFromCsvFiles(source.files);
    } catch (err) {
      if (err instanceof RunCsvError) throw new UsageError(err.message);
      throw err;
    }
    const folderId = path.basename(source.dir);
    const wanted = isRunId(folderId) ? folderId : undefined;
    const label = f.label || (wanted ? wanted.replace(/^[^Z]*Z-/, '') : 'imported');
    const dbFile = f.db || defaultDbPath(f.resultsDir);
    const db = openDatabase(dbFile);
    try {
      const store = new RunStore(db);
      const run = store.startRun({ id: wanted, label, start: csv.run.start, config: { importedFrom: path.resolve(target) } });
      try {
        writeTicks(db, store, csv.snapshots.map((s) => ({ ...s, runId: run.id })));
        store.finishRun(run.id, 'imported');
      } catch (err) {
        store.deleteRun(run.id);
        throw err;
      }
      const copied = copySummary(source.summary, run.id, f.resultsDir);
      const flags = `${f.resultsDir !== 'results' ? ` --results-dir ${f.resultsDir}` : ''}${f.db ? ` --db ${f.db}` : ''}`;
      const renamed = wanted !== undefined && wanted !== run.id ? ` (${wanted} is taken in this store)` : '';
      console.log(`imported ${csv.snapshots.length} ticks of ${timeUtc(csv.run.start).slice(0, 19)} UTC as run ${run.id}${renamed}; chatpulse report ${run.id}${flags}`);
      if (copied !== null) console.log(copied);
      return 0;
    } finally {
      db.close();
    }
  },
};

interface Source {
  /** The run folder (a FILE's own folder). */
  dir: string;
  files: { name: string; text: string }[];
  summary: string | null;
}

/** rooms.csv and totals.csv of a folder, or one file; each checked against the size limit before it is read. */
function readSource(target: string): Source {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new UsageError(`no such folder or file: '${target.slice(0, 200)}'`);
  }
  const dir = stat.isDirectory() ? target : path.dirname(target);
  const paths = stat.isDirectory()
    ? [CSV_FILES.rooms, CSV_FILES.totals].map((n) => path.join(target, n)).filter((p) => fs.existsSync(p))
    : [target];
  if (paths.length === 0) throw new UsageError(`'${target.slice(0, 200)}' holds neither rooms.csv nor totals.csv: give a run folder or one of those files`);
  const files = paths.map((p) => {
    const size = fs.statSync(p).size;
    if (size > MAX_CSV_BYTES) throw new UsageError(`${path.basename(p)}: too big (${Math.round(size / 1048576)} MB): the limit is ${MAX_CSV_BYTES / 1048576} MB`);
    return { name: path.basename(p), text: fs.readFileSync(p, 'utf8') };
  });
  const summaryFile = path.join(dir, 'summary.json');
  const summary = stat.isDirectory() && fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, 'utf8') : null;
  return { dir: path.resolve(dir), files, summary };
}

function writeTicks(db: ReturnType<typeof openDatabase>, store: RunStore, snapshots: Snapshot[]): void {
  const batch = db.transaction((list: Snapshot[]) => {
    for (const s of list) store.record(s);
  });
  for (let i = 0; i < snapshots.length; i += TICKS_PER_TRANSACTION) batch(snapshots.slice(i, i + TICKS_PER_TRANSACTION));
}

/**
 * The folder's summary.json, its `runId` and `folder` rewritten to the imported run's, into
 * `<resultsDir>/<runId>/` (the report reads a demo's from there). Returns a line to print, or null without one.
 */
function copySummary(text: string | null, runId: string, resultsDir: string): string | null {
  if (text === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'summary.json not copied: it is not JSON';
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'summary.json not copied: it is not a chatpulse summary';
  const folder = path.join(resultsDir, runId);
  const out = path.join(folder, 'summary.json');
  makeDir(folder);
  const record = v as Record<string, unknown>;
  fs.writeFileSync(out, `${JSON.stringify({ ...record, runId, ...('folder' in record && { folder }) }, null, 2)}\n`);
  return `summary.json copied to ${out}`;
}
