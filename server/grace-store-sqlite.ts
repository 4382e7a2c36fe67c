import type { Db } from '../store/database.js';
import type { GraceStore, RememberedRooms } from './grace-memory.js';

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
 */
export class SqliteGraceStore implements GraceStore {
  readonly #graceMs: number;
  #pending = new Map<string, Pending>();
  #scheduled: NodeJS.Immediate | undefined;
  #closed = false;
  readonly #write: (rows: Pending[]) => void;
  readonly #select: (key: string) => { rooms: string; active: string; at: number | null } | undefined;
  readonly #delete: (key: string) => void;
  readonly #sweep: (before: number) => void;

  constructor(db: Db, graceMs: number, nowMs: number = Date.now()) {
    this.#graceMs = graceMs;
    db.exec(`CREATE TABLE IF NOT EXISTS chat_grace (
      nick_key TEXT PRIMARY KEY, nick TEXT NOT NULL, rooms TEXT NOT NULL, active TEXT NOT NULL, at INTEGER);
      CREATE INDEX IF NOT EXISTS chat_grace_at ON chat_grace(at);`);
    // Rows still marked connected belong to a process that died without disconnecting anyone.
    db.prepare('UPDATE chat_grace SET at = ? WHERE at IS NULL').run(nowMs);
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
      const stored = this.#select(key);
      row = stored && { rooms: parseRooms(stored.rooms), active: stored.active, at: stored.at };
    }
    this.#delete(key);
    if (row === undefined || row.at === null || nowMs - row.at > this.#graceMs) return undefined;
    return { rooms: row.rooms, active: row.active };
  }

  sweep(nowMs: number): void {
    if (this.#closed) return;
    this.flush();
    this.#sweep(nowMs - this.#graceMs);
  }

  /** Writes every queued row now, in one transaction. */
  flush(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#closed || this.#pending.size === 0) return;
    const rows = [...this.#pending.values()];
    this.#pending = new Map();
    this.#write(rows);
  }

  /** Idempotent: writes what is queued; later calls do nothing (the database may be closed next). */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
  }

  #queue(row: Pending): void {
    if (this.#closed) return;
    this.#pending.set(row.nick.toLowerCase(), row);
    this.#scheduled ??= setImmediate(() => this.flush());
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
