/**
 * protocol/run-csv.ts, csv-files.ts and csv-reader.ts: a run's CSV files read back as Snapshots. Hand-written CSV
 * text for the reader's rules and every refusal (one message naming file, line and column), then a
 * round trip through the real writer: a run recorded from real events into a temp SQLite store,
 * `writeRunCsv`, and the files read back equal the stored ticks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeRunCsv, type Snapshot } from '../../metrics/index.js';
import { readCsv, unguardCell } from '../../protocol/csv-reader.js';
import { csvKindOf, runFromCsvFiles } from '../../protocol/csv-files.js';
import { MAX_CSV_ROWS, RunCsvError, snapshotsFromCsv } from '../../protocol/run-csv.js';
import { recordingRun } from '../helpers/recording-run.js';
import { loadgenTick } from '../helpers/snapshots.js';
import { tempDir } from '../helpers/temp.js';

const ROOMS_HEAD = 'time_utc,epoch_ms,elapsed_s,room,messages,mps,mps_avg,joins,leaves,members';
const TOTALS_HEAD = 'time_utc,epoch_ms,elapsed_s,messages,mps,mps_avg,joins,leaves,members,connections,deliveries,bytes_in,bytes_out,errors,'
  + 'loadgen_sent,loadgen_received,loadgen_lost,latency_p50_ms,latency_p90_ms,latency_p99_ms,latency_p999_ms,latency_max_ms';

/** Two ticks, two rooms (one with a guarded name, one with a comma and quotes), BOM and CRLF as the writer does. */
const ROOMS = `\uFEFF${ROOMS_HEAD}\r\n`
  + '2026-11-22 14:03:06.000,1795356186000,1,main,3,3,3,2,0,2\r\n'
  + '2026-11-22 14:03:06.000,1795356186000,1,\'-2-3,1,1,1,1,0,1\r\n'
  + '2026-11-22 14:03:07.500,1795356187500,2.5,main,6,4,3.5,0,1,1\r\n'
  + '2026-11-22 14:03:07.500,1795356187500,2.5,"a,""b""",2,1.333,1.333,1,0,1\r\n';
const TOTALS = `\uFEFF${TOTALS_HEAD}\r\n`
  + '2026-11-22 14:03:06.000,1795356186000,1,4,4,4,3,0,3,3,8,100,200,0,,,,,,,,\r\n'
  + '2026-11-22 14:03:07.500,1795356187500,2.5,8,5.333,4.667,1,1,2,3,16,50,70,1,11,22,1,1.5,2.25,7.125,9,12\r\n';

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, RunCsvError);
    const msg = (err as Error).message;
    assert.not.match(msg, /\n/, 'one line');
    return msg;
  }
  assert.unreachable('expected a RunCsvError');
  return '';
}

test('the reader: BOM, CRLF or LF, quoted cells with "" escapes, commas and line breaks inside', () => {
  const t = readCsv('\uFEFFa,b\r\n"x,1","say ""hi"""\r\n"two\r\nlines",\n3,4', { file: 'f.csv' });
  assert.equal(t.header, ['a', 'b']);
  assert.equal(t.rows, [['x,1', 'say "hi"'], ['two\r\nlines', ''], ['3', '4']]);
  assert.equal(t.lines, [2, 3, 5], 'a row starts on the line after a quoted line break');
});

test('the reader refuses what RFC 4180 does not allow, naming file and line', () => {
  assert.is(refused(() => readCsv('a,b\n1,x"y\n', { file: 'f.csv' })), 'f.csv line 2: a `"` inside an unquoted cell (quote the whole cell and double the `"`)');
  assert.is(refused(() => readCsv('a,b\n1,"x"y\n', { file: 'f.csv' })), 'f.csv line 2: text after a closing quote ("y\\n")');
  assert.is(refused(() => readCsv('a,b\n1,"open\n', { file: 'f.csv' })), 'f.csv line 2: a quoted cell is never closed (a `"` is missing)');
  assert.is(refused(() => readCsv('a,b\n1,2\n3\n', { file: 'f.csv' })), 'f.csv line 3: 1 cell, the header has 2');
  assert.is(refused(() => readCsv('a\n1\n2\n3\n', { file: 'f.csv', maxRows: 2 })), 'f.csv line 4: more than 2 rows: the limit is 2');
  assert.is(refused(() => readCsv('', { file: 'f.csv' })), 'f.csv: the file is empty (no header row)');
});

test('the formula guard is undone exactly as csv-stringify adds it', () => {
  assert.is(unguardCell("'-2-3"), '-2-3');
  assert.is(unguardCell("'=HYPERLINK(1)"), '=HYPERLINK(1)');
  assert.is(unguardCell("'@x"), '@x');
  assert.is(unguardCell("'\uFF1Dx"), '\uFF1Dx');
  assert.is(unguardCell("'plain"), "'plain", 'a quote before anything else is the name\'s own');
  assert.is(unguardCell("'"), "'");
});

test('rooms.csv and totals.csv: snapshots with running totals, intervals from elapsed, loadgen where reported', () => {
  const { snapshots, run } = snapshotsFromCsv({ rooms: ROOMS, totals: TOTALS });
  assert.is(run.start, 1795356185000);
  assert.is(run.id, '2026-11-22T14-03-05Z-csv');
  assert.is(run.label, 'rooms.csv + totals.csv');
  assert.is(snapshots.length, 2);
  const [a, b] = snapshots as [Snapshot, Snapshot];
  assert.equal([a.tick, a.time, a.elapsedS, a.intervalS], [1, 1795356186000, 1, 1]);
  assert.equal([b.tick, b.time, b.elapsedS, b.intervalS], [2, 1795356187500, 2.5, 1.5]);
  assert.equal(a.rooms.map((r) => r.room), ['main', '-2-3']);
  assert.equal(b.rooms.map((r) => r.room), ['main', 'a,"b"']);
  assert.equal(b.rooms[0], { room: 'main', messages: 6, messagesTotal: 9, mps: 4, mpsAvg: 3.5, joins: 0, leaves: 1, joinsTotal: 2, leavesTotal: 1, members: 1 });
  assert.is(a.totals.loadgen, null);
  assert.equal(b.totals.loadgen, { sources: 1, sent: 11, received: 22, lost: 1, lostTotal: 1, p50Ms: 1.5, p90Ms: 2.25, p99Ms: 7.125, p999Ms: 9, maxMs: 12, samples: 22, merged: true });
  assert.equal([b.totals.messages, b.totals.messagesTotal, b.totals.deliveriesTotal, b.totals.bytesInTotal, b.totals.errorsTotal, b.totals.connections], [8, 12, 24, 150, 1, 3]);
  assert.is(b.runId, run.id);
});

test('a range export (from= to=) is a run of its own: its first tick lasts one usual tick, not since the run began', () => {
  // Ticks 14 to 17 of a run of 1 s ticks (the last a closing tick of 1.5 s): elapsed_s is the run's.
  const row = (ms: number, elapsed: string, messages: number) =>
    `2026-11-22 14:03:00.000,${ms},${elapsed},${messages},${messages},1,0,0,3,3,${messages * 2},10,20,0,,,,,,,,`;
  const text = [TOTALS_HEAD, row(1795356199000, '13', 104), row(1795356200000, '14', 92), row(1795356201000, '15', 24), row(1795356202500, '16.5', 6)].join('\n');
  const { snapshots, run } = snapshotsFromCsv({ totals: text });
  assert.equal(snapshots.map((s) => s.intervalS), [1, 1, 1, 1.5], 'the first was 13 s');
  assert.equal(snapshots.map((s) => s.elapsedS), [1, 2, 3, 4.5]);
  assert.is(run.start, 1795356198000, 'one tick before the first row');
  // A whole run's first tick is left as it is, a little long or not.
  const whole = [TOTALS_HEAD, row(1795356187000, '1.2', 3), row(1795356188000, '2.2', 3), row(1795356189000, '3.2', 3)].join('\n');
  assert.equal(snapshotsFromCsv({ totals: whole }).snapshots.map((s) => s.intervalS), [1.2, 1, 1]);
  // A whole run that closed 0.2 s after its first tick: its closing tick is not the usual one.
  const short = [TOTALS_HEAD, row(1795356187000, '1', 3), row(1795356187200, '1.2', 1)].join('\n');
  const sh = snapshotsFromCsv({ totals: short });
  assert.equal([sh.snapshots.map((s) => s.intervalS), sh.run.start], [[1, 0.2], 1795356186000]);
  // rooms.csv alone starts at the first tick with a room row, however far into the run: its times are kept.
  const lateRooms = `${ROOMS_HEAD}\n2026-11-22 14:03:35.000,1795356215000,30,main,3,3,3,1,0,1\n2026-11-22 14:03:36.000,1795356216000,31,main,1,1,2,0,0,1\n`
    + '2026-11-22 14:03:37.000,1795356217000,32,main,1,1,2,0,0,1\n';
  assert.is(snapshotsFromCsv({ rooms: lateRooms }).run.start, 1795356185000);
});

test('room totals are kept by room key, as the server keeps them: dev and Dev are one room', () => {
  const rooms = `${ROOMS_HEAD}\n2026-11-22 14:03:06.000,1795356186000,1,dev,3,3,3,1,1,0\n2026-11-22 14:03:07.000,1795356187000,2,Dev,2,2,2,1,0,1\n`;
  const last = snapshotsFromCsv({ rooms }).snapshots.at(-1)?.rooms[0];
  assert.equal([last?.room, last?.joinsTotal, last?.leavesTotal, last?.messagesTotal], ['Dev', 2, 1, 5]);
});

test('a tick pasted twice is refused, not summed twice; an idle closing tick sharing its time is kept', () => {
  const lines = TOTALS.split('\r\n');
  const doubled = [...lines.slice(0, 3), lines[2], ...lines.slice(3)].join('\r\n');
  assert.is(refused(() => snapshotsFromCsv({ totals: doubled })),
    'totals.csv line 4: repeats the tick of line 3 cell for cell (pasted twice?) — its counts would be summed twice');
  const roomLines = ROOMS.split('\r\n');
  const block = [...roomLines.slice(0, 3), ...roomLines.slice(1, 3), ...roomLines.slice(3)].join('\r\n');
  assert.is(refused(() => snapshotsFromCsv({ rooms: block })),
    'rooms.csv line 4: repeats the tick of line 2 cell for cell (pasted twice?) — its counts would be summed twice');
  const idle = `${TOTALS_HEAD}\n${'2026-11-22 14:03:06.000,1795356186000,1,0,0,0,0,0,3,3,0,0,0,0,,,,,,,,\n'.repeat(2)}`;
  assert.is(snapshotsFromCsv({ totals: idle }).snapshots.length, 2);
});

test('a column named twice in the header is refused: which one holds the figures?', () => {
  const twice = TOTALS.split('\r\n').filter((l) => l !== '').map((l, i) => `${l},${i === 0 ? 'messages' : 0}`).join('\r\n');
  assert.is(refused(() => snapshotsFromCsv({ totals: twice })),
    "totals.csv line 1: the column 'messages' appears twice — which one holds the figures?");
});

test('either file alone: rooms gives totals summed from the rooms, totals gives no room lines', () => {
  const rooms = snapshotsFromCsv({ rooms: ROOMS }).snapshots;
  assert.equal(rooms.map((s) => [s.totals.messages, s.totals.mps, s.totals.members, s.totals.messagesTotal]), [[4, 4, 3, 4], [8, 5.333, 2, 12]]);
  const totals = snapshotsFromCsv({ totals: TOTALS }).snapshots;
  assert.equal(totals.map((s) => s.rooms.length), [0, 0]);
  assert.equal(totals.map((s) => s.totals.mps), [4, 5.333]);
});

test('files are told apart by their header, whatever their names', () => {
  assert.is(csvKindOf(ROOMS, 'x.csv'), 'rooms');
  assert.is(csvKindOf(TOTALS, 'y.csv'), 'totals');
  assert.is(csvKindOf('\uFEFFtime_utc,main,-2-3\r\n', 'z.csv'), 'mps_by_room');
  const r = runFromCsvFiles([{ name: 'totals (1).csv', text: TOTALS }, { name: 'rooms (1).csv', text: ROOMS }]);
  assert.is(r.run.label, 'rooms (1).csv + totals (1).csv');
  assert.is(r.snapshots[1]?.rooms.length, 2);
});

test('every refusal is one line naming the file, line and column', () => {
  assert.is(refused(() => runFromCsvFiles([{ name: 'people.csv', text: 'name,age\nbob,3\n' }])),
    "people.csv: not a chatpulse rooms.csv or totals.csv — the header has no column 'time_utc' (found: name, age)");
  assert.is(refused(() => snapshotsFromCsv({ rooms: `${ROOMS_HEAD.replace(',mps_avg', '')}\n` })),
    "rooms.csv line 1: not a chatpulse rooms.csv — the header has no column 'mps_avg'");
  assert.is(refused(() => snapshotsFromCsv({ rooms: ROOMS.replace(',3,3,3,2,0,2', ',3,fast,3,2,0,2') })),
    'rooms.csv line 2, column mps: "fast" is not a number');
  assert.is(refused(() => snapshotsFromCsv({ totals: TOTALS.replace('4,4,4,3,0,3', '4,4,4,3,0,1e') })),
    'totals.csv line 2, column members: "1e" is not a number');
  // Numbers that are numbers but not what the column holds: stored as they came, they were drawn as ∞ and 1913.
  assert.is(refused(() => snapshotsFromCsv({ rooms: ROOMS.replace(',main,3,3,3,2,0,2', ',main,-5,3,3,2,0,2') })),
    'rooms.csv line 2, column messages: "-5" is not a count (a whole number, 0 or more)');
  assert.is(refused(() => snapshotsFromCsv({ rooms: ROOMS.replace(',main,3,3,3,2,0,2', ',main,2.5,3,3,2,0,2') })),
    'rooms.csv line 2, column messages: "2.5" is not a count (a whole number, 0 or more)');
  assert.is(refused(() => snapshotsFromCsv({ totals: TOTALS.replace(',3,8,100,200,0,', ',3,8,1e400,200,0,') })),
    'totals.csv line 2, column bytes_in: "1e400" is not a count (a whole number, 0 or more)');
  assert.is(refused(() => snapshotsFromCsv({ rooms: ROOMS.replace(',main,3,3,3,2,0,2', ',main,3,-3,3,2,0,2') })),
    'rooms.csv line 2, column mps: "-3" is not a finite number, 0 or more');
  assert.is(refused(() => snapshotsFromCsv({ totals: TOTALS.replace(',1.5,2.25,7.125,9,12', ',1.5,2.25,1e999,9,12') })),
    'totals.csv line 3, column latency_p99_ms: "1e999" is not a finite number, 0 or more');
  assert.is(refused(() => snapshotsFromCsv({ totals: TOTALS.replaceAll('1795356186000', '-1795356186000') })),
    'totals.csv line 2, column epoch_ms: "-1795356186000" is not a time in ms since 1970 (a whole number above 0)');
  const swapped = `${TOTALS_HEAD}\n${TOTALS.split('\r\n').slice(2, 3).join('')}\n${TOTALS.split('\r\n').slice(1, 2).join('')}\n`;
  assert.is(refused(() => snapshotsFromCsv({ totals: swapped })),
    'totals.csv line 3, column epoch_ms: ticks out of order (1795356186000 comes after 1795356187500)');
  assert.is(refused(() => runFromCsvFiles([{ name: 'mps_by_room.csv', text: '\uFEFFtime_utc,main\r\n2026-11-22 14:03:06.000,3\r\n' }])),
    "mps_by_room.csv: an mps_by_room.csv holds only MPS and cannot be replayed: open the run's rooms.csv and/or totals.csv");
  const later = ROOMS.replaceAll('17953561', '17953571');
  assert.match(refused(() => snapshotsFromCsv({ rooms: later, totals: TOTALS })), /^rooms\.csv and totals\.csv are of different runs: their times do not overlap \(/);
  assert.is(refused(() => snapshotsFromCsv({ rooms: ROOMS.replaceAll('1795356187500', '1795356187400'), totals: TOTALS })),
    'rooms.csv line 4, column epoch_ms: 1795356187400 is no tick of totals.csv — are they of the same run?');
  assert.is(refused(() => runFromCsvFiles([{ name: 'a.csv', text: ROOMS }, { name: 'b.csv', text: ROOMS }])),
    'two rooms.csv files (a.csv and b.csv): open one run\'s rooms.csv and/or totals.csv');
  assert.is(refused(() => snapshotsFromCsv({ rooms: `${ROOMS_HEAD}\r\n` })), 'rooms.csv: no rows after the header');
  assert.is(refused(() => runFromCsvFiles([{ name: 'big.csv', text: 'x'.repeat(50 * 1024 * 1024 + 1) }])), 'big.csv: too big (50 MB): the limit is 50 MB');
  assert.is(MAX_CSV_ROWS, 1_000_000);
});

test('round trip: a run recorded into SQLite, written by writeRunCsv, reads back as its stored ticks', async () => {
  const tmp = tempDir();
  const { db, store, clock, run, events, agg } = recordingRun(tmp.dir, 'trip');
  try {
    const rooms = ['-2-3', '=HYPERLINK("http://x","y"),z', 'добро', 'plain'];
    rooms.forEach((room) => events.emit('join', { nick: 'n', room, members: 1 }));
    for (let tick = 0; tick < 8; tick++) {
      rooms.forEach((room, i) => {
        for (let k = 0; k < (tick * (i + 1)) % 5; k++) events.emit('message', { room, nick: 'n', text: 't', deliveries: 2, bytesOut: 9 });
      });
      const totals = { time: 0, clients: 3, sentTotal: 30, receivedTotal: 60, expectedTotal: 60, lostTotal: 1 };
      if (tick === 3) {
        agg.acceptLoadgenReport(loadgenTick({ ...totals, elapsedS: 2, sent: 11, received: 22, latency: { p50: 1.5, p90: 2.25, p99: 7.125, p999: 9, max: 12.5, count: 5 } }));
      }
      if (tick === 5) {
        // The generator's last tick: it reported, nothing was delivered, so there is no latency to show.
        agg.acceptLoadgenReport(loadgenTick({ ...totals, elapsedS: 4, sent: 0, received: 0, latency: { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, count: 0 } }));
      }
      clock.advance(tick === 4 ? 1333 : 1000);
    }
    agg.close();
    store.finishRun(run.id);
    const dir = await writeRunCsv(store, run.id, tmp.dir);
    const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
    const { snapshots, run: guess } = snapshotsFromCsv({ rooms: read('rooms.csv'), totals: read('totals.csv') });
    const stored = store.snapshots(run.id);
    assert.is(guess.start, run.start);
    assert.is(snapshots.length, stored.length);
    stored.forEach((s, k) => {
      const c = snapshots[k] as Snapshot;
      assert.equal([c.tick, c.time, c.elapsedS, c.intervalS], [s.tick, s.time, s.elapsedS, s.intervalS], `tick ${s.tick}`);
      assert.equal(c.rooms, s.rooms.map((r) => ({ ...r, mps: Math.round(r.mps * 1000) / 1000, mpsAvg: Math.round(r.mpsAvg * 1000) / 1000 })), `rooms of tick ${s.tick}`);
      const t = s.totals;
      assert.equal(
        [c.totals.messages, c.totals.messagesTotal, c.totals.deliveries, c.totals.deliveriesTotal, c.totals.joins, c.totals.members, c.totals.bytesOutTotal],
        [t.messages, t.messagesTotal, t.deliveries, t.deliveriesTotal, t.joins, t.members, t.bytesOutTotal], `totals of tick ${s.tick}`,
      );
      assert.is(c.totals.loadgen?.p99Ms ?? null, t.loadgen?.p99Ms ?? null);
      assert.is(c.totals.loadgen?.sent ?? null, t.loadgen?.sent ?? null);
    });
    assert.ok(snapshots.some((s) => s.rooms.some((r) => r.room === '=HYPERLINK("http://x","y"),z')), 'the guarded, quoted name comes back whole');
    // The tick with a report and no delivery: its latency cells are empty, not 0 ms, and read back as no samples.
    const totalsRows = read('totals.csv').split('\r\n').filter((l) => /^\d{4}-/.test(l));
    const quiet = stored.findIndex((s) => s.totals.loadgen !== null && s.totals.loadgen.samples === 0);
    assert.ok(quiet >= 0, 'a tick whose report held no delivery');
    assert.match(totalsRows[quiet] as string, /,0,0,0,,,,,$/, totalsRows[quiet]);
    assert.equal([snapshots[quiet]?.totals.loadgen?.sent, snapshots[quiet]?.totals.loadgen?.samples], [0, 0]);
    const busy = stored.findIndex((s) => (s.totals.loadgen?.samples ?? 0) > 0);
    assert.match(totalsRows[busy] as string, /,11,22,1,1\.5,2\.25,7\.125,9,12\.5$/, totalsRows[busy]);
  } finally {
    db.close();
    tmp.cleanup();
  }
});

test.run();
