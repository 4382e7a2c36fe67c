/**
 * The history writer thread: owns a second SQLite connection to the same file (WAL lets the main
 * thread keep reading) and serves the store's batches on it (history-writes.ts). Moving this off the
 * event loop took the fan-out path from ~46 % of its CPU in SQLite to none (see BENCHMARKS.md).
 */
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/database.js';
import { createHistorySchema } from './history-schema.js';
import { serveHistoryWrites } from './history-writes.js';

const { file, cap } = workerData as { file: string; cap: number };

// Background work: on Linux a nice value is per thread, so this lowers the writer only. Its once-a-
// second batch then yields the CPU to the event loop instead of adding its milliseconds to delivery
// latency on a busy machine. (Where the OS refuses, it simply runs at normal priority.)
try {
  os.setPriority(10);
} catch {
  // not permitted here: fine
}
if (parentPort === null) throw new Error('history-writer must run as a worker thread');
const db = openDatabase(file);
createHistorySchema(db);
serveHistoryWrites(parentPort, db, cap, true);
