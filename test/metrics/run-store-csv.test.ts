import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  processAlive, ROOMS_COLUMNS, RunStore, TOTALS_COLUMNS, round3, streamCsv, timeUtc, writeCsvFile, writeRunCsv, type Snapshot,
} from '../../metrics/index.js';
import { openDatabase } from '../../store/database.js';
import { eventually } from '../helpers/hub.js';
import { recordingRun } from '../helpers/recording-run.js';
import { loadgenTick } from '../helpers/snapshots.js';
import { tempDir } from '../helpers/temp.js';

const TRICKY = ['-2-3', 'добро-пожаловать', '=HYPERLINK("http://x","y"),z', 'plain'];
const LABEL = '=cmd,"quoted" label';

/** A run recorded from real events on a fake clock: four rooms with user-input names, 6 ticks. */
function recordRun(dir: string) {
  const { db, store, clock, run, events, agg, snaps } = recordingRun(dir, LABEL, { interval: 1000 });
  const members = new Map<string, number>();
  for (let tick = 0; tick < 6; tick++) {
    TRICKY.forEach((room, i) => {
      if (tick === i) {
        members.set(room, (members.get(room) ?? 0) + 1);
        events.emit('join', { nick: 'n', room, members: members.get(room) as number });
      }
      for (let k = 0; k < (tick * (i + 1)) % 5; k++) events.emit('message', { room, nick: 'n', text: 't', deliveries: 1, bytesOut: 9 });
    });
    if (tick === 2) {
      agg.acceptLoadgenReport(loadgenTick({
        time: 0, elapsedS: 2, clients: 3, sent: 11, received: 22, sentTotal: 30, receivedTotal: 60, expectedTotal: 60, lostTotal: 1,
        latency: { p50: 1.5, p90: 2.25, p99: 7.125, p999: 9, max: 12.0004, count: 5 },
      }));
    }
    clock.advance(tick === 3 ? 1333 : 1000);
  }
  agg.close();
  store.finishRun(run.id, 'completed', clock.now());
  return { db, store, run, snaps };
}

test('run ids sort by time and carry a safe label; samples read back as the snapshots written', () => {
  const tmp = tempDir();
  const { db, store, run, snaps } = recordRun(tmp.dir);
  try {
    assert.is(run.id, '2026-11-22T14-03-05Z-_cmd_quoted_label');
    const info = store.getRun(run.id);
    assert.is(info?.label, LABEL);
    assert.is(info?.status, 'completed');
    assert.is(info?.ticks, 7, 'six timer ticks and the last one on close');
    assert.equal(info?.config, { interval: 1000 });
    // Stored ticks keep the reports that arrived in that tick, not the latest ones repeated.
    const stored = snaps.map((s) => ({ ...s, loadgen: s.totals.loadgen === null ? [] : s.loadgen }));
    assert.is(stored.filter((s) => s.loadgen.length > 0).length, 1);
    assert.equal(store.snapshots(run.id), stored);
    const mid = snaps[2] as Snapshot;
    const late = snaps[4] as Snapshot;
    assert.equal(store.snapshots(run.id, { from: mid.time, to: late.time }), stored.slice(2, 5));
    assert.equal(store.snapshots(run.id, { from: mid.time }, 0, 2).map((s) => s.tick), [3, 4]);
    const sums = new Map<string, number>();
    for (const s of snaps) for (const r of s.rooms) sums.set(r.room, (sums.get(r.room) ?? 0) + r.messages);
    assert.equal(store.roomNames(run.id), [...sums].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([r]) => r));
    const second = store.startRun({ label: LABEL, start: run.start });
    assert.is(second.id, `${run.id}-2`, 'two runs in one second get distinct ids');
    assert.equal(store.listRuns().map((r) => r.id), [second.id, run.id]);
    assert.is(store.previousRun(second.id)?.id, run.id);
  } finally {
    db.close();
    tmp.cleanup();
  }
});

test('stale running runs are marked aborted unless their process is alive', () => {
  const tmp = tempDir();
  const db = openDatabase(path.join(tmp.dir, 'c.db'));
  try {
    const store = new RunStore(db);
    const a = store.startRun({ label: 'a', start: 1000 });
    const b = store.startRun({ label: 'b', start: 2000 });
    db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(424242, a.id);
    db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(process.ppid, b.id);
    assert.equal(store.abortStale((pid) => pid === process.ppid), [a.id]);
    assert.is(store.getRun(a.id)?.status, 'aborted');
    assert.is(store.getRun(b.id)?.status, 'running');
  } finally {
    db.close();
    tmp.cleanup();
  }
});

test('processAlive: this process yes; a process that exited, or was killed and not yet reaped (a zombie), no', async () => {
  assert.is(processAlive(process.pid), true);
  assert.is(processAlive(spawnSync('true').pid as number), false, 'exited and reaped');
  // sh starts a short sleep in the background, prints its pid and becomes a long sleep (exec) that never
  // reaps it: from 0.3 s on it is a zombie, which signal 0 still reaches.
  const sh = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const pid = Number(await new Promise<string>((resolve) => sh.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
    assert.ok(pid > 0);
    assert.is(processAlive(pid), true, 'still sleeping');
    await eventually(() => (processAlive(pid) ? undefined : true), 'the short sleep to end, unreaped', 5000);
    assert.match(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), /^\d+ \(sleep\) Z/, 'a zombie, not gone');
  } finally {
    sh.kill('SIGKILL');
  }
});

test('CSV: a cell with a lone LF or CR is quoted, so the row stays one record in a spreadsheet and in the page', async () => {
  const tmp = tempDir();
  try {
    const file = path.join(tmp.dir, 'breaks.csv');
    await writeCsvFile(file, ['room', 'messages'], [['line\nbreak', 2], ['carriage\rreturn', 3], ['both\r\nends', 4], ['plain', 5]]);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.includes('"line\nbreak",2\r\n'), JSON.stringify(text));
    assert.ok(text.includes('"carriage\rreturn",3\r\n'), JSON.stringify(text));
    assert.ok(text.includes('\r\nplain,5\r\n'), 'a plain cell is not quoted');
    assert.equal(parse(text, { bom: true }), [['room', 'messages'], ['line\nbreak', '2'], ['carriage\rreturn', '3'], ['both\r\nends', '4'], ['plain', '5']]);
  } finally {
    tmp.cleanup();
  }
});

test('CSV files: BOM, CRLF, header, formula escaping, every column equal to the samples', async () => {
  const tmp = tempDir();
  const { db, store, run, snaps } = recordRun(tmp.dir);
  try {
    const folder = await writeRunCsv(store, run.id, path.join(tmp.dir, 'results'));
    assert.is(folder, path.join(tmp.dir, 'results', run.id));
    assert.equal(fs.readdirSync(folder).sort(), ['mps_by_room.csv', 'rooms.csv', 'totals.csv'], 'no temp files left');
    const read = (f: string) => {
      const buf = fs.readFileSync(path.join(folder, f));
      assert.equal([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${f} starts with a BOM`);
      const text = buf.toString('utf8');
      assert.ok(text.endsWith('\r\n'));
      assert.not.match(text.replace(/\r\n/g, ''), /\n/, `${f}: every record ends in CRLF`);
      return parse(text, { bom: true }) as string[][];
    };
    const escaped = (room: string) => (/^[=+\-@]/.test(room) ? `'${room}` : room);

    const rooms = read('rooms.csv');
    assert.equal(rooms[0], [...ROOMS_COLUMNS]);
    const expected = snaps.flatMap((s) => s.rooms.map((r) => [
      timeUtc(s.time), String(s.time), String(round3(s.elapsedS)), escaped(r.room), String(r.messages), String(round3(r.mps)),
      String(round3(r.mpsAvg)), String(r.joins), String(r.leaves), String(r.members),
    ]));
    assert.equal(rooms.slice(1), expected);
    assert.ok(rooms.some((r) => r[3] === "'-2-3"), 'a room named -2-3 stays text');
    assert.ok(rooms.some((r) => r[3] === 'добро-пожаловать'));
    assert.ok(rooms.some((r) => r[3] === `'=HYPERLINK("http://x","y"),z`), 'comma, quotes and a leading = survive, escaped');
    assert.is(rooms[1]?.[0], '2026-11-22 14:03:06.000');

    const totals = read('totals.csv');
    assert.equal(totals[0], [...TOTALS_COLUMNS]);
    assert.equal(totals.slice(1), snaps.map((s) => {
      const t = s.totals;
      const l = t.loadgen;
      return [timeUtc(s.time), s.time, round3(s.elapsedS), t.messages, round3(t.mps), round3(t.mpsAvg), t.joins, t.leaves, t.members,
        t.connections, t.deliveries, t.bytesIn, t.bytesOut, t.errors,
        ...(l ? [l.sent, l.received, l.lost, l.p50Ms, l.p90Ms, l.p99Ms, l.p999Ms, round3(l.maxMs)] : Array(8).fill(''))].map(String);
    }));
    assert.equal(totals[3]?.slice(-8), ['11', '22', '1', '1.5', '2.25', '7.125', '9', '12'], 'loadgen columns in the tick it reported');

    const wide = read('mps_by_room.csv');
    const header = wide[0] as string[];
    assert.equal(header.slice(1).sort(), TRICKY.map(escaped).sort());
    snaps.forEach((s, i) => {
      const row = wide[i + 1] as string[];
      assert.is(row[0], timeUtc(s.time));
      for (const r of s.rooms) assert.is(row[header.indexOf(escaped(r.room))], String(round3(r.mps)), `${r.room} at tick ${s.tick}`);
      header.slice(1).forEach((h, k) => {
        if (!s.rooms.some((r) => escaped(r.room) === h)) assert.is(row[k + 1], '', `${h} has no row before it appears`);
      });
    });
  } finally {
    db.close();
    tmp.cleanup();
  }
});

test('mps_by_room.csv has a row for every tick, as totals.csv does, quiet ticks before the first room included', async () => {
  const tmp = tempDir();
  const { db, store, clock, run, events, agg } = recordingRun(tmp.dir, 'quiet', { interval: 1000 });
  try {
    clock.advance(1000);
    clock.advance(1000);
    events.emit('join', { nick: 'n', room: 'late', members: 1 });
    events.emit('message', { room: 'late', nick: 'n', text: 't', deliveries: 1, bytesOut: 9 });
    clock.advance(1000);
    clock.advance(1000);
    agg.close();
    store.finishRun(run.id, 'completed', clock.now());
    const folder = await writeRunCsv(store, run.id, path.join(tmp.dir, 'results'));
    const read = (f: string) => parse(fs.readFileSync(path.join(folder, f), 'utf8'), { bom: true }) as string[][];
    const totals = read('totals.csv');
    const wide = read('mps_by_room.csv');
    assert.equal(wide[0], ['time_utc', 'late']);
    assert.equal(wide.map((r) => r[0]), totals.map((r) => r[0]), 'the same times, row for row');
    assert.equal(wide.slice(1).map((r) => r[1]), ['', '', '1', '0', '0'], 'two quiet ticks, the room, two more ticks (the last as the run closed)');
  } finally {
    db.close();
    tmp.cleanup();
  }
});

test('the same code streams a time range to any writable (an HTTP response)', async () => {
  const tmp = tempDir();
  const { db, store, run, snaps } = recordRun(tmp.dir);
  try {
    const chunks: Buffer[] = [];
    const { Writable } = await import('node:stream');
    const sink = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } });
    const from = (snaps[1] as Snapshot).time;
    const to = (snaps[3] as Snapshot).time;
    await streamCsv(store, run.id, 'totals', sink, { from, to });
    const rows = parse(Buffer.concat(chunks).toString('utf8'), { bom: true }) as string[][];
    assert.equal(rows.slice(1).map((r) => Number(r[1])), [snaps[1], snaps[2], snaps[3]].map((s) => s?.time));
  } finally {
    db.close();
    tmp.cleanup();
  }
});

test.run();
