/**
 * What a new user saw wrong in the charts (issue #19 item 3), in a real headless Chromium against a real
 * server: a stored run with the shapes that showed each fault (members equal to connections, a
 * start-up latency spike, a lobby with ten times the joins of any room) is replayed and the Chart.js
 * instances are read through `window.__chatpulse.chart()`.
 */
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatpulseHooks } from '../../dashboard/web/hooks.js';
import type { Snapshot } from '../../metrics/snapshot.js';
import { CHROMIUM, launchChromium, watchPage, type PageWatch } from '../helpers/browser.js';
import { eventually, startTestHub } from '../helpers/hub.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { makeSnapshot } from '../helpers/snapshots.js';

const TICKS = 60;
const SPIKE_TICKS = 3;
const ROOMS = ['room-0', 'room-1', 'room-2', 'room-3', 'room-4'];

interface Ctx {
  browser: Browser | null;
  hub: Awaited<ReturnType<typeof startTestHub>>;
  runId: string;
  shiftingId: string;
  page: Page;
  watch: PageWatch;
}
const ctx = {} as Ctx;
const s = needing(suite('dashboard charts a new user reads'), findTool('chromium', 'chromium', CHROMIUM));

/**
 * Tick `tick` of the stored run: 300 members on 300 connections, ~1234 MPS, a 400/800 ms latency for the
 * first ticks then a steady 2/3 ms, `main` joined and left 1000 times (the loadgen's lobby), rooms 90 down to 50.
 */
function tickOf(runId: string, t0: number, tick: number): Snapshot {
  const snap = makeSnapshot(tick, { runId, t0, rooms: ['main', ...ROOMS] });
  const done = tick / TICKS;
  snap.rooms = snap.rooms.map((r, i) => i === 0
    ? { ...r, joinsTotal: Math.round(1000 * done), leavesTotal: Math.round(1000 * done), members: 0 }
    : { ...r, joinsTotal: Math.round((100 - i * 10) * done), leavesTotal: Math.round(40 * done), members: 60 });
  const spike = tick <= SPIKE_TICKS;
  snap.totals = {
    ...snap.totals, mps: 1234 + (tick % 5), mpsAvg: 1234, members: 300, connections: 300,
    loadgen: {
      sources: 1, sent: 100, received: 400, lost: 0, lostTotal: 0, p50Ms: spike ? 400 : 2, p90Ms: spike ? 600 : 2.5,
      p99Ms: spike ? 800 : 3, p999Ms: spike ? 900 : 4, maxMs: spike ? 950 : 5, samples: 400, merged: true,
    },
  };
  return snap;
}

const SHIFT_TICKS = 40;

/**
 * Tick `tick` of a run whose busiest room comes late: `main` (the lobby) and r1…r8 are there from the
 * start, r1…r8 with 1…8 messages a tick; r9 is quiet for 10 ticks, then has 100 a tick.
 */
function shiftingTick(runId: string, t0: number, tick: number): Snapshot {
  const rooms = ['main', ...Array.from({ length: 9 }, (_, i) => `r${i + 1}`)];
  const snap = makeSnapshot(tick, { runId, t0, rooms });
  snap.rooms = snap.rooms.map((r, i) => {
    const messages = i === 0 ? 0 : i === 9 ? (tick > 10 ? 100 : 0) : i;
    return { ...r, messages, mps: messages, mpsAvg: messages };
  });
  return snap;
}

function hooks<T>(fn: (h: ChatpulseHooks) => T): Promise<T> {
  return ctx.page.evaluate(`(${fn.toString()})(window.__chatpulse)`) as Promise<T>;
}

/** Picks the stored run in the replay picker and waits until it is loaded. */
async function pickRun(): Promise<void> {
  await ctx.page.selectOption('#replay-run', ctx.runId);
  await eventually(async () => ((await hooks((h) => h.replay().total)) === TICKS ? true : undefined), 'replay loaded');
}

/** Seeks the replay to its end: every tick drawn. */
async function seekToEnd(): Promise<void> {
  await ctx.page.$eval('#replay-seek', (el) => {
    (el as HTMLInputElement).value = '1000';
    el.dispatchEvent(new Event('input'));
  });
  await hooks((h) => h.redraw());
}

s.before(async () => {
  ctx.browser = await launchChromium();
  if (ctx.browser === null) throw new Error('chromium vanished');
  ctx.hub = await startTestHub({ interval: 1000, label: 'live' });
  const runs = ctx.hub.hub.metrics?.runs;
  if (runs === undefined) throw new Error('no metrics');
  const t0 = Date.now() - 3_600_000;
  const run = runs.startRun({ label: 'crafted', start: t0 });
  for (let tick = 1; tick <= TICKS; tick++) runs.record(tickOf(run.id, t0, tick));
  runs.finishRun(run.id);
  ctx.runId = run.id;
  const shifting = runs.startRun({ label: 'shifting', start: t0 + 600_000 });
  for (let tick = 1; tick <= SHIFT_TICKS; tick++) runs.record(shiftingTick(shifting.id, t0 + 600_000, tick));
  runs.finishRun(shifting.id);
  ctx.shiftingId = shifting.id;
  ctx.page = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  ctx.watch = watchPage(ctx.page, ctx.hub.httpUrl);
  await ctx.page.goto(ctx.hub.httpUrl);
  await ctx.page.waitForFunction(() => window.__chatpulse?.connected() === true);
  await pickRun();
  await seekToEnd();
});

s.after(async () => {
  await ctx.page?.close();
  await ctx.browser?.close();
  await ctx.hub?.stop();
});

s('Totals: both y axes have their grid lines at the same heights; connections is drawn over members', async () => {
  const t = await hooks((h) => {
    const c = h.chart('totals');
    const px = (id: string) => (c.scales[id]?.ticks ?? []).map((k) => ({ v: k.value, px: c.scales[id]?.getPixelForValue(k.value) ?? NaN }));
    const sets = c.data.datasets.map((d) => ({ label: d.label, order: d.order ?? 0, dash: (d as { borderDash?: number[] }).borderDash ?? [] }));
    const members = c.getDatasetMeta(2);
    return { y: px('y'), y2: px('y2'), sets, membersDrawn: members.data.length, y2Grid: c.options.scales?.y2?.grid?.drawOnChartArea };
  });
  assert.ok(t.y.length >= 3, JSON.stringify(t.y));
  assert.is(t.y2.length, t.y.length, `same number of ticks: ${JSON.stringify(t)}`);
  for (const r of t.y2) {
    assert.ok(t.y.some((l) => Math.abs(l.px - r.px) < 0.5), `right tick ${r.v} at ${r.px}px is on a left grid line: ${JSON.stringify(t.y)}`);
  }
  assert.ok(t.y2.some((r) => r.v === 300), `members (300) has a grid line of its own: ${JSON.stringify(t.y2)}`);
  assert.is(t.y2Grid, false, 'the right axis draws no grid of its own');
  const members = t.sets.find((d) => d.label === 'members');
  const connections = t.sets.find((d) => d.label === 'connections');
  assert.ok(members && connections && t.membersDrawn === TICKS);
  assert.ok(connections.order < members.order, `connections drawn after (over) members: ${JSON.stringify(t.sets)}`);
  assert.ok(connections.dash.length > 0 && members.dash.length === 0, 'connections dashed over a solid members line');
});

/** Heights (0 bottom, 1 top of the chart area) of a steady 2 ms and of the 800 ms spike on the latency chart. */
function latencyHeights(): Promise<{ type: string; steady: number; spike: number; points: number }> {
  return hooks((h) => {
    const c = h.chart('latency');
    const y = c.scales.y;
    if (y === undefined) throw new Error('no y scale');
    const height = (v: number) => (y.bottom - y.getPixelForValue(v)) / (y.bottom - y.top);
    return { type: y.type, steady: height(2), spike: height(800), points: c.data.datasets[0]?.data.length ?? 0 };
  });
}

s('Latency: a log scale toggle keeps the start-up spike on the chart and lifts the steady 2 ms lines off the floor', async () => {
  const linear = await latencyHeights();
  assert.is(linear.type, 'linear');
  assert.is(linear.points, TICKS);
  assert.ok(linear.steady < 0.01, `linear: 2 ms lies on the floor (${linear.steady})`);
  await ctx.page.click('#latency-log');
  await hooks((h) => h.redraw());
  const log = await latencyHeights();
  assert.is(log.type, 'logarithmic');
  assert.ok(log.steady > 0.08, `log: 2 ms sits well above the floor (${log.steady})`);
  assert.ok(log.spike > 0.9 && log.spike <= 1.0001, `log: the 800 ms spike is still on the chart, near the top (${log.spike})`);
  assert.is(await ctx.page.evaluate(() => localStorage.getItem('chatpulse.latency.log')), '1', 'the choice is kept');
  await ctx.page.reload();
  await ctx.page.waitForFunction(() => window.__chatpulse?.connected() === true);
  assert.is(await ctx.page.isChecked('#latency-log'), true, 'and comes back after a reload');
  assert.is((await latencyHeights()).type, 'logarithmic');
  await ctx.page.click('#latency-log');
  assert.is((await latencyHeights()).type, 'linear', 'unticked: linear again');
  await pickRun();
  await seekToEnd();
});

s('Joins: the lobby (main, 10× the joins of any room) is no bar; its counts are a note under the chart', async () => {
  const j = await hooks((h) => {
    const c = h.chart('joins');
    const y = c.scales.y;
    return { labels: c.data.labels as string[], joins: c.data.datasets[0]?.data as number[], yMax: y?.max ?? NaN, bars: h.bars(), lobby: h.lobby() };
  });
  assert.equal(j.labels, ROOMS, 'the real rooms, busiest first, no lobby');
  assert.equal(j.joins, [90, 80, 70, 60, 50]);
  assert.ok(j.yMax < 200, `the y axis fits the rooms, not the lobby's 1000 (${j.yMax})`);
  assert.equal(j.lobby, { room: 'main', joins: 1000, leaves: 1000 });
  assert.is(await ctx.page.textContent('#joins-lobby'), '#main (the lobby every client joins first, not drawn): 1,000 joins, 1,000 leaves');
});

/** What the header and the charts show: status text, the following note, points held per chart. */
function shown(): Promise<{ status: string; following: string; label: string; totals: number; latency: number; bars: number }> {
  return hooks((h) => ({
    status: document.getElementById('status')?.textContent ?? '',
    following: document.getElementById('following')?.textContent ?? '',
    label: document.getElementById('run-label')?.textContent ?? '',
    totals: h.chart('totals').data.datasets[0]?.data.length ?? 0,
    latency: h.chart('latency').data.datasets[0]?.data.length ?? 0,
    bars: h.chart('joins').data.labels?.length ?? 0,
  }));
}

s('Replay: a picked run is drawn at once, and the header says "replaying <run>", not "live"', async () => {
  await ctx.page.click('#replay-live');
  await hooks((h) => h.redraw());
  const live = await shown();
  assert.equal([live.status, live.following, live.label], ['live', 'following live data', 'live']);
  await ctx.page.selectOption('#replay-run', ctx.runId);
  await eventually(async () => ((await hooks((h) => h.replay().total)) === TICKS ? true : undefined), 'replay loaded');
  await hooks((h) => h.redraw());
  const picked = await shown();
  assert.equal([picked.status, picked.following, picked.label], ['replaying crafted', 'following the replay', 'crafted']);
  assert.equal([picked.totals, picked.latency, picked.bars], [TICKS, TICKS, ROOMS.length], 'the whole run is drawn before Play');
  const st = await hooks((h) => h.replay());
  assert.equal([st.playing, st.fed], [false, TICKS]);
  await ctx.page.click('#replay-play');
  const playing = await hooks((h) => h.replay());
  assert.ok(playing.playing && playing.fed < TICKS, `Play starts the run over: ${JSON.stringify(playing)}`);
  await ctx.page.click('#replay-play');
  await ctx.page.click('#replay-live');
  assert.is((await shown()).status, 'live');
});

s('MPS: the busiest rooms get lines also when they become the busiest late — live or played, not the first to come', async () => {
  // Over the run: r9 (3000 messages), then r8…r2; r1 (40) and the quiet lobby are summed as _other.
  const busiest = ['_other', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'];
  await ctx.page.selectOption('#replay-run', ctx.shiftingId);
  await eventually(async () => ((await hooks((h) => h.replay().total)) === SHIFT_TICKS ? true : undefined), 'replay loaded');
  assert.equal(Object.keys(await hooks((h) => h.mpsPoints())).sort(), busiest, 'picked: drawn whole');
  // Played, the ticks come one by one as they came live: main and r1 had lines first, r9 no messages.
  await ctx.page.selectOption('#replay-speed', '60');
  await ctx.page.click('#replay-play');
  await eventually(async () => ((await hooks((h) => h.replay().ended)) ? true : undefined), 'replay end');
  const played = await hooks((h) => h.mpsPoints());
  assert.equal(Object.keys(played).sort(), busiest, `played: ${JSON.stringify(played)}`);
  assert.is(played.r9, SHIFT_TICKS, 'r9 drawn from the first tick, its quiet ones included');
  const other = await hooks((h) => {
    const set = h.chart('mps').data.datasets.find((d) => d.label === '_other');
    return (set?.data ?? []).map((p) => (p as { y: number }).y);
  });
  assert.equal([...new Set(other)], [1], '_other is r1 alone (the lobby has none)');
  await ctx.page.click('#replay-live');
});

s('no console errors', () => {
  assert.equal(ctx.watch.consoleErrors, []);
});

s.run();
