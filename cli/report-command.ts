import fs from 'node:fs';
import path from 'node:path';
import type { RunDiffData, RunReportData } from '../protocol/run-report.js';
import {
  buildRunDiff, buildRunReport, diffFileName, DiffThresholdError, evaluateDiffThresholds, parseDiffThreshold, REPORT_FILE, ReportError,
  verdictOf, writePage, type DiffThreshold,
} from '../report/index.js';
import { isPinned, setPinned } from '../metrics/index.js';
import { openDatabase } from '../store/database.js';
import { flag, UsageError } from './flags.js';
import type { Command } from './command.js';
import { defaultDbPath } from './hub.js';
import { parseCommandFlags } from './parse-command-flags.js';

const spec = {
  baseline: flag.string('', 'a second run id (or latest): write a side-by-side diff (each figure with its change, spectra overlaid) instead'),
  threshold: flag.list("a verdict that sets the exit code: signed compares the change against --baseline ('p99<+10%', 'p99<+5ms', 'mps>-5%'), unsigned checks the run ('p99<50ms', 'loss<0.1%'); repeatable", (raw) => raw),
  out: { ...flag.string('', 'write the page here instead'), defaultLabel: '<results-dir>/<RUN>/report.html, or diff-<BASELINE>.html with --baseline' },
  resultsDir: flag.string('results', 'folder of the run folders and the default store'),
  db: { ...flag.string('', 'SQLite store the runs are in'), defaultLabel: '<results-dir>/chatpulse.db' },
  json: flag.bool(false, 'print the figures (and verdicts) as JSON on stdout'),
};

const FOOTER = `RUN is a run id as \`chatpulse server\` and the demo print it (results/<RUN>/), or \`latest\`.
The --baseline run is pinned, so that retention (--keep-runs, --keep-days) never prunes it;
\`chatpulse runs unpin RUN2\` releases it. A run's own report.html needs no pin: the page holds
everything it shows, and pruning leaves results/<RUN>/ alone.

Exit code: 0 when every threshold holds (or none was given), 1 when one fails or cannot be
evaluated (a gate that cannot check does not pass), 2 on a usage error or an unknown run.

examples:
  chatpulse report latest
  chatpulse report 2026-12-06T10-44-55Z-demo --baseline 2026-12-01T09-00-00Z-demo --threshold 'p99<+10%' --threshold 'mps>-5%'`;

export const reportCommand: Command = {
  summary: "a run's self-contained report.html from the store, or a diff against a baseline run that can gate CI",
  async run(argv) {
    const [first, ...rest] = argv;
    const positional = first !== undefined && !first.startsWith('-');
    const f = parseCommandFlags(positional ? rest : argv, spec, { usage: 'chatpulse report RUN [--baseline RUN2] [--threshold EXPR …] [flags]', summary: reportCommand.summary, footer: FOOTER });
    if (f === undefined) return 0;
    if (!positional) throw new UsageError('which run? chatpulse report RUN (a run id, or latest)');
    const thresholds = parseThresholds(f.threshold, f.baseline !== '');
    const dbFile = f.db || defaultDbPath(f.resultsDir);
    if (!fs.existsSync(dbFile)) throw new UsageError(`no store at '${dbFile.slice(0, 200)}' (--db FILE or --results-dir DIR)`);
    const db = openDatabase(dbFile);
    try {
      const runId = first === 'latest' ? latestRunId(db) : first;
      const runData = gather(db, runId, f.resultsDir);
      let page: RunReportData | RunDiffData;
      let file: string;
      if (f.baseline !== '') {
        // `latest` names a run on either side, as for RUN.
        if (f.baseline === 'latest') f.baseline = latestRunId(db);
        if (f.baseline === runId) throw new UsageError(`--baseline names the run itself ('${runId}'): pick another run`);
        page = buildRunDiff(runData, gather(db, f.baseline, f.resultsDir), thresholds);
        file = f.out || path.join(f.resultsDir, runId, diffFileName(f.baseline));
      } else {
        const results = evaluateDiffThresholds(thresholds, runData);
        page = runData;
        file = f.out || path.join(f.resultsDir, runId, REPORT_FILE);
        const verdict = verdictOf(results);
        writePage(file, page);
        print(f.json, { type: 'report', run: runId, file, thresholds: results, verdict }, () => thresholdLines(results));
        return verdict === 'fail' || verdict === 'not evaluated' ? 1 : 0;
      }
      writePage(file, page);
      const diff = page;
      // A run that other runs are measured against must outlive retention (DESIGN §5).
      if (isPinned(db, f.baseline) === false) {
        setPinned(db, f.baseline, true);
        (f.json ? process.stderr : process.stdout).write(`pinned ${f.baseline} as a baseline (chatpulse runs unpin ${f.baseline} to release it)\n`);
      }
      print(f.json, { type: 'diff', run: runId, baseline: f.baseline, file, figures: diff.figures, thresholds: diff.thresholds, verdict: diff.verdict },
        () => [...diffLines(diff), ...thresholdLines(diff.thresholds)]);
      return diff.verdict === 'fail' || diff.verdict === 'not evaluated' ? 1 : 0;
    } catch (err) {
      if (err instanceof ReportError) throw new UsageError(err.message);
      throw err;
    } finally {
      db.close();
    }
  },
};

function parseThresholds(list: readonly string[], withBaseline: boolean): DiffThreshold[] {
  return list.map((expr) => {
    let t: DiffThreshold;
    try {
      t = parseDiffThreshold(expr);
    } catch (err) {
      if (err instanceof DiffThresholdError) throw new UsageError(err.message);
      throw err;
    }
    if (t.mode !== 'value' && !withBaseline) throw new UsageError(`threshold '${expr.slice(0, 80)}' compares against a baseline: add --baseline RUN2, or drop the sign to check the run itself`);
    return t;
  });
}

function latestRunId(db: ReturnType<typeof openDatabase>): string {
  const row = db.prepare('SELECT id FROM runs ORDER BY start DESC, id DESC LIMIT 1').get() as { id: string } | undefined;
  if (row === undefined) throw new UsageError('the store holds no runs yet');
  return row.id;
}

function gather(db: ReturnType<typeof openDatabase>, runId: string, resultsDir: string): RunReportData {
  return buildRunReport(db, runId, path.join(resultsDir, runId));
}

function print(json: boolean, record: Record<string, unknown> & { file: string }, lines: () => string[]): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(record)}\n`);
    return;
  }
  const body = lines();
  process.stdout.write(`${body.length ? `${body.join('\n')}\n\n` : ''}written to ${record.file}\n`);
}

const n = (v: number | null) => (v === null ? '—' : String(v));
const signed = (v: number | null, unit = '') => (v === null ? '—' : `${v > 0 ? '+' : ''}${v}${unit}`);

function diffLines(d: RunDiffData): string[] {
  const rows = d.figures.map((f) => [f.label, `${n(f.run)}${f.unit && f.run !== null ? ` ${f.unit}` : ''}`, n(f.baseline), signed(f.delta), signed(f.percent, '%')]);
  const head = ['figure', 'run', 'baseline', 'change', 'change %'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i] ?? 0) : c.padStart(w[i] ?? 0))).join('  ');
  return [`run ${d.run.run.id} against baseline ${d.baseline.run.id}`, '', fmt(head), ...rows.map(fmt)];
}

function thresholdLines(list: RunDiffData['thresholds']): string[] {
  if (list.length === 0) return [];
  return ['', ...list.map((t) => `  ${t.ok === null ? 'NOT EVALUATED' : t.ok ? 'ok  ' : 'FAIL'}  ${t.expr}${t.value === null ? '' : `  (${t.against === 'change' ? signed(t.value) : t.value}${t.unit === '%' ? '%' : t.unit ? ` ${t.unit}` : ''})`}${t.note ? `  — ${t.note}` : ''}`)];
}
