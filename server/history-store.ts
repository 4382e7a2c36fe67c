import type { Db } from '../store/database.js';

export interface HistoryLine {
  ts: number;
  room: string;
  nick: string;
  text: string;
}

export interface HistoryOptions {
  /** Lines kept per room; 0 disables persistence. @default 1000 */
  cap: number;
  /** How often queued lines are written, in one transaction. @default 200 */
  flushEveryMs?: number;
  /** Queued lines that force a write before the timer. @default 2000 */
  maxQueued?: number;
}

/**
 * Chat history in SQLite. Lines are queued in memory and written in one transaction per flush —
 * never one transaction per message — and each room touched is trimmed to `cap` lines.
 */
export class HistoryStore {
  #queue: HistoryLine[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #cap: number;
  readonly #maxQueued: number;
  readonly #flushEveryMs: number;
  readonly #insertMany: (lines: HistoryLine[]) => void;
  readonly #recent: (key: string, n: number) => { ts: number; room: string; nick: string; text: string }[];

  constructor(db: Db, opts: HistoryOptions) {
    this.#cap = opts.cap;
    this.#flushEveryMs = opts.flushEveryMs ?? 200;
    this.#maxQueued = opts.maxQueued ?? 2000;
    db.exec(`CREATE TABLE IF NOT EXISTS chat_history (
      id INTEGER PRIMARY KEY, room_key TEXT NOT NULL, room TEXT NOT NULL,
      ts INTEGER NOT NULL, nick TEXT NOT NULL, text TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS chat_history_room ON chat_history(room_key, id);`);
    const insert = db.prepare('INSERT INTO chat_history (room_key, room, ts, nick, text) VALUES (?, ?, ?, ?, ?)');
    const trim = db.prepare(`DELETE FROM chat_history WHERE room_key = ? AND id <=
      (SELECT id FROM chat_history WHERE room_key = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`);
    this.#insertMany = db.transaction((lines: HistoryLine[]) => {
      const touched = new Set<string>();
      for (const l of lines) {
        const key = l.room.toLowerCase();
        insert.run(key, l.room, l.ts, l.nick, l.text);
        touched.add(key);
      }
      for (const key of touched) trim.run(key, key, this.#cap);
    });
    const recent = db.prepare(`SELECT ts, room, nick, text FROM
      (SELECT id, ts, room, nick, text FROM chat_history WHERE room_key = ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
    this.#recent = (key, n) => recent.all(key, n) as HistoryLine[];
  }

  get enabled(): boolean {
    return this.#cap > 0;
  }

  append(room: string, ts: number, nick: string, text: string): void {
    if (this.#cap <= 0 || this.#closed) return;
    this.#queue.push({ ts, room, nick, text });
    if (this.#queue.length >= this.#maxQueued) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#flushEveryMs).unref();
  }

  /** The last `n` lines of a room, oldest first (queued lines included). */
  recent(room: string, n: number): HistoryLine[] {
    if (this.#cap <= 0) return [];
    this.flush();
    return this.#recent(room.toLowerCase(), Math.min(n, this.#cap));
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#queue.length === 0) return;
    const lines = this.#queue;
    this.#queue = [];
    this.#insertMany(lines);
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
  }
}
