/**
 * `chatpulse import`: a run recorded from real events into a real SQLite store, its CSV folder written
 * by the real writer (with a demo summary.json beside it), imported by the real bin into a new, empty
 * store in another folder; `chatpulse report` of the imported run shows the original's figures, and
 * `report A --baseline <imported>` works in the original's store (where the folder's id is taken).
 */
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, RunStore, TickAggregator, writeRunCsv } from '../../metrics/index.js';
import type { RunDiffData, RunReportData } from '../../protocol/run-report.js';
import { ChatEvents } from '../../server/index.js';
import { openDatabase } from '../../store/database.js';
import { killLeftovers, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const test = suite('chatpulse import: a run folder back into a store');
const tmp = tempDir();
const original = path.join(tmp.dir, 'a');
const elsewhere = path.join(tmp.dir, 'b');
const ROOMS = ['main', '-2-3', 'room,"b"'];
const TICKS = 40;
let runId = '';
let folder = '';
test.after.each(killLeftovers);
test.after(() => tmp.cleanup());

/** 40 ticks of three rooms, a loadgen report every 5th tick; then rooms.csv, totals.csv and summary.json. */
async function recordRun(): Promise<void> {
  const db = openDatabase(path.join(original, 'chatpulse.db'));
  try {
    const store = new RunStore(db);
    const clock = new ManualClock(Date.UTC(2026, 10, 22, 14, 3, 5));
    const run = store.startRun({ label: 'demo', start: clock.now() });
    const events = new ChatEvents();
    const agg = new TickAggregator(events, { runId: run.id, clock, window: 5 }).start();
    agg.onSnapshot((s) => store.record(s));
    ROOMS.forEach((room, i) => events.emit('join', { nick: `n${i}`, room, members: i + 1 }));
    for (let tick = 0; tick < TICKS; tick++) {
      ROOMS.forEach((room, i) => {
        for (let k = 0; k < (tick * (i + 2)) % 7; k++) events.emit('message', { room, nick: 'n', text: 't', deliveries: i + 1, bytesOut: 20 });
      });
      if (tick % 5 === 4) {
        const p = { p50: 1.5, p90: 2.5, p99: 4 + tick / 10, p999: 9, max: 12, count: 50 };
        agg.acceptLoadgenReport({
          type: 'loadgen-tick', source: 'lg', target: 't', time: 0, elapsedS: tick, clients: 6, sent: 50, received: 100, sentTotal: 50 * tick,
          receivedTotal: 100 * tick, expectedTotal: 100 * tick, lostTotal: 0, duplicatedTotal: 0, reorderedTotal: 0,
          latencyMs: { corrected: p, uncorrected: p }, errors: {}, saturated: false,
        });
      }
      clock.advance(1000);
    }
    agg.close();
    store.finishRun(run.id);
    runId = run.id;
    folder = await writeRunCsv(store, run.id, original);
  } finally {
    db.close();
  }
  const summary = {
    type: 'demo-summary', runId, folder: `results/${runId}`,
    loadgen: {
      source: 'summary', partial: false, clients: { planned: 6, peak: 6, connects: 6, reconnects: 0 },
      messages: { sent: 2000, pm: 0, received: 4000, expected: 4000, lost: 0, lossPercent: 0, duplicated: 0, reordered: 0, late: 0, unexpected: 0, ambiguous: 0 },
      errors: {}, health: { trustworthy: true, note: 'fine' }, latency: null,
    },
    thresholds: [], verdict: 'none',
  };
  fs.writeFileSync(path.join(folder, 'summary.json'), JSON.stringify(summary));
}

function pageData<T>(file: string): T {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(fs.readFileSync(file, 'utf8'));
  assert.ok(m, `no report data in ${file}`);
  return JSON.parse(m[1]!) as T;
}

async function cli(args: string[], want = 0): Promise<string> {
  const p = runCli(args);
  const { code } = await p.exited(30_000);
  assert.is(code, want, `chatpulse ${args.join(' ')}: ${p.stderr()}${p.stdout()}`);
  return want === 0 ? p.stdout() : p.stderr();
}

test('imported into a new store, the run keeps its id and its report shows the original figures', async () => {
  await recordRun();
  const out = await cli(['import', folder, '--results-dir', elsewhere]);
  assert.is(out.split('\n')[0], `imported ${TICKS + 1} ticks of 2026-11-22 14:03:05 UTC as run ${runId}; chatpulse report ${runId} --results-dir ${elsewhere}`);
  assert.match(out, `summary.json copied to ${path.join(elsewhere, runId, 'summary.json')}`);
  const copied = JSON.parse(fs.readFileSync(path.join(elsewhere, runId, 'summary.json'), 'utf8'));
  assert.equal([copied.runId, copied.folder], [runId, path.join(elsewhere, runId)], 'the copy says where it is now');
  await cli(['report', runId, '--results-dir', original, '--out', path.join(tmp.dir, 'orig.html')]);
  await cli(['report', runId, '--results-dir', elsewhere]);
  const orig = pageData<RunReportData>(path.join(tmp.dir, 'orig.html'));
  const imp = pageData<RunReportData>(path.join(elsewhere, runId, 'report.html'));
  assert.is(imp.run.status, 'imported');
  assert.is(imp.run.start, orig.run.start);
  assert.equal(imp.run.config, { importedFrom: folder });
  assert.ok(orig.server.messages > 100, `a busy run: ${orig.server.messages}`);
  for (const k of ['ticks', 'messages', 'deliveries', 'joins', 'bytesOut', 'durationS', 'mpsMean', 'peakMembers'] as const) {
    assert.is(imp.server[k], orig.server[k], k);
  }
  assert.equal(imp.server.rooms.map((r) => [r.room, r.messages, r.joins, r.peakMembers]), orig.server.rooms.map((r) => [r.room, r.messages, r.joins, r.peakMembers]));
  assert.equal(imp.server.rooms.map((r) => r.room).sort(), [...ROOMS].sort(), 'guarded and quoted names come back whole');
  assert.is(imp.loadgen?.source, 'summary', 'the copied summary.json gives the loadgen figures');
  assert.is(imp.loadgen?.messages.sent, 2000);
  assert.equal(imp.snapshots.map((s) => s.totals.loadgen?.p99Ms ?? null), orig.snapshots.map((s) => s.totals.loadgen?.p99Ms ?? null));
});

test('into the original store: the id is taken, a fresh one is printed, and --baseline works with it', async () => {
  const out = await cli(['import', folder, '--results-dir', original, '--label', 'copy']);
  const m = /^imported 41 ticks of 2026-11-22 14:03:05 UTC as run (\S+) \(\S+ is taken in this store\); chatpulse report \1 --results-dir /.exec(out);
  assert.ok(m, out);
  const copy = m[1]!;
  assert.is(copy, '2026-11-22T14-03-05Z-copy');
  const copied = JSON.parse(fs.readFileSync(path.join(original, copy, 'summary.json'), 'utf8'));
  assert.equal([copied.runId, copied.folder], [copy, path.join(original, copy)], 'the copy carries the fresh id and its own folder');
  const diffFile = path.join(tmp.dir, 'diff.html');
  await cli(['report', runId, '--results-dir', original, '--baseline', copy, '--out', diffFile]);
  const diff = pageData<RunDiffData>(diffFile);
  assert.is(diff.baseline.run.id, copy);
  for (const key of ['deliveries', 'mps', 'sent']) {
    const f = diff.figures.find((x) => x.key === key);
    assert.ok(f, `${key} in ${JSON.stringify(diff.figures.map((x) => x.key))}`);
    assert.ok(f.run !== null && f.run > 0, `${key}: ${f.run}`);
    assert.is(f.baseline, f.run, key);
    assert.is(f.delta, 0, key);
  }
});

test('a server run: its summary.json gives what the CSV files lack; without one, those figures read as unknown, not 0', async () => {
  // The same folder as a `chatpulse server` run writes it: a server summary beside the CSV files.
  const srvFolder = path.join(tmp.dir, 'srv', runId);
  fs.cpSync(folder, srvFolder, { recursive: true });
  const pct = (p99: number, count: number) => ({ p50: 1.2, p90: 2.5, p99, p999: 9, max: 14, count });
  const server = { privateMessages: 17, errorsByReason: { bad_name: 3 }, disconnectsByReason: { quit: 2 }, counters: { privateMessagesTotal: 17 } };
  const generator = (source: string, sent: number) => ({ source, target: 't', elapsedS: 39, clients: 3, sent, received: 2 * sent, expected: 2 * sent, lost: 1, duplicated: 0, reordered: 0, errorsTotal: 1, errors: { flood: 1 } });
  fs.writeFileSync(path.join(srvFolder, 'summary.json'), JSON.stringify({
    type: 'server-summary', runId, folder: `results/${runId}`, server, generators: [generator('lg1', 600), generator('lg2', 400)], generatorsForgotten: 0,
    combinedLatency: { corrected: pct(6.9, 2000), uncorrected: pct(3.1, 2000), sources: 2, reports: 80, reportsWithoutHistograms: 0 }, files: [],
  }));
  const store = path.join(tmp.dir, 'c');
  await cli(['import', srvFolder, '--results-dir', store]);
  await cli(['report', runId, '--results-dir', store]);
  const imp = pageData<RunReportData>(path.join(store, runId, 'report.html'));
  assert.equal([imp.loadgen?.source, imp.loadgen?.messages.sent, imp.loadgen?.messages.received, imp.loadgen?.messages.lost, imp.loadgen?.errors], ['last-report', 1000, 2000, 2, { flood: 2 }]);
  assert.equal([imp.latency?.source, imp.latency?.corrected.p99, imp.latency?.uncorrected.p99], ['server-summary', 6.9, 3.1]);
  assert.equal([imp.server.privateMessages, imp.server.errorsByReason, imp.server.disconnectsByReason, imp.server.notInCsv], [17, { bad_name: 3 }, { quit: 2 }, undefined]);

  // No summary.json at all: the figures no CSV holds are unknown; the loadgen's counts are the
  // totals.csv columns summed — 8 reports (every 5th of 40 ticks) of 50 sent and 100 received.
  const bare = path.join(tmp.dir, 'bare', runId);
  fs.cpSync(folder, bare, { recursive: true });
  fs.rmSync(path.join(bare, 'summary.json'));
  const store2 = path.join(tmp.dir, 'd');
  await cli(['import', bare, '--results-dir', store2]);
  await cli(['report', runId, '--results-dir', store2, '--threshold', 'loss<0.1%']);
  const none = pageData<RunReportData>(path.join(store2, runId, 'report.html'));
  assert.equal([none.server.notInCsv, none.latency], [true, null]);
  const m = none.loadgen?.messages;
  assert.equal([none.loadgen?.source, m?.sent, m?.received, m?.expected, m?.lost, m?.lossPercent], ['tick-columns', 400, 800, 800, 0, 0]);
  assert.equal([m?.duplicated, m?.unexpected, none.loadgen?.clients.peak], [null, null, null], 'not in the columns: unknown, not 0');
});

test('bad input is one line and exit 2', async () => {
  const people = path.join(tmp.dir, 'people.csv');
  fs.writeFileSync(people, 'name,age\nbob,3\n');
  assert.is((await cli(['import', people, '--results-dir', elsewhere], 2)).trim(),
    "chatpulse import: people.csv: not a chatpulse rooms.csv or totals.csv — the header has no column 'time_utc' (found: name, age)");
  assert.is((await cli(['import', path.join(tmp.dir, 'nope'), '--results-dir', elsewhere], 2)).trim(),
    `chatpulse import: no such folder or file: '${path.join(tmp.dir, 'nope')}'`);
  assert.is((await cli(['import', path.join(folder, 'mps_by_room.csv'), '--results-dir', elsewhere], 2)).trim(),
    "chatpulse import: mps_by_room.csv: an mps_by_room.csv holds only MPS and cannot be replayed: open the run's rooms.csv and/or totals.csv");
  const out = await cli(['import', '--help']);
  assert.match(out, /^usage: chatpulse import DIR\|FILE/);
});

test.run();
