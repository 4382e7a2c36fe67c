import fs from 'node:fs';
import os from 'node:os';
import type { Db } from '../store/database.js';
import { formatRunId } from './run-id.js';
import { RunReader } from './run-reader.js';
import { type RunStatus, type StoredRun } from './run-schema.js';
import type { Snapshot } from './snapshot.js';

export interface StartRunOptions {
  /** `--label`. @default 'server' */
  label?: string;
  /** Epoch ms. @default Date.now() */
  start?: number;
  config?: Record<string, unknown>;
  /** The run id to use when it is free (`chatpulse import` keeps a folder's id). @default from start and label */
  id?: string;
}

/**
 * Writes runs and their samples: one transaction per tick (the room rows, the totals row and the
 * run's tick count together), so a killed process leaves whole ticks only. Reading is `RunReader`,
 * which this class extends so one object serves the server.
 */
export class RunStore extends RunReader {
  readonly #insertRun: (r: Record<string, unknown>) => void;
  readonly #writeTick: (s: Snapshot) => void;
  readonly #finish: (status: RunStatus, end: number | null, id: string) => void;
  readonly #db: Db;

  constructor(db: Db) {
    super(db);
    this.#db = db;
    const insertRun = db.prepare(`INSERT INTO runs (id, label, start, end, status, config, ticks, pid, host)
      VALUES (@id, @label, @start, NULL, 'running', @config, 0, @pid, @host)`);
    this.#insertRun = (r) => insertRun.run(r);
    const room = db.prepare(`INSERT INTO room_samples VALUES
      (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const totals = db.prepare(`INSERT INTO totals_samples VALUES
      (${Array(28).fill('?').join(', ')})`);
    const progress = db.prepare('UPDATE runs SET ticks = ?, end = ? WHERE id = ?');
    this.#writeTick = db.transaction((s: Snapshot) => {
      for (const r of s.rooms) {
        room.run(s.runId, s.tick, s.time, s.elapsedS, r.room, r.messages, r.messagesTotal, r.mps, r.mpsAvg,
          r.joins, r.leaves, r.joinsTotal, r.leavesTotal, r.members);
      }
      const t = s.totals;
      totals.run(s.runId, s.tick, s.time, s.elapsedS, s.intervalS, t.messages, t.mps, t.mpsAvg, t.joins, t.leaves,
        t.members, t.messagesTotal, t.privateMessages, t.privateMessagesTotal, t.deliveries, t.deliveriesTotal,
        t.connections, t.connectionsTotal, t.bytesIn, t.bytesOut, t.bytesInTotal, t.bytesOutTotal, t.errors,
        t.errorsTotal, JSON.stringify(t.errorsByReason), JSON.stringify(t.disconnectsByReason),
        t.loadgen === null ? null : JSON.stringify(t.loadgen),
        t.loadgen === null ? null : JSON.stringify(s.loadgen));
      progress.run(s.tick, s.time, s.runId);
    });
    const finish = db.prepare(`UPDATE runs SET status = ?, end = coalesce(?, end, start) WHERE id = ?`);
    this.#finish = (status, end, id) => finish.run(status, end, id);
  }

  /**
   * Creates a `running` run and returns it. Its id is `opts.id` when that is free, else unique even for
   * two starts in one second.
   */
  startRun(opts: StartRunOptions = {}): StoredRun {
    const label = opts.label ?? 'server';
    const start = opts.start ?? Date.now();
    const config = opts.config ?? {};
    const base = formatRunId(start, label);
    let id = opts.id !== undefined && this.getRun(opts.id) === undefined ? opts.id : base;
    for (let n = 2; this.getRun(id) !== undefined; n++) id = `${base}-${n}`;
    this.#insertRun({ id, label, start, config: JSON.stringify(config), pid: process.pid, host: os.hostname() });
    return { id, label, start, end: null, status: 'running', config, ticks: 0 };
  }

  /** Writes one tick: every room row, the totals row and the run's progress, in one transaction. */
  record(snapshot: Snapshot): void {
    this.#writeTick(snapshot);
  }

  /** Marks a run completed (or another final status); `end` defaults to its last tick. */
  finishRun(id: string, status: RunStatus = 'completed', end?: number): void {
    this.#finish(status, end ?? null, id);
  }

  /** Removes a run and its samples (a start that failed before serving). */
  deleteRun(id: string): void {
    this.#db.transaction(() => {
      for (const t of ['room_samples', 'totals_samples', 'run_latency']) this.#db.prepare(`DELETE FROM ${t} WHERE run_id = ?`).run(id);
      this.#db.prepare('DELETE FROM runs WHERE id = ?').run(id);
    })();
  }

  /**
   * Marks `aborted` every run left `running` by a process that is gone (killed, crashed). A run whose
   * process is still alive on this host — another server sharing the file — is left alone.
   * Returns the ids it marked.
   */
  abortStale(isAlive: (pid: number) => boolean = processAlive): string[] {
    const rows = this.#db.prepare(`SELECT id, pid, host FROM runs WHERE status = 'running'`).all() as
      { id: string; pid: number | null; host: string | null }[];
    const host = os.hostname();
    // Our own pid counts as gone: in a container a restarted server often gets its old pid back.
    const stale = rows.filter((r) => !(r.host === host && r.pid !== null && r.pid !== process.pid && isAlive(r.pid)));
    for (const r of stale) this.#finish('aborted', null, r.id);
    return stale.map((r) => r.id);
  }
}

/** Whether process `pid` runs on this host: signal 0 reaches it, and it is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process its parent has not reaped yet (a server under a supervisor that waits late) is
  // a zombie: signal 0 still reaches it, but it runs nothing. Linux says so in /proc; elsewhere, alive.
  try {
    return !/^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
