import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Snapshot } from '../../metrics/index.js';
import { runCli } from '../helpers/cli.js';
import { eventually, startTestHub } from '../helpers/hub.js';

test('two loadgen processes report to one dashboard: each source kept, totals summed, latency histograms merged', async () => {
  const h = await startTestHub({ interval: 250 });
  const snapshots: Snapshot[] = [];
  h.hub.metrics?.aggregator.onSnapshot((s) => snapshots.push(s));
  const ingest = `${h.httpUrl.replace('http:', 'ws:')}/ingest`;
  const run = (label: string, seed: string) =>
    runCli(['loadgen', '--port', String(h.chatPort), '--clients', '6', '--rooms', '2', '--rate', '4', '--duration', '3s',
      '--ramp', '0', '--workers', '1', '--seed', seed, '--label', label, '--report', ingest, '--interval', '250ms', '--json']);
  try {
    const [a, b] = [run('east', '1'), run('west', '2')];
    const [ea, eb] = await Promise.all([a.exited(30_000), b.exited(30_000)]);
    assert.is(ea.code, 0, a.stderr());
    assert.is(eb.code, 0, b.stderr());
    // What each generator says it sent (its own --json summary), against every tick's combined count:
    // each report must be summed once, in the tick it arrived in (a stale report summed again, or a
    // report dropped, changes the total). Two more ticks first, so the last reports are in.
    const sentBy = (p: typeof a) => (JSON.parse(p.stdout()) as { messages: { sent: number } }).messages.sent;
    const expectedSent = sentBy(a) + sentBy(b);
    assert.ok(expectedSent > 0);
    // They share rooms (both run room1 and room2): each counts only its own messages to its own clients.
    for (const p of [a, b]) {
      const m = (JSON.parse(p.stdout()) as { messages: Record<string, number> }).messages;
      assert.equal([m.lost, m.duplicated, m.unexpected, m.received === m.expected], [0, 0, 0, true], JSON.stringify(m));
    }
    const seen = snapshots.length;
    await eventually(() => (snapshots.length >= seen + 2 ? true : undefined), 'two ticks after both exited');
    assert.is(snapshots.reduce((sum, s) => sum + (s.totals.loadgen?.sent ?? 0), 0), expectedSent, 'every report summed once');
    const both = snapshots.filter((s) => s.loadgen.length === 2);
    assert.ok(both.length > 0, 'some tick saw both generators');
    const last = both[both.length - 1] as Snapshot;
    assert.equal(last.loadgen.map((r) => r.source).sort(), ['east', 'west']);
    // A tick's totals combine the reports that arrived in it: use ticks in which exactly one report of
    // each source arrived (both latest reports inside the tick's window), so the sum is known.
    // A snapshot lists only each source's latest report: a tick into which one source's reports came
    // twice (a late one and the next) sums both, so keep ticks where each source's report follows the
    // one listed a tick earlier by exactly one report interval (its `elapsedS`).
    const inTick = (s: Snapshot) => s.loadgen.filter((r) => r.time > s.time - s.intervalS * 1000 && r.time <= s.time);
    const oneEach = (s: Snapshot, k: number) => {
      const prev = snapshots[k - 1];
      return prev !== undefined && inTick(s).every((r) => {
        const before = prev.loadgen.find((p) => p.source === r.source);
        return before !== undefined && Math.abs(r.elapsedS - before.elapsedS - 0.25) < 0.1;
      });
    };
    const combined = snapshots.filter((s, k) => s.totals.loadgen?.sources === 2 && inTick(s).length === 2 && oneEach(s, k));
    assert.ok(combined.length > 0, 'a tick with one report from each');
    const t = combined[combined.length - 1] as Snapshot;
    const reports = inTick(t);
    assert.is(t.totals.loadgen?.sent, reports.reduce((sum, r) => sum + r.sent, 0), 'counts summed over sources');
    // Real loadgens send their histograms: the combined figures come from one merged histogram of every
    // delivery (its exact values are checked in merged-latency.test.ts), so they lie within the sources'.
    const l = t.totals.loadgen;
    assert.is(l?.merged, true, 'every report carried histograms');
    assert.is(l?.samples, reports.reduce((sum, r) => sum + r.latencyMs.corrected.count, 0), 'every delivery of the tick merged');
    const p99s = reports.map((r) => r.latencyMs.corrected.p99);
    assert.ok((l?.p99Ms ?? -1) >= Math.min(...p99s) && (l?.p99Ms ?? -1) <= Math.max(...p99s), `p99 ${l?.p99Ms} within ${p99s}`);
  } finally {
    await h.stop();
  }
});

test.run();
