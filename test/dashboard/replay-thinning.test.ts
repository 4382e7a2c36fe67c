/**
 * The replay of a run longer than it loads at once (dashboard/web/replay.ts): thinned to every n-th
 * tick and the last, so it spans the whole run, and its state says so. Run in Node: the class and the
 * thinning are plain code; the page's own replay is driven in Chromium elsewhere.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Replay, type ReplayState } from '../../dashboard/web/replay.js';
import { thinned } from '../../dashboard/web/run-samples.js';
import type { RunInfo } from '../../protocol/dashboard-frames.js';
import { makeSnapshot } from '../helpers/snapshots.js';

test('thinned: every n-th from the first, and the last', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  assert.equal(thinned(items, 1), items);
  assert.equal(thinned(items, 3), [0, 3, 6, 9]);
  assert.equal(thinned(items, 4), [0, 4, 8, 9]);
  assert.equal(thinned(items, 20), [0, 9]);
  assert.equal(thinned([], 3), []);
});

test('a file of 25 ticks replayed with room for 10: every 3rd tick and the last, to the end of the run, and said', () => {
  const t0 = 1_700_000_000_000;
  const snaps = Array.from({ length: 25 }, (_, i) => makeSnapshot(i + 1, { t0 }));
  const run: RunInfo = { id: 'f', label: 'file', start: t0, end: snaps.at(-1)?.time ?? null, status: 'completed', ticks: 25 };
  let drawn: number[] = [];
  let state: ReplayState | undefined;
  const replay = new Replay({ onReset: (s) => (drawn = s.map((x) => x.tick)), onTick: () => {}, onState: (s) => (state = s), maxTicks: 10 });
  replay.loadSnapshots(run, snaps);
  assert.equal(drawn, [1, 4, 7, 10, 13, 16, 19, 22, 25], 'the whole run, not its first 10 ticks');
  assert.equal([state?.every, state?.runTicks, state?.total, state?.ended], [3, 25, 9, true]);
  assert.is(state?.durationMs, (snaps.at(-1)?.time ?? 0) - t0);
  // A run that fits is every tick.
  replay.loadSnapshots(run, snaps.slice(0, 10));
  assert.equal([state?.every, state?.total], [1, 10]);
  replay.stop();
});

test.run();
