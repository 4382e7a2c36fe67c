import type { Db } from '../store/database.js';
import { ensureRunSchema } from './run-schema.js';

/** Which past runs the store keeps (`--keep-runs`, `--keep-days`). */
export interface RetentionPolicy {
  /** Past runs kept, newest first, not counting protected ones; 0 = no limit. @default 100 */
  keepRuns: number;
  /** Runs that started longer ago than this many days are pruned; 0 = no age limit. @default 0 */
  keepDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { keepRuns: 100, keepDays: 0 };

/** A run as retention sees it. */
export interface RetentionRow {
  id: string;
  label: string;
  start: number;
  status: string;
  ticks: number;
  pinned: boolean;
}

export interface RetentionPlan {
  /** Runs to prune, newest first. */
  prune: RetentionRow[];
  /** Runs in the store before pruning. */
  total: number;
  /** Pinned runs (never pruned). */
  pinned: number;
}

const DAY_MS = 86_400_000;

/** Every run, newest first, with what retention needs to judge it. */
export function retentionRows(db: Db): RetentionRow[] {
  ensureRunSchema(db);
  const rows = db.prepare('SELECT id, label, start, status, ticks, pinned FROM runs ORDER BY start DESC, id DESC').all() as
    (Omit<RetentionRow, 'pinned'> & { pinned: number })[];
  return rows.map((r) => ({ ...r, pinned: r.pinned !== 0 }));
}

/**
 * The runs the policy drops. Never a pinned run, a run named in `protect` (the current one), or a
 * run still `running` (another live server's; a server start marks a dead process's run aborted
 * first). Those are not counted in `keepRuns` either: it is the number of other runs kept.
 */
export function planRetention(rows: readonly RetentionRow[], policy: RetentionPolicy, opts: { now: number; protect?: readonly string[] }): RetentionPlan {
  const protect = new Set(opts.protect ?? []);
  const candidates = rows.filter((r) => !r.pinned && r.status !== 'running' && !protect.has(r.id));
  const oldest = policy.keepDays > 0 ? opts.now - policy.keepDays * DAY_MS : -Infinity;
  const prune = candidates.filter((r, i) => (policy.keepRuns > 0 && i >= policy.keepRuns) || r.start < oldest);
  return { prune, total: rows.length, pinned: rows.filter((r) => r.pinned).length };
}

/** Pins (or unpins) a run; false when there is no such run. */
export function setPinned(db: Db, id: string, pinned: boolean): boolean {
  ensureRunSchema(db);
  return db.prepare('UPDATE runs SET pinned = ? WHERE id = ?').run(pinned ? 1 : 0, id).changes === 1;
}

/** Whether a run is pinned; undefined when there is no such run. */
export function isPinned(db: Db, id: string): boolean | undefined {
  ensureRunSchema(db);
  const row = db.prepare('SELECT pinned FROM runs WHERE id = ?').get(id) as { pinned: number } | undefined;
  return row === undefined ? undefined : row.pinned !== 0;
}

/**
 * Rough bytes each run's samples take: the sample tables' pages (SQLite's dbstat) shared out by rows.
 * Reads every page of those tables, so it is for `chatpulse runs list`, not for the server.
 */
export function estimateRunBytes(db: Db, ids: readonly string[]): Map<string, number> {
  const pages = db.prepare(`SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat
    WHERE name IN ('room_samples', 'totals_samples', 'room_samples_time', 'totals_samples_time')`).get() as { b: number };
  const all = db.prepare('SELECT (SELECT count(*) FROM room_samples) + (SELECT count(*) FROM totals_samples) AS n').get() as { n: number };
  const perRow = all.n > 0 ? pages.b / all.n : 0;
  const count = db.prepare('SELECT (SELECT count(*) FROM room_samples WHERE run_id = @id) + (SELECT count(*) FROM totals_samples WHERE run_id = @id) AS n');
  return new Map(ids.map((id) => [id, Math.round((count.get({ id }) as { n: number }).n * perRow)]));
}
