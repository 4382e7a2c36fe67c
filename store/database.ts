import path from 'node:path';
import Database from 'better-sqlite3';
import { makeDir } from '../protocol/make-dir.js';

export type Db = Database.Database;

/**
 * Opens (creating folders as needed) the one SQLite file that holds chat history, runs and samples.
 * WAL lets readers (dashboard, CSV export) run while the tick writes; NORMAL sync is safe under WAL
 * against a process kill, which is the failure the store must survive.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') makeDir(path.dirname(path.resolve(file)));
  const db = new Database(file);
  // Only takes effect on a new file (before its first table): pruned runs can then hand their pages
  // back with `PRAGMA incremental_vacuum`. Older files are converted by retention (run-retention.ts).
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
