import type { Db } from '../store/database.js';
import { ensureRunSchema, runFromRow, type RunRow, type StoredRun } from './run-schema.js';
import type { LoadgenSummary, RoomSample, Snapshot, TotalsSample } from './snapshot.js';

/** A time window over a run, epoch ms, both ends included; either end may be left open. */
export interface TimeRange {
  from?: number;
  to?: number;
}

export interface RoomSampleRow extends RoomSample {
  tick: number;
  time: number;
  elapsedS: number;
}

export interface TotalsSampleRow extends TotalsSample {
  tick: number;
  time: number;
  elapsedS: number;
  intervalS: number;
}

/** A totals row with the latest report of each generator that reported in that tick. */
export interface StoredTotalsRow extends TotalsSampleRow {
  reports: Snapshot['loadgen'];
}

/**
 * Reads past and current runs for the dashboard (`/api/runs`, `/api/runs/:id/samples`), replay and
 * CSV export. Every query is synchronous and bounded (`limit`), so a long export is read in pages
 * between which the tick can write: better-sqlite3 holds the connection while an iterator is open.
 */
export class RunReader {
  readonly #db: Db;

  constructor(db: Db) {
    ensureRunSchema(db);
    this.#db = db;
  }

  /** Newest first. */
  listRuns(limit = 1000): StoredRun[] {
    const rows = this.#db.prepare('SELECT * FROM runs ORDER BY start DESC, id DESC LIMIT ?').all(limit) as RunRow[];
    return rows.map(runFromRow);
  }

  getRun(id: string): StoredRun | undefined {
    const row = this.#db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && runFromRow(row);
  }

  /** The newest run other than `exceptId`. */
  previousRun(exceptId?: string): StoredRun | undefined {
    const row = this.#db.prepare('SELECT * FROM runs WHERE id IS NOT ? ORDER BY start DESC, id DESC LIMIT 1')
      .get(exceptId ?? null) as RunRow | undefined;
    return row && runFromRow(row);
  }

  /**
   * Room rows of the ticks after `afterTick`, `ticks` ticks at most (ticks are numbered 1, 2, … in a
   * run, so pages never split a tick), in tick order, each tick busiest first and `_other` last.
   */
  roomRows(runId: string, range: TimeRange = {}, afterTick = 0, ticks = 1000, stride?: TickStride): RoomSampleRow[] {
    const [only, args] = strideSql(stride);
    return this.#db.prepare(`SELECT tick, time, elapsed_s AS elapsedS, room, messages, messages_total AS messagesTotal,
        mps, mps_avg AS mpsAvg, joins, leaves, joins_total AS joinsTotal, leaves_total AS leavesTotal, members
      FROM room_samples WHERE run_id = ? AND tick > ? AND tick <= ? AND time >= ? AND time <= ?${only}
      ORDER BY tick, room = '_other', mps DESC, members DESC, room`)
      .all(runId, afterTick, afterTick + ticks, ...bounds(range), ...args) as RoomSampleRow[];
  }

  /** Totals rows of the ticks after `afterTick`, `ticks` ticks at most, in tick order. */
  totalsRows(runId: string, range: TimeRange = {}, afterTick = 0, ticks = 1000, stride?: TickStride): StoredTotalsRow[] {
    const [only, args] = strideSql(stride);
    const rows = this.#db.prepare(`SELECT tick, time, elapsed_s AS elapsedS, interval_s AS intervalS, messages, mps,
        mps_avg AS mpsAvg, joins, leaves, members, messages_total AS messagesTotal, private_messages AS privateMessages,
        private_messages_total AS privateMessagesTotal, deliveries, deliveries_total AS deliveriesTotal, connections,
        connections_total AS connectionsTotal, bytes_in AS bytesIn, bytes_out AS bytesOut, bytes_in_total AS bytesInTotal,
        bytes_out_total AS bytesOutTotal, errors, errors_total AS errorsTotal, errors_by_reason AS errorsByReason,
        disconnects_by_reason AS disconnectsByReason, loadgen_summary AS loadgen, loadgen AS reports
      FROM totals_samples WHERE run_id = ? AND tick > ? AND tick <= ? AND time >= ? AND time <= ?${only} ORDER BY tick`)
      .all(runId, afterTick, afterTick + ticks, ...bounds(range), ...args) as Record<keyof StoredTotalsRow, unknown>[];
    return rows.map((r) => ({
      ...(r as unknown as StoredTotalsRow),
      errorsByReason: json(r.errorsByReason, {}),
      disconnectsByReason: json(r.disconnectsByReason, {}),
      loadgen: json<LoadgenSummary | null>(r.loadgen, null),
      reports: json<Snapshot['loadgen']>(r.reports, []),
    }));
  }

  /**
   * Snapshots rebuilt from the stored rows, for charts and replay. `loadgen` holds the reports of the
   * generators that reported in that tick. `every` > 1 thins them: ticks 1, 1 + every, 1 + 2 × every, …
   * and the run's last, at most `limit` of those (a whole long run in one replay, each tick's running
   * totals still exact).
   */
  snapshots(runId: string, range: TimeRange = {}, afterTick = 0, limit = 3600, every = 1): Snapshot[] {
    const start = this.firstTick(runId, range, afterTick);
    if (start === undefined) return [];
    const stride = every > 1 ? { every, last: this.getRun(runId)?.ticks ?? 0 } : undefined;
    // The span holds at most `limit` kept ticks beside the last.
    const totals = this.totalsRows(runId, range, start - 1, limit * every, stride).slice(0, limit);
    const first = totals[0];
    const last = totals[totals.length - 1];
    if (first === undefined || last === undefined) return [];
    const byTick = new Map<number, RoomSample[]>();
    for (const { tick, time: _t, elapsedS: _e, ...room } of this.roomRows(runId, range, first.tick - 1, last.tick - first.tick + 1, stride)) {
      let list = byTick.get(tick);
      if (list === undefined) byTick.set(tick, (list = []));
      list.push(room);
    }
    return totals.map(({ tick, time, elapsedS, intervalS, reports, ...t }) => ({
      runId, tick, time, elapsedS, intervalS, rooms: byTick.get(tick) ?? [], totals: t, loadgen: reports,
    }));
  }

  /** The first tick after `afterTick` whose time is in `range`, if any. */
  firstTick(runId: string, range: TimeRange = {}, afterTick = 0): number | undefined {
    const row = this.#db.prepare('SELECT min(tick) AS t FROM totals_samples WHERE run_id = ? AND tick > ? AND time >= ? AND time <= ?')
      .get(runId, afterTick, ...bounds(range)) as { t: number | null };
    return row.t ?? undefined;
  }

  /** Room names in a run (or range), busiest first by messages; `_other` last. */
  roomNames(runId: string, range: TimeRange = {}): string[] {
    const rows = this.#db.prepare(`SELECT room, sum(messages) AS m FROM room_samples WHERE run_id = ? AND time >= ? AND time <= ?
      GROUP BY room ORDER BY room = '_other', m DESC, room`).all(runId, ...bounds(range)) as { room: string }[];
    return rows.map((r) => r.room);
  }
}

/** Which ticks a thinned read keeps: every `every`-th from the first, and the run's `last`. */
export interface TickStride {
  every: number;
  last: number;
}

function strideSql(stride: TickStride | undefined): [string, number[]] {
  return stride === undefined || stride.every <= 1 ? ['', []] : [' AND ((tick - 1) % ? = 0 OR tick = ?)', [stride.every, stride.last]];
}

function bounds(range: TimeRange): [number, number] {
  return [range.from ?? Number.MIN_SAFE_INTEGER, range.to ?? Number.MAX_SAFE_INTEGER];
}

function json<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
