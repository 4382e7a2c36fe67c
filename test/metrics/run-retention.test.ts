import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  fileBytes, pruneRuns, retentionLine, retentionRows, RunStore, setPinned, startRetention, type StoredRun,
} from '../../metrics/index.js';
import { openDatabase, type Db } from '../../store/database.js';
import { makeSnapshot } from '../helpers/snapshots.js';
import { tempDir } from '../helpers/temp.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

/** A finished run that started `daysAgo` days before NOW, with `ticks` ticks over `rooms` rooms. */
function addRun(store: RunStore, label: string, daysAgo: number, ticks = 20, rooms = 2, finish = true): StoredRun {
  const run = store.startRun({ label, start: NOW - daysAgo * DAY });
  const names = Array.from({ length: rooms }, (_, i) => `room-${i}-${'x'.repeat(20)}`);
  for (let t = 1; t <= ticks; t++) store.record(makeSnapshot(t, { runId: run.id, t0: run.start, rooms: names }));
  if (finish) store.finishRun(run.id);
  return run;
}

function rowsOf(db: Db, table: string, runId: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE run_id = ?`).get(runId) as { n: number }).n;
}

function withStore(fn: (db: Db, store: RunStore, dir: string) => Promise<void>) {
  return async () => {
    const tmp = tempDir();
    const db = openDatabase(path.join(tmp.dir, 'chatpulse.db'));
    try {
      await fn(db, new RunStore(db), tmp.dir);
    } finally {
      db.close();
      tmp.cleanup();
    }
  };
}

/** Six finished runs 1…6 days old, an older pinned one, a running one (this live process), a current one, oldest. */
function mixedStore(store: RunStore, db: Db) {
  const old = [1, 2, 3, 4, 5, 6].map((d) => addRun(store, `old${d}`, d));
  const pinned = addRun(store, 'pinned', 30);
  setPinned(db, pinned.id, true);
  const running = addRun(store, 'running', 40, 20, 2, false);
  // Finished and oldest of all: only `protect` keeps it (a live server's run is also `running`).
  const current = addRun(store, 'current', 50, 5, 1);
  return { old, pinned, running, current };
}

test('--keep-runs: the newest N other runs stay; pinned, running and current runs stay and do not count', withStore(async (db, store) => {
  const { old, pinned, running, current } = mixedStore(store, db);
  db.prepare(`INSERT INTO run_latency VALUES (?, ?, '', '', 1, 1, 0)`).run(old[5]!.id, NOW);
  const report = await pruneRuns(db, { keepRuns: 2, keepDays: 0 }, { now: NOW, protect: [current.id] });
  assert.equal(report.pruned.map((r) => r.id), [old[2]!.id, old[3]!.id, old[4]!.id, old[5]!.id]);
  assert.is(report.ticks, 80);
  assert.equal(retentionRows(db).map((r) => r.id).sort(), [old[0]!.id, old[1]!.id, pinned.id, running.id, current.id].sort());
  for (const r of old.slice(2)) {
    for (const t of ['room_samples', 'totals_samples', 'run_latency']) assert.is(rowsOf(db, t, r.id), 0, `${t} of ${r.id}`);
  }
  assert.is(rowsOf(db, 'totals_samples', old[0]!.id), 20);
  assert.is(rowsOf(db, 'room_samples', pinned.id), 40);
}));

test('--keep-days: runs older than D days go, with the same exceptions; both limits: either one prunes', withStore(async (db, store) => {
  const { old, pinned, running, current } = mixedStore(store, db);
  const byAge = await pruneRuns(db, { keepRuns: 0, keepDays: 3.5 }, { now: NOW, protect: [current.id] });
  assert.equal(byAge.pruned.map((r) => r.id), [old[3]!.id, old[4]!.id, old[5]!.id]);
  const both = await pruneRuns(db, { keepRuns: 1, keepDays: 2.5 }, { now: NOW, protect: [current.id] });
  assert.equal(both.pruned.map((r) => r.id), [old[1]!.id, old[2]!.id]);
  assert.equal(retentionRows(db).map((r) => r.id).sort(), [old[0]!.id, pinned.id, running.id, current.id].sort());
  const none = await pruneRuns(db, { keepRuns: 1, keepDays: 2.5 }, { now: NOW, protect: [current.id] });
  assert.is(retentionLine(none), 'retention: nothing to prune (4 runs, 1 pinned; keep 1, 2.5 days)');
}));

test('the file gets smaller after pruning a big run, and the log line says what went', withStore(async (db, store, dir) => {
  const big = addRun(store, 'big', 10, 4000, 8);
  const kept = addRun(store, 'kept', 1, 50, 2);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const file = path.join(dir, 'chatpulse.db');
  const before = fileBytes(file);
  assert.ok(before > 2 * 1024 * 1024, `a big store to start with: ${before} bytes`);
  assert.is(db.pragma('auto_vacuum', { simple: true }), 2, 'a new file is made with incremental auto_vacuum');
  const report = await pruneRuns(db, { keepRuns: 1, keepDays: 0 }, { now: NOW });
  const after = fileBytes(file);
  assert.ok(after < before / 4, `file + WAL went from ${before} to ${after} bytes`);
  assert.is(report.space, 'incremental');
  assert.equal(retentionRows(db).map((r) => r.id), [kept.id]);
  assert.match(retentionLine(report), new RegExp(
    `^retention: pruned 1 run \\(${big.id}\\) and 4,000 ticks; \\d+\\.\\d MiB returned \\(keep 1; results folders left as they are\\)$`));
}));

test('a store written before retention (no pinned column, no auto_vacuum) opens, pins, and is compacted once', async () => {
  const tmp = tempDir();
  const file = path.join(tmp.dir, 'old.db');
  try {
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.exec(`CREATE TABLE runs (id TEXT PRIMARY KEY, label TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER,
      status TEXT NOT NULL, config TEXT NOT NULL, ticks INTEGER NOT NULL DEFAULT 0, pid INTEGER, host TEXT)`);
    raw.exec(`CREATE TABLE history (room TEXT, line TEXT)`);
    raw.prepare('INSERT INTO history VALUES (?, ?)').run('main', 'chat history is not ours to touch');
    raw.close();
    const db = openDatabase(file);
    const store = new RunStore(db);
    assert.is(db.pragma('auto_vacuum', { simple: true }), 0);
    const a = addRun(store, 'a', 3, 3000, 6);
    const b = addRun(store, 'b', 2);
    assert.ok(setPinned(db, a.id, true));
    assert.equal(retentionRows(db).map((r) => [r.id, r.pinned]), [[b.id, false], [a.id, true]]);
    setPinned(db, a.id, false);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const before = fileBytes(file);
    const report = await pruneRuns(db, { keepRuns: 1, keepDays: 0 }, { now: NOW });
    assert.is(report.space, 'vacuum');
    assert.is(db.pragma('auto_vacuum', { simple: true }), 2, 'converted: the next prune hands pages back incrementally');
    assert.ok(fileBytes(file) < before / 2, `${before} → ${fileBytes(file)}`);
    assert.equal(db.prepare('SELECT line FROM history').pluck().all(), ['chat history is not ours to touch']);
    db.close();
  } finally {
    tmp.cleanup();
  }
});

test('samples go in chunks with event-loop turns between; a stopped pass leaves samples the next one sweeps', withStore(async (db, store) => {
  const run = addRun(store, 'long', 5, 2000, 1);
  addRun(store, 'new', 1);
  let turns = 0;
  let spinning = true;
  const spin = () => { turns++; if (spinning) setImmediate(spin); };
  setImmediate(spin);
  await pruneRuns(db, { keepRuns: 1, keepDays: 0 }, { now: NOW, chunkRows: 100 });
  spinning = false;
  assert.ok(turns >= 30, `the event loop turned ${turns} times while 4000 rows went in chunks of 100`);
  assert.is(rowsOf(db, 'room_samples', run.id) + rowsOf(db, 'totals_samples', run.id), 0);

  const other = addRun(store, 'stopped', 4, 1000, 1);
  addRun(store, 'newer', 0.5);
  const abort = new AbortController();
  const stopped = pruneRuns(db, { keepRuns: 2, keepDays: 0 }, { now: NOW, chunkRows: 100, signal: abort.signal });
  abort.abort();
  assert.equal((await stopped).pruned.map((r) => r.id), [other.id]);
  assert.ok(rowsOf(db, 'room_samples', other.id) > 0, 'stopped between chunks: samples left');
  const sweep = await pruneRuns(db, { keepRuns: 2, keepDays: 0 }, { now: NOW });
  assert.is(sweep.pruned.length, 0);
  assert.is(rowsOf(db, 'room_samples', other.id) + rowsOf(db, 'totals_samples', other.id), 0);
  assert.ok(sweep.ticks > 0, 'the sweep counts the ticks it deleted');
}));

test('startRetention: a pass at start and one per period, one log line each; close() is idempotent', withStore(async (db, store) => {
  for (let d = 1; d <= 4; d++) addRun(store, `r${d}`, d);
  const current = addRun(store, 'current', 10, 3, 1, false);
  const lines: string[] = [];
  const service = startRetention({ db, policy: { keepRuns: 2, keepDays: 0 }, protect: () => [current.id], log: (l) => lines.push(l), everyMs: 40, now: () => NOW });
  try {
    const first = await service.first;
    assert.is(first?.pruned.length, 2);
    assert.match(lines[0] ?? '', /^retention: pruned 2 runs \(.*-r3, .*-r4\) and 40 ticks; /);
    await new Promise((r) => setTimeout(r, 120));
    assert.ok(lines.length >= 2, lines.join('\n'));
    assert.is(lines[1], 'retention: nothing to prune (3 runs; keep 2)');
  } finally {
    await service.close();
  }
  await service.close();
  const count = lines.length;
  await new Promise((r) => setTimeout(r, 100));
  assert.is(lines.length, count, 'no pass after close');
}));

test.run();
