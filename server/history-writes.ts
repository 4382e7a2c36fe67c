/**
 * Commits history batches on one SQLite connection, answering on a message port: each batch in one
 * transaction, trimming every room it touched to the cap. The writer thread (history-writer.ts) serves
 * its file connection this way; a `:memory:` database, which no second connection can open, is served
 * on the main thread's own connection behind a `MessageChannel`, so the store drives both alike.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Db } from '../store/database.js';
import { batchTexts, type HistoryBatch } from './history-batch.js';

export type WriterRequest = { type: 'batch'; id: number; batch: HistoryBatch } | { type: 'close' };
export type WriterReply =
  | { type: 'written'; id: number }
  | { type: 'closed' }
  /** `id` 0: not a batch (closing). `code` is the SqliteError's (`SQLITE_FULL` …), for its kind. */
  | { type: 'failed'; id: number; message: string; code: string };

/** One statement for many rows: better-sqlite3's per-call cost dominates single-row inserts. */
const ROWS_PER_STATEMENT = 64;

/**
 * Answers `port`'s requests with writes to `db` (whose history schema exists). `closeDb`: whether a
 * `close` request closes `db` too — the thread's own connection, not the main thread's.
 */
export function serveHistoryWrites(port: MessagePort, db: Db, cap: number, closeDb: boolean): void {
  const insertOne = db.prepare('INSERT INTO chat_history (room_key, room, ts, nick, text) VALUES (?, ?, ?, ?, ?)');
  const insertMany = db.prepare(
    `INSERT INTO chat_history (room_key, room, ts, nick, text) VALUES ${Array(ROWS_PER_STATEMENT).fill('(?, ?, ?, ?, ?)').join(', ')}`,
  );
  const params: (string | number)[] = new Array(ROWS_PER_STATEMENT * 5);
  const trim = db.prepare(`DELETE FROM chat_history WHERE room_key = ? AND id <=
    (SELECT id FROM chat_history WHERE room_key = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`);
  /** Texts are decoded here, off the event loop in the thread (see history-batch.ts). */
  const write = db.transaction((b: HistoryBatch) => {
    const touched = new Set<string>();
    const count = b.ts.length;
    const texts = batchTexts(b);
    const keys = b.names.map((name) => name.toLowerCase());
    let row = 0;
    for (; row + ROWS_PER_STATEMENT <= count; row += ROWS_PER_STATEMENT) {
      for (let k = 0; k < ROWS_PER_STATEMENT; k++) {
        const i = row + k;
        const roomId = b.room[i] as number;
        const key = keys[roomId] as string;
        touched.add(key);
        params[k * 5] = key;
        params[k * 5 + 1] = b.names[roomId] as string;
        params[k * 5 + 2] = b.ts[i] as number;
        params[k * 5 + 3] = b.names[b.nick[i] as number] as string;
        params[k * 5 + 4] = texts[i] as string;
      }
      insertMany.run(params);
    }
    for (; row < count; row++) {
      const roomId = b.room[row] as number;
      const key = keys[roomId] as string;
      touched.add(key);
      insertOne.run(key, b.names[roomId], b.ts[row], b.names[b.nick[row] as number], texts[row]);
    }
    for (const key of touched) trim.run(key, key, cap);
  });

  port.on('message', (msg: WriterRequest) => {
    try {
      if (msg.type === 'batch') {
        write(msg.batch);
        port.postMessage({ type: 'written', id: msg.id } satisfies WriterReply);
      } else {
        if (closeDb) db.close();
        port.postMessage({ type: 'closed' } satisfies WriterReply);
      }
    } catch (err) {
      const e = err as Error & { code?: unknown };
      port.postMessage({ type: 'failed', id: msg.type === 'batch' ? msg.id : 0, message: e.message, code: String(e.code ?? '') } satisfies WriterReply);
      if (msg.type === 'close') port.postMessage({ type: 'closed' } satisfies WriterReply);
    }
  });
}
