import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startServerProcess, type CliProcess } from '../helpers/cli.js';
import { killDemo, lastStatusLine, loadgenPid, readResults, startDemo, sum } from '../helpers/demo.js';
import { tempDir } from '../helpers/temp.js';

test('a 6 s demo writes every file; CSV, summary, server counters and the loadgen agree; the next server replays it', async () => {
  const tmp = tempDir();
  let lgPid: number | undefined;
  let demo: CliProcess | undefined;
  try {
    const d = await startDemo(['--minutes', '0.1', '--clients', '20', '--rooms', '4', '--results-dir', tmp.dir, '--tail', '--threshold', 'loss<50%']);
    demo = d.proc;
    lgPid = await loadgenPid(d.proc);
    const { code } = await d.proc.exited(40_000);
    assert.is(code, 0, d.proc.stderr());
    const folder = path.join(tmp.dir, d.runId);
    assert.match(d.proc.stdout(), `results written to ${folder}\n`);
    assert.equal(fs.readdirSync(folder).sort(), ['mps_by_room.csv', 'report.html', 'rooms.csv', 'summary.json', 'summary.md', 'totals.csv']);
    const r = readResults(folder);
    const s = r.summary;

    // Shape of the run: one totals row per tick, and every room in every tick once all have joined.
    assert.is(s.ending.reason, 'completed');
    assert.is(s.ending.stoppedEarly, false);
    assert.is(r.totals.length, s.server.ticks);
    assert.ok(s.server.ticks >= 6, `ticks: ${s.server.ticks}`);
    const roomNames = [...new Set(r.rooms.map((x) => x.room))].sort();
    for (const room of ['room1', 'room2', 'room3', 'room4']) assert.ok(roomNames.includes(room), `${room} in rooms.csv`);
    // Room rows are sticky: once every room has one, every later tick has them all.
    const perTick = r.totals.map((t) => r.rooms.filter((x) => x.epoch_ms === t.epoch_ms).length);
    const full = perTick.indexOf(roomNames.length);
    assert.ok(full >= 0, `some tick has every room: ${perTick.join(' ')}`);
    assert.ok(perTick.slice(full).every((n) => n === roomNames.length), `rows per tick: ${perTick.join(' ')}`);
    assert.ok(perTick.length - full >= perTick.length / 2, `rows per tick: ${perTick.join(' ')}`);
    assert.is(r.rooms.length, perTick.reduce((a, b) => a + b, 0), 'every room row belongs to a tick of totals.csv');
    assert.is(r.wide.length, perTick.filter((n) => n > 0).length, 'mps_by_room.csv: one row per tick with rooms');

    // The measured window is the scheduled one: no drain ticks after it (they were rows of zeros
    // that pulled the means down), so the run lasts its 6 s to within one tick.
    assert.ok(s.durationS <= s.plannedS + 1, `ran ${s.durationS} s of ${s.plannedS}`);
    assert.ok(s.server.ticks <= s.plannedS + 1, `${s.server.ticks} ticks of 1 s in a ${s.plannedS} s run`);
    assert.is(Number(r.totals[r.totals.length - 1]?.elapsed_s), s.durationS);
    const lastWide = r.wide[r.wide.length - 1] as Record<string, string>;
    assert.ok(Object.entries(lastWide).some(([k, v]) => k !== 'time_utc' && Number(v) > 0), `last mps_by_room row: ${JSON.stringify(lastWide)}`);
    assert.match(d.proc.stdout(), new RegExp(`ran 0:0[5-7] of 0:06, ${s.server.ticks} ticks`));

    // Server: summary = sums of the CSV = its own counters.
    assert.ok(s.server.messages > 0);
    assert.is(s.server.messages, sum(r.totals, 'messages'));
    assert.is(s.server.messages, sum(r.rooms, 'messages'));
    assert.is(s.server.messages, s.server.counters.messagesTotal);
    assert.is(s.server.deliveries, sum(r.totals, 'deliveries'));
    assert.is(s.server.deliveries, s.server.counters.deliveriesTotal);
    assert.is(s.server.privateMessages, s.server.counters.privateMessagesTotal);
    assert.is(s.server.peakConnections, Math.max(...r.totals.map((t) => Number(t.connections))));
    const csvRooms = [...new Set(r.rooms.map((x) => x.room))].sort();
    assert.ok(csvRooms.length >= 2, 'the CSV has the rooms');
    assert.equal(s.server.rooms.map((x) => x.room).sort(), csvRooms, 'one summary row per room of the CSV');
    for (const room of s.server.rooms) {
      assert.is(room.messages, sum(r.rooms.filter((x) => x.room === room.room), 'messages'), room.room);
    }

    // Loadgen: its --json record; every room message it sent reached the server, none was lost.
    const l = s.loadgen;
    assert.is(l.source, 'summary');
    assert.is(l.failure, null);
    assert.is(l.exit.code, 0);
    assert.is(l.messages.sent - (l.messages.pm ?? 0), s.server.messages);
    // A PM reaches the server as a private message, or as `no such user` if its target just left.
    assert.is(l.messages.pm, s.server.privateMessages + (s.server.errorsByReason.no_such_user ?? 0));
    assert.is(l.messages.lost, 0);
    assert.is(l.messages.received, l.messages.expected);
    assert.ok(l.latency, 'whole-run latency');
    assert.is(l.latency?.corrected.count, l.messages.received);
    // Corrected latency counts from the intended time, which is never after the write: it dominates.
    const lat = l.latency as NonNullable<typeof l.latency>;
    assert.ok(lat.corrected.p50 > 0 && lat.corrected.p50 >= lat.uncorrected.p50, JSON.stringify(lat));
    assert.ok(lat.corrected.p99 >= lat.uncorrected.p99, JSON.stringify(lat));
    assert.ok(sum(r.totals.filter((t) => t.loadgen_sent !== ''), 'loadgen_sent') > 0, 'the /ingest reports reached totals.csv');
    // The hub merged the generator's /ingest histograms over the run (a report may miss the close, never add).
    const all = s.loadgen.combinedLatency;
    assert.is(all?.sources, 1, 'summary.json: the hub\'s merged figures');
    assert.ok((all?.corrected.count ?? 0) > 0 && (all?.corrected.count ?? 0) <= l.messages.received, JSON.stringify(all));
    assert.equal(s.thresholds.map((t) => [t.expr, t.ok]), [['loss<50%', true]]);
    assert.is(s.verdict, 'pass');
    assert.is(s.config.clients, 20);

    // summary.md stands alone; the terminal showed status lines and an uncoloured chat sample.
    for (const text of [`\`${d.runId}\``, 'Completed', '## Rooms', '| room1 |', 'corrected', '`loss<50%`', 'Verdict: **pass**']) {
      assert.ok(r.markdown.includes(text), `summary.md has ${text}`);
    }
    const out = d.proc.stdout();
    assert.match(out, /^\[0:0\d\/0:06\] messages \d+ \(.*\/s\) {2}busiest room\d .* {2}clients \d+ {2}p99 /m);
    // The last status line is the run's last tick, not the drain's: traffic, clients and a p99.
    const final = lastStatusLine(out);
    assert.ok(final && final.messages > 0 && final.mps > 0 && final.clients > 0 && final.p99 > 0, final?.line);
    assert.match(final?.rooms ?? '', /^busiest room\d/);
    assert.match(out, /^\[0:0\d\/0:06\] \[room\d\] lg[a-z]{3}\d+: ~[0-9a-z]{5}\.\d+\./m);
    assert.not.match(out, /\x1b\[/);

    // The next server on the same store lists the run and serves its ticks for replay.
    const next = await startServerProcess(['--results-dir', tmp.dir]);
    try {
      assert.match(next.proc.stdout(), `previous run: ${d.runId} (completed, ${s.server.ticks} ticks)`);
      const runs = (await (await fetch(`http://127.0.0.1:${next.httpPort}/api/runs`)).json()) as { runs: { id: string }[] };
      assert.ok(runs.runs.some((x) => x.id === d.runId));
      const samples = (await (await fetch(`http://127.0.0.1:${next.httpPort}/api/runs/${d.runId}/samples`)).json()) as { snapshots: unknown[] };
      assert.is(samples.snapshots.length, s.server.ticks);
    } finally {
      next.proc.child.kill('SIGTERM');
      await next.proc.exited(8000);
    }
  } finally {
    killDemo(demo, lgPid);
    tmp.cleanup();
  }
});

test.run();
