import type { RunInfo, RunStatus } from '../protocol/dashboard-frames.js';
import type { Db } from '../store/database.js';

/**
 * Runs and per-tick samples, in the same SQLite file as chat history. Times are epoch ms. A run's
 * `end` moves with every tick written, so a run that was killed still knows when it stopped. A
 * `pinned` run is never pruned by retention (metrics/run-retention.ts).
 */
export function ensureRunSchema(db: Db): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY, label TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER,
      status TEXT NOT NULL, config TEXT NOT NULL, ticks INTEGER NOT NULL DEFAULT 0,
      pid INTEGER, host TEXT, pinned INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS room_samples (
      run_id TEXT NOT NULL, tick INTEGER NOT NULL, time INTEGER NOT NULL, elapsed_s REAL NOT NULL,
      room TEXT NOT NULL, messages INTEGER NOT NULL, messages_total INTEGER NOT NULL,
      mps REAL NOT NULL, mps_avg REAL NOT NULL, joins INTEGER NOT NULL, leaves INTEGER NOT NULL,
      joins_total INTEGER NOT NULL, leaves_total INTEGER NOT NULL, members INTEGER NOT NULL,
      PRIMARY KEY (run_id, tick, room)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS totals_samples (
      run_id TEXT NOT NULL, tick INTEGER NOT NULL, time INTEGER NOT NULL, elapsed_s REAL NOT NULL,
      interval_s REAL NOT NULL, messages INTEGER NOT NULL, mps REAL NOT NULL, mps_avg REAL NOT NULL,
      joins INTEGER NOT NULL, leaves INTEGER NOT NULL, members INTEGER NOT NULL,
      messages_total INTEGER NOT NULL, private_messages INTEGER NOT NULL, private_messages_total INTEGER NOT NULL,
      deliveries INTEGER NOT NULL, deliveries_total INTEGER NOT NULL,
      connections INTEGER NOT NULL, connections_total INTEGER NOT NULL,
      bytes_in INTEGER NOT NULL, bytes_out INTEGER NOT NULL, bytes_in_total INTEGER NOT NULL, bytes_out_total INTEGER NOT NULL,
      errors INTEGER NOT NULL, errors_total INTEGER NOT NULL,
      errors_by_reason TEXT NOT NULL, disconnects_by_reason TEXT NOT NULL,
      loadgen_summary TEXT, loadgen TEXT,
      PRIMARY KEY (run_id, tick)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS run_latency (
      run_id TEXT PRIMARY KEY, time INTEGER NOT NULL, corrected TEXT NOT NULL, uncorrected TEXT NOT NULL,
      sources INTEGER NOT NULL, reports INTEGER NOT NULL, reports_without INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS room_samples_time ON room_samples(run_id, time);
    CREATE INDEX IF NOT EXISTS totals_samples_time ON totals_samples(run_id, time);
  `);
  // Files written before retention have no `pinned` column; adding it keeps their runs.
  const columns = db.prepare('PRAGMA table_info(runs)').all() as { name: string }[];
  if (!columns.some((c) => c.name === 'pinned')) db.exec('ALTER TABLE runs ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0');
}

export type { RunInfo, RunStatus };

/** A run as the store holds it: what is listed plus the options it was started with (not sent to browsers). */
export interface StoredRun extends RunInfo {
  config: Record<string, unknown>;
}

export interface RunRow {
  id: string; label: string; start: number; end: number | null; status: RunStatus; config: string; ticks: number;
}

export function runFromRow(r: RunRow): StoredRun {
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(r.config) as Record<string, unknown>;
  } catch {
    // A hand-edited row must not break the runs list.
  }
  return { id: r.id, label: r.label, start: r.start, end: r.end, status: r.status, config, ticks: r.ticks };
}
