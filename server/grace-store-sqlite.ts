import type { Db } from '../store/database.js';
import { StorageHealth } from '../store/storage-health.js';
import type { GraceStore, RememberedRooms } from './grace-memory.js';

export interface SqliteGraceOptions {
  /** Where write errors are counted and logged. @default a StorageHealth of its own */
  health?: StorageHealth;
  /** Rows held for a retry while writes fail; beyond it the oldest are dropped and counted. @default 10000 */
  retryRows?: number;
  /** Wait before retrying a failed write, ms (not every event-loop turn: a full disk stays full). @default 1000 */
  retryMs?: number;
}

/** A row waiting for the next write: `at` null while the nickname is still connected. */
interface Pending {
  nick: string;
  state: RememberedRooms | null;
  at: number | null;
}

/**
 * Nickname → rooms in the SQLite store (table `chat_grace`), so that rooms survive a server restart.
 *
 * Connected nicknames are kept too (`at` NULL, via `track`), so even a crash or `kill -9` — where no
 * disconnect ever runs — leaves every nickname's rooms on disk; the next start stamps those rows with
 * its own start time, which starts their grace period. Writes are queued and done in one transaction
 * per event-loop turn: a shutdown that disconnects 10 000 sessions costs one commit, not 10 000.
 * A failed write (a full disk) never throws out of here: it is counted, its rows stay queued for a
 * retry a second later (at most `retryRows`), and the nickname's rooms still work from memory.
 */
export class SqliteGraceStore implements GraceStore {
  readonly #graceMs: number;
  #pending = new Map<string, Pending>();
  #scheduled: NodeJS.Immediate | undefined;
  #retry: NodeJS.Timeout | undefined;
  readonly #health: StorageHealth;
  readonly #retryRows: number;
  readonly #retryMs: number;
  #closed = false;
  readonly #write: (rows: Pending[]) => void;
  readonly #select: (key: string) => { rooms: string; active: string; at: number | null } | undefined;
  readonly #delete: (key: string) => void;
  readonly #sweep: (before: number) => void;

  constructor(db: Db, graceMs: number, nowMs: number = Date.now(), opts: SqliteGraceOptions = {}) {
    this.#graceMs = graceMs;
    this.#health = opts.health ?? new StorageHealth();
    this.#retryRows = opts.retryRows ?? 10_000;
    this.#retryMs = opts.retryMs ?? 1000;
    db.exec(`CREATE TABLE IF NOT EXISTS chat_grace (
      nick_key TEXT PRIMARY KEY, nick TEXT NOT NULL, rooms TEXT NOT NULL, active TEXT NOT NULL, at INTEGER);
      CREATE INDEX IF NOT EXISTS chat_grace_at ON chat_grace(at);`);
    // Rows still marked connected belong to a process that died without disconnecting anyone.
    this.#try('stamping the rows of a previous process', () => db.prepare('UPDATE chat_grace SET at = ? WHERE at IS NULL').run(nowMs));
    const upsert = db.prepare(`INSERT INTO chat_grace (nick_key, nick, rooms, active, at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(nick_key) DO UPDATE SET nick = excluded.nick, rooms = excluded.rooms,
      active = excluded.active, at = excluded.at`);
    const remove = db.prepare('DELETE FROM chat_grace WHERE nick_key = ?');
    const select = db.prepare('SELECT rooms, active, at FROM chat_grace WHERE nick_key = ?');
    const sweep = db.prepare('DELETE FROM chat_grace WHERE at IS NOT NULL AND at < ?');
    this.#write = db.transaction((rows: Pending[]) => {
      for (const r of rows) {
        const key = r.nick.toLowerCase();
        if (r.state === null) remove.run(key);
        else upsert.run(key, r.nick, JSON.stringify(r.state.rooms), r.state.active, r.at);
      }
    });
    this.#select = (key) => select.get(key) as { rooms: string; active: string; at: number | null } | undefined;
    this.#delete = (key) => remove.run(key);
    this.#sweep = (before) => sweep.run(before);
    this.sweep(nowMs);
  }

  remember(nick: string, state: RememberedRooms, nowMs: number): void {
    if (this.#graceMs <= 0) return this.track(nick, null);
    this.#queue({ nick, state: { rooms: [...state.rooms], active: state.active }, at: nowMs });
  }

  track(nick: string, state: RememberedRooms | null): void {
    if (this.#graceMs <= 0 && state !== null) return;
    this.#queue({ nick, state: state && { rooms: [...state.rooms], active: state.active }, at: null });
  }

  take(nick: string, nowMs: number): RememberedRooms | undefined {
    if (this.#closed) return undefined;
    const key = nick.toLowerCase();
    const pending = this.#pending.get(key);
    this.#pending.delete(key);
    let row: { rooms: string[]; active: string; at: number | null } | undefined;
    if (pending !== undefined) {
      row = pending.state === null ? undefined : { ...pending.state, at: pending.at };
    } else {
      let stored: { rooms: string; active: string; at: number | null } | undefined;
      this.#try("reading a nickname's rooms", () => (stored = this.#select(key)));
      row = stored && { rooms: parseRooms(stored.rooms), active: stored.active, at: stored.at };
    }
    // Not deleted now? Then queued, so the row cannot come back on a later take.
    if (!this.#try('deleting a taken row', () => this.#delete(key))) this.#queue({ nick, state: null, at: null });
    if (row === undefined || row.at === null || nowMs - row.at > this.#graceMs) return undefined;
    return { rooms: row.rooms, active: row.active };
  }

  sweep(nowMs: number): void {
    if (this.#closed) return;
    this.flush();
    this.#try('sweeping expired rows', () => this.#sweep(nowMs - this.#graceMs));
  }

  /** Rows waiting to be written (held for a retry while writes fail). */
  get pendingRows(): number {
    return this.#pending.size;
  }

  /** Writes every queued row now, in one transaction; on failure they stay queued for a retry. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    clearTimeout(this.#retry);
    this.#scheduled = this.#retry = undefined;
    if (this.#closed || this.#pending.size === 0) return;
    const failed = this.#pending;
    this.#pending = new Map();
    if (this.#try(`${failed.size} rows not saved, held for a retry`, () => this.#write([...failed.values()]), true)) {
      this.#health.setHeld('grace', 0);
      return;
    }
    // Newer rows for the same nickname (queued meanwhile) win; the rest keep their older place.
    for (const [key, row] of this.#pending) failed.set(key, row);
    this.#pending = failed;
    let dropped = 0;
    for (const key of this.#pending.keys()) {
      if (this.#pending.size <= this.#retryRows) break;
      this.#pending.delete(key);
      dropped++;
    }
    if (dropped > 0) this.#health.dropped('grace', dropped);
    this.#health.setHeld('grace', this.#pending.size);
    this.#retry = setTimeout(() => this.flush(), this.#retryMs).unref();
  }

  /** Idempotent: writes what is queued; later calls do nothing (the database may be closed next). */
  close(): void {
    if (this.#closed) return;
    this.flush();
    clearTimeout(this.#retry);
    if (this.#pending.size > 0) this.#health.dropped('grace', this.#pending.size);
    this.#closed = true;
  }

  #queue(row: Pending): void {
    if (this.#closed) return;
    this.#pending.set(row.nick.toLowerCase(), row);
    // While a retry is waiting, new rows join it rather than fail once per event-loop turn.
    if (this.#retry === undefined) this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Runs statements; a storage error is counted and logged, never thrown. `ok`: success means recovered. */
  #try(what: string, fn: () => unknown, ok = false): boolean {
    try {
      fn();
      if (ok) this.#health.ok('grace');
      return true;
    } catch (err) {
      this.#health.failed('grace', err, what);
      return false;
    }
  }
}

function parseRooms(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
