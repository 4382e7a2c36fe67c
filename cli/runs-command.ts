import fs from 'node:fs';
import {
  describePolicy, estimateRunBytes, mebibytes, planRetention, pruneRuns, retentionLine, retentionRows, RunStore, setPinned, timeUtc,
  type RetentionRow,
} from '../metrics/index.js';
import { openDatabase, type Db } from '../store/database.js';
import { flag, UsageError } from './flags.js';
import type { Command } from './command.js';
import { defaultDbPath } from './hub.js';
import { parseCommandFlags } from './parse-command-flags.js';
import { serverFlags } from './server-flags.js';

const storeFlags = {
  resultsDir: flag.string('results', 'folder of the run folders and the default store'),
  db: { ...flag.string('', 'SQLite store the runs are in'), defaultLabel: '<results-dir>/chatpulse.db' },
};
const pruneFlags = {
  keepRuns: serverFlags.keepRuns,
  keepDays: serverFlags.keepDays,
  dryRun: flag.bool(false, 'say what would be pruned and prune nothing'),
  ...storeFlags,
};

const USAGE = 'chatpulse runs list | pin RUN | unpin RUN | prune [--keep-runs N] [--keep-days D] [--dry-run] [flags]';

const FOOTER = `
actions:
  list         every run in the store, newest first: id, label, status, start (UTC), ticks, pinned, size
  pin RUN      retention never prunes RUN (chatpulse report --baseline RUN pins it too)
  unpin RUN    RUN is pruned again like any other run when the policy says so
  prune        apply a retention policy now (a server applies its own at start and daily). Unlike a
               server, it also compacts a store written before retention existed with one VACUUM

Pruning deletes a run's ticks from the store; its results/<RUN>/ folder (CSV, summary, report.html) is
left as it is. Pinned runs and runs still running are never pruned and not counted in --keep-runs.
Exit code: 0 done, 1 when pruning failed (a store locked too long), 2 on a usage error or an unknown run.

examples:
  chatpulse runs list
  chatpulse runs pin 2026-12-01T09-00-00Z-demo
  chatpulse runs prune --keep-runs 20 --keep-days 30 --dry-run`;

export const runsCommand: Command = {
  summary: 'list the runs in the store, pin or unpin one, prune old ones (--keep-runs, --keep-days)',
  async run(argv) {
    const [action, ...rest] = argv;
    const help = { usage: USAGE, summary: runsCommand.summary, footer: FOOTER };
    if (action === undefined || action.startsWith('-')) {
      // Help lists every flag (prune's are a superset of the others').
      const f = parseCommandFlags(argv, pruneFlags, help);
      if (f === undefined) return 0;
      throw new UsageError('which action? chatpulse runs list | pin RUN | unpin RUN | prune');
    }
    if (action === 'list') return withStore(parseCommandFlags(rest, storeFlags, help), list);
    if (action === 'prune') {
      const f = parseCommandFlags(rest, pruneFlags, help);
      return withStore(f, (db) => prune(db, { keepRuns: f?.keepRuns ?? 0, keepDays: f?.keepDays ?? 0 }, f?.dryRun ?? false));
    }
    if (action === 'pin' || action === 'unpin') {
      const [id, ...flags] = rest;
      if (id === undefined || id.startsWith('-')) {
        const f = parseCommandFlags(rest, storeFlags, help);
        if (f === undefined) return 0;
        throw new UsageError(`which run? chatpulse runs ${action} RUN (chatpulse runs list shows them)`);
      }
      return withStore(parseCommandFlags(flags, storeFlags, help), (db) => pin(db, id, action === 'pin'));
    }
    throw new UsageError(`unknown action '${action.slice(0, 40)}' (list, pin, unpin, prune)`);
  },
};

/** Opens the store the flags name (it must exist: an empty new file helps nobody) and runs `fn`. */
async function withStore(f: { resultsDir: string; db: string } | undefined, fn: (db: Db) => Promise<number | void> | number | void): Promise<number> {
  if (f === undefined) return 0;
  const file = f.db || defaultDbPath(f.resultsDir);
  if (!fs.existsSync(file)) throw new UsageError(`no store at '${file.slice(0, 200)}' (--db FILE or --results-dir DIR)`);
  const db = openDatabase(file);
  try {
    // As a server's start does: a run whose process is gone (kill -9, a crash) is not running any more.
    for (const id of new RunStore(db).abortStale()) console.error(`run ${id} was left running by a process that is gone: marked aborted`);
    return (await fn(db)) ?? 0;
  } finally {
    db.close();
  }
}

function list(db: Db): void {
  const rows = retentionRows(db);
  if (rows.length === 0) {
    console.log(`no runs in ${db.name}`);
    return;
  }
  const sizes = estimateRunBytes(db, rows.map((r) => r.id));
  const head = ['id', 'label', 'status', 'start (UTC)', 'ticks', 'pinned', 'size'];
  const table = rows.map((r) => [r.id, r.label.slice(0, 24), r.status, timeUtc(r.start).slice(0, 19), String(r.ticks), r.pinned ? 'pinned' : '',
    `≈${mebibytes(sizes.get(r.id) ?? 0)}`]);
  const w = head.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 4 || i === 6 ? c.padStart(w[i] ?? 0) : c.padEnd(w[i] ?? 0))).join('  ').trimEnd();
  console.log([fmt(head), ...table.map(fmt)].join('\n'));
}

function pin(db: Db, id: string, pinned: boolean): void {
  if (!setPinned(db, id, pinned)) throw new UsageError(unknownRun(retentionRows(db), id));
  console.log(pinned ? `pinned ${id}: retention never prunes it (chatpulse runs unpin ${id} to release it)` : `unpinned ${id}: retention prunes it again when the policy says so`);
}

async function prune(db: Db, policy: { keepRuns: number; keepDays: number }, dryRun: boolean): Promise<number> {
  if (dryRun) {
    const plan = planRetention(retentionRows(db), policy, { now: Date.now() });
    const ticks = plan.prune.reduce((n, r) => n + r.ticks, 0);
    console.log(plan.prune.length === 0
      ? `retention: nothing to prune (${plan.total} runs; ${describePolicy(policy)}) — dry run`
      : `retention: would prune ${plan.prune.length} runs (${plan.prune.map((r) => r.id).join(', ')}) and ${ticks.toLocaleString('en-US')} ticks — dry run, nothing deleted`);
    return 0;
  }
  // Asked for by hand, so a store written before retention is compacted whatever its size.
  try {
    console.log(retentionLine(await pruneRuns(db, policy, { fullVacuumMaxBytes: Infinity })));
  } catch (err) {
    // A store locked by a busy server (SQLITE_BUSY after 5 s): one line, exit 1; the next pass sweeps what is left.
    console.error(`chatpulse runs: prune failed: ${(err as Error).message}`);
    return 1;
  }
  return 0;
}

/** One line for an id the store does not hold, with the newest ids to pick from. */
export function unknownRun(rows: readonly RetentionRow[], id: string): string {
  const newest = rows.slice(0, 5).map((r) => r.id);
  return `no run '${id.slice(0, 80)}' in the store (${newest.length ? `newest: ${newest.join(', ')}` : 'it holds no runs'})`;
}
