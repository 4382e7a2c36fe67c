/**
 * The history writer thread: owns a second SQLite connection to the same file (WAL lets the main
 * thread keep reading) and writes each posted batch in one transaction, trimming every room it touched
 * to the cap. Moving this off the event loop took the fan-out path from ~46 % of its CPU in SQLite to
 * none (see BENCHMARKS.md).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/database.js';
import { createHistorySchema } from './history-schema.js';

export type WriterRequest = { type: 'batch'; id: number; rows: (string | number)[] } | { type: 'close' };
export type WriterReply = { type: 'written'; id: number } | { type: 'closed' } | { type: 'failed'; message: string };

const { file, cap } = workerData as { file: string; cap: number };
const db = openDatabase(file);
createHistorySchema(db);
const insertOne = db.prepare('INSERT INTO chat_history (room_key, room, ts, nick, text) VALUES (?, ?, ?, ?, ?)');
/** One statement for many rows: better-sqlite3's per-call cost dominates single-row inserts. */
const ROWS_PER_STATEMENT = 64;
const insertMany = db.prepare(
  `INSERT INTO chat_history (room_key, room, ts, nick, text) VALUES ${Array(ROWS_PER_STATEMENT).fill('(?, ?, ?, ?, ?)').join(', ')}`,
);
const params: (string | number)[] = new Array(ROWS_PER_STATEMENT * 5);
const trim = db.prepare(`DELETE FROM chat_history WHERE room_key = ? AND id <=
  (SELECT id FROM chat_history WHERE room_key = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`);
/** Rows come flat — room, ts, nick, text, room, ts, … — because one array clones far faster than objects. */
const write = db.transaction((rows: (string | number)[]) => {
  const touched = new Set<string>();
  const count = rows.length / 4;
  let row = 0;
  for (; row + ROWS_PER_STATEMENT <= count; row += ROWS_PER_STATEMENT) {
    for (let k = 0; k < ROWS_PER_STATEMENT; k++) {
      const i = (row + k) * 4;
      const room = rows[i] as string;
      const key = room.toLowerCase();
      touched.add(key);
      params[k * 5] = key;
      params[k * 5 + 1] = room;
      params[k * 5 + 2] = rows[i + 1] as number;
      params[k * 5 + 3] = rows[i + 2] as string;
      params[k * 5 + 4] = rows[i + 3] as string;
    }
    insertMany.run(params);
  }
  for (; row < count; row++) {
    const i = row * 4;
    const room = rows[i] as string;
    const key = room.toLowerCase();
    touched.add(key);
    insertOne.run(key, room, rows[i + 1], rows[i + 2], rows[i + 3]);
  }
  for (const key of touched) trim.run(key, key, cap);
});

const port = parentPort;
if (port === null) throw new Error('history-writer must run as a worker thread');
port.on('message', (msg: WriterRequest) => {
  try {
    if (msg.type === 'batch') {
      write(msg.rows);
      port.postMessage({ type: 'written', id: msg.id } satisfies WriterReply);
    } else {
      db.close();
      port.postMessage({ type: 'closed' } satisfies WriterReply);
    }
  } catch (err) {
    port.postMessage({ type: 'failed', message: (err as Error).message } satisfies WriterReply);
  }
});
