import fs from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../store/database.js';
import { planRetention, retentionRows, type RetentionPolicy, type RetentionRow } from './run-retention.js';

export interface PruneOptions {
  /** Runs never pruned besides pinned and running ones: the current run. @default [] */
  protect?: readonly string[];
  /** Epoch ms. @default Date.now() */
  now?: number;
  /** Sample rows deleted per statement; the event loop gets a turn between two. @default 5000 */
  chunkRows?: number;
  /**
   * A file whose auto_vacuum is not yet incremental (written before retention) is converted with one
   * VACUUM up to this size; a VACUUM holds the event loop (~1 s per 100 MiB), so a big file is left
   * to `chatpulse runs prune`. @default 64 MiB
   */
  fullVacuumMaxBytes?: number;
  /** Stops between two chunks (shutdown); what is left is swept by the next pass. */
  signal?: AbortSignal;
}

export interface PruneReport {
  policy: RetentionPolicy;
  /** Runs pruned, newest first. */
  pruned: RetentionRow[];
  /** Sample ticks deleted (with those of runs a killed pass had left behind). */
  ticks: number;
  /** Runs in the store before, and pinned among them. */
  total: number;
  pinned: number;
  /** File plus WAL, bytes, before and after. */
  bytesBefore: number;
  bytesAfter: number;
  /** How the freed pages went back: `incremental_vacuum`, a one-time converting `VACUUM`, or not (file too big). */
  space: 'incremental' | 'vacuum' | 'kept' | 'none';
}

const SAMPLE_TABLES = ['room_samples', 'totals_samples'] as const;

/**
 * Applies a retention policy. Each run's row goes first (one transaction with its latency
 * histograms), so a run is gone for readers at once; its samples follow in chunks of `chunkRows`
 * with a turn of the event loop between, so that a run of millions of ticks never holds the chat
 * for seconds. Samples left by a pass that was stopped or killed are swept by the next one.
 */
export async function pruneRuns(db: Db, policy: RetentionPolicy, opts: PruneOptions = {}): Promise<PruneReport> {
  const file = db.name;
  const bytesBefore = fileBytes(file);
  const plan = planRetention(retentionRows(db), policy, { now: opts.now ?? Date.now(), protect: opts.protect ?? [] });
  const dropRun = db.transaction((id: string) => {
    // Pinned since the plan was made (a `chatpulse runs pin` from another process): kept.
    if (db.prepare('DELETE FROM runs WHERE id = ? AND pinned = 0').run(id).changes === 0) return false;
    db.prepare('DELETE FROM run_latency WHERE run_id = ?').run(id);
    return true;
  });
  const pruned = plan.prune.filter((r) => dropRun(r.id));
  const chunk = opts.chunkRows ?? 5000;
  let ticks = 0;
  for (const table of SAMPLE_TABLES) {
    const del = table === 'room_samples'
      ? db.prepare(`DELETE FROM room_samples WHERE (run_id, tick, room) IN
          (SELECT run_id, tick, room FROM room_samples WHERE run_id = @id LIMIT @chunk)`)
      : db.prepare(`DELETE FROM totals_samples WHERE run_id = @id AND tick IN
          (SELECT tick FROM totals_samples WHERE run_id = @id LIMIT @chunk)`);
    for (const id of orphanRunIds(db, table)) {
      for (;;) {
        if (opts.signal?.aborted) break;
        const n = del.run({ id, chunk }).changes;
        if (table === 'totals_samples') ticks += n;
        if (n < chunk) break;
        await nextTurn();
      }
    }
  }
  const space = pruned.length > 0 || ticks > 0 ? returnSpace(db, bytesBefore, opts.fullVacuumMaxBytes ?? 64 * 1024 * 1024) : 'none';
  return { policy, pruned, ticks, total: plan.total, pinned: plan.pinned, bytesBefore, bytesAfter: fileBytes(file), space };
}

/** Run ids that have samples but no row in `runs`: one index seek per id, not a scan of the table. */
function orphanRunIds(db: Db, table: (typeof SAMPLE_TABLES)[number]): string[] {
  const next = db.prepare(`SELECT run_id FROM ${table} WHERE run_id > ? ORDER BY run_id LIMIT 1`).pluck();
  const known = db.prepare('SELECT 1 FROM runs WHERE id = ?').pluck();
  const ids: string[] = [];
  for (let id = next.get('') as string | undefined; id !== undefined; id = next.get(id) as string | undefined) {
    if (known.get(id) === undefined) ids.push(id);
  }
  return ids;
}

function returnSpace(db: Db, bytes: number, fullVacuumMaxBytes: number): PruneReport['space'] {
  const mode = db.pragma('auto_vacuum', { simple: true }) as number;
  let space: PruneReport['space'];
  if (mode === 2) {
    db.exec('PRAGMA incremental_vacuum');
    space = 'incremental';
  } else if (mode === 1) {
    space = 'incremental';
  } else if (bytes <= fullVacuumMaxBytes) {
    // Once: from now on the file hands pages back with incremental_vacuum.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
    space = 'vacuum';
  } else {
    space = 'kept';
  }
  // The truncated pages leave the WAL for the main file, which then shrinks.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return space;
}

/** The store's file and its WAL, bytes; 0 for `:memory:`. */
export function fileBytes(file: string): number {
  let total = 0;
  for (const f of [file, `${file}-wal`]) {
    try {
      total += fs.statSync(f).size;
    } catch {
      // No WAL (or an in-memory store).
    }
  }
  return total;
}

/** The one log line a pass leaves: what went, how much space came back, what stays. */
export function retentionLine(r: PruneReport): string {
  const keep = describePolicy(r.policy);
  if (r.pruned.length === 0 && r.ticks === 0) {
    return `retention: nothing to prune (${r.total} run${r.total === 1 ? '' : 's'}${r.pinned ? `, ${r.pinned} pinned` : ''}; ${keep})`;
  }
  const ids = r.pruned.slice(0, 3).map((p) => p.id).join(', ') + (r.pruned.length > 3 ? `, … ${r.pruned.length - 3} more` : '');
  const runs = `${r.pruned.length} run${r.pruned.length === 1 ? '' : 's'}${ids ? ` (${ids})` : ''}`;
  const freed = Math.max(0, r.bytesBefore - r.bytesAfter);
  const space = r.space === 'kept'
    ? 'space reused for new ticks but not returned (file too big to compact while serving: chatpulse runs prune compacts it)'
    : `${mebibytes(freed)} returned`;
  return `retention: pruned ${runs} and ${r.ticks.toLocaleString('en-US')} ticks; ${space} (${keep}; results folders left as they are)`;
}

export function describePolicy(p: RetentionPolicy): string {
  const limits = [p.keepRuns > 0 ? String(p.keepRuns) : '', p.keepDays > 0 ? `${p.keepDays} day${p.keepDays === 1 ? '' : 's'}` : ''].filter(Boolean);
  return limits.length === 0 ? 'no limit' : `keep ${limits.join(', ')}`;
}

/** `4.2 MiB`, `464 KiB`: sizes in a log line, rounded for a reader. */
export function mebibytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
