/**
 * The baseline overlay (issue #19 item 2) in a real headless Chromium against a real hub: two stored runs
 * of known, different shapes an hour apart — a baseline at 100 MPS and p99 5 ms whose label is hostile
 * markup, and a shown run at 200 MPS and p99 2 ms — and the Chart.js datasets read through
 * `window.__chatpulse.chart()`: the baseline's lines carry its values, start where the shown run starts
 * (elapsed alignment, not wall clock), leave the room lines alone, follow replay seeks and the live view,
 * and go with "none".
 */
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SamplesResponse } from '../../protocol/dashboard-frames.js';
import type { ChatpulseHooks } from '../../dashboard/web/hooks.js';
import type { Snapshot } from '../../metrics/snapshot.js';
import { CHROMIUM, launchChromium, watchPage, type PageWatch } from '../helpers/browser.js';
import { eventually, startTestHub } from '../helpers/hub.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { makeSnapshot } from '../helpers/snapshots.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const SHOWN_TICKS = 30;
const BASE_TICKS = 20;

interface Ctx {
  browser: Browser | null;
  hub: Awaited<ReturnType<typeof startTestHub>>;
  shownId: string;
  baseId: string;
  shownT0: number;
  baseT0: number;
  page: Page;
  watch: PageWatch;
}
const ctx = {} as Ctx;
const s = needing(suite('dashboard baseline overlay'), findTool('chromium', 'chromium', CHROMIUM));

/** A tick with total MPS `mps` (average `mps - 10`), latency p50/p99 as given, rooms as given. */
function tickOf(runId: string, t0: number, tick: number, rooms: string[], mps: number, p50: number, p99: number): Snapshot {
  const snap = makeSnapshot(tick, { runId, t0, rooms });
  snap.totals = {
    ...snap.totals, mps, mpsAvg: mps - 10,
    loadgen: { sources: 1, sent: 100, received: 100, lost: 0, lostTotal: 0, p50Ms: p50, p90Ms: p99, p99Ms: p99, p999Ms: p99, maxMs: p99, samples: 100, merged: true },
  };
  return snap;
}

function hooks<T>(fn: (h: ChatpulseHooks) => T): Promise<T> {
  return ctx.page.evaluate(`(${fn.toString()})(window.__chatpulse)`) as Promise<T>;
}

interface Line { label: string; xs: number[]; ys: (number | null)[] }
interface Drawn { mps: Line[]; latency: Line[]; legend: string[]; mpsPoints: Record<string, number>; first: number | null }

/** Every line of the MPS and latency charts (after a redraw), the MPS legend, and the shown run's first x. */
function drawn(): Promise<Drawn> {
  return hooks((h) => {
    h.redraw();
    const lines = (name: 'mps' | 'latency') => h.chart(name).data.datasets.map((d) => {
      const pts = d.data as unknown as { x: number; y: number | null }[];
      return { label: String(d.label), xs: pts.map((p) => p.x), ys: pts.map((p) => p.y) };
    });
    const legend = (h.chart('mps').legend?.legendItems ?? []).map((i) => i.text);
    return { mps: lines('mps'), latency: lines('latency'), legend, mpsPoints: h.mpsPoints(), first: h.timeSpan()?.first ?? null };
  });
}

const isBaseline = (l: Line) => l.label.startsWith('baseline ');
const named = (lines: Line[], label: string) => lines.find((l) => l.label === label);

/** The four baseline lines have the baseline's values and start at `start`, one tick a second. */
function assertBaseline(d: Drawn, start: number, where: string): void {
  const name = `baseline ${HOSTILE}`;
  const expect: [Line[], string, number][] = [
    [d.mps, `${name}: all rooms`, 100], [d.mps, `${name}: all rooms (avg)`, 90], [d.latency, `${name} p50 corrected`, 1], [d.latency, `${name} p99 corrected`, 5],
  ];
  for (const [lines, label, y] of expect) {
    const l = named(lines, label);
    assert.ok(l, `${where}: line "${label}" in ${JSON.stringify(lines.map((x) => x.label))}`);
    assert.equal(l.ys, Array<number>(BASE_TICKS).fill(y), `${where}: ${label} values`);
    assert.equal(l.xs, Array.from({ length: BASE_TICKS }, (_, i) => start + i * 1000), `${where}: ${label} starts at the shown run's first x (${start}), not at its own time`);
  }
}

/** Picks the shown run in the replay picker, drawn whole. */
async function replayShown(): Promise<void> {
  await ctx.page.selectOption('#replay-run', ctx.shownId);
  await eventually(async () => ((await hooks((h) => h.replay().total)) === SHOWN_TICKS ? true : undefined), 'replay loaded');
}

async function pickBaseline(id: string): Promise<void> {
  await ctx.page.selectOption('#baseline-run', id);
  const want = id !== '';
  await eventually(async () => ((await hooks((h) => h.baselineActive())) === want ? true : undefined), `baseline ${want ? 'shown' : 'gone'}`);
}

s.before(async () => {
  ctx.browser = await launchChromium();
  if (ctx.browser === null) throw new Error('chromium vanished');
  ctx.hub = await startTestHub({ interval: 1000, label: 'live' });
  const runs = ctx.hub.hub.metrics?.runs;
  if (runs === undefined) throw new Error('no metrics');
  const baseT0 = Date.now() - 7_200_000;
  ctx.baseT0 = baseT0;
  const base = runs.startRun({ label: HOSTILE, start: baseT0 });
  for (let tick = 1; tick <= BASE_TICKS; tick++) runs.record(tickOf(base.id, baseT0, tick, ['main'], 100, 1, 5));
  runs.finishRun(base.id);
  ctx.shownT0 = Date.now() - 3_600_000;
  const shown = runs.startRun({ label: 'shown', start: ctx.shownT0 });
  for (let tick = 1; tick <= SHOWN_TICKS; tick++) runs.record(tickOf(shown.id, ctx.shownT0, tick, ['main', 'room-a'], 200, 1.5, 2));
  runs.finishRun(shown.id);
  [ctx.baseId, ctx.shownId] = [base.id, shown.id];
  ctx.page = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  ctx.watch = watchPage(ctx.page, ctx.hub.httpUrl);
  await ctx.page.goto(ctx.hub.httpUrl);
  await ctx.page.waitForFunction(() => window.__chatpulse?.connected() === true);
});

s.after(async () => {
  await ctx.page?.close();
  await ctx.browser?.close();
  await ctx.hub?.stop();
});

s('replaying: the baseline is drawn in its own values from the shown run\'s start, the room lines untouched', async () => {
  await replayShown();
  const before = await drawn();
  assert.is(before.mps.filter(isBaseline).length + before.latency.filter(isBaseline).length, 0);
  await pickBaseline(ctx.baseId);
  const after = await drawn();
  const shownStart = ctx.shownT0 + 1000; // tick 1 at elapsed 1 s; the baseline's tick 1 goes to the same x
  assert.is(after.first, shownStart);
  assertBaseline(after, shownStart, 'replay');
  assert.equal(after.mps.filter((l) => !isBaseline(l)), before.mps, 'room lines unchanged');
  assert.equal(after.latency.filter((l) => !isBaseline(l)), before.latency, 'the run\'s own latency lines unchanged');
  assert.equal(after.mpsPoints, before.mpsPoints, 'the baseline is no room');
  assert.equal(Object.keys(after.mpsPoints).sort(), ['main', 'room-a']);
  assert.ok(after.legend.includes(`baseline ${HOSTILE}: all rooms`) && after.legend.includes(`baseline ${HOSTILE}: all rooms (avg)`), `in the legend: ${JSON.stringify(after.legend)}`);
  assert.ok(!after.legend.includes('main (avg)'), 'room averages still kept out of the legend');
});

s('the hostile label is text: in the picker and the legend, never an element', async () => {
  const t = await ctx.page.evaluate(() => ({
    imgs: document.querySelectorAll('img').length,
    option: document.querySelector<HTMLSelectElement>('#baseline-run')?.selectedOptions[0]?.textContent ?? '',
  }));
  assert.is(t.imgs, 0);
  assert.ok(t.option.startsWith(`${HOSTILE} — `), t.option);
  assert.equal(ctx.watch.dialogs, []);
});

s('a seek (charts.reset) keeps the baseline, still aligned', async () => {
  await ctx.page.$eval('#replay-seek', (el) => {
    (el as HTMLInputElement).value = '500';
    el.dispatchEvent(new Event('input'));
  });
  const d = await drawn();
  assert.ok((d.mpsPoints.main ?? 0) < SHOWN_TICKS, `half the run drawn: ${JSON.stringify(d.mpsPoints)}`);
  assertBaseline(d, ctx.shownT0 + 1000, 'after a seek');
});

s('live: back to live, the baseline moves to the live run\'s start', async () => {
  await ctx.page.click('#replay-live');
  await eventually(async () => ((await hooks((h) => h.liveTicks())) > 0 ? true : undefined), 'a live tick', 8000);
  const liveId = await hooks((h) => h.runId());
  assert.ok(liveId !== null && liveId !== ctx.shownId);
  const res = (await (await fetch(`${ctx.hub.httpUrl}/api/runs/${encodeURIComponent(liveId)}/samples`)).json()) as SamplesResponse;
  const first = res.snapshots[0];
  assert.ok(first, 'the live run has a stored tick');
  const d = await drawn();
  assert.is(d.first, first.time);
  assertBaseline(d, first.time - first.elapsedS * 1000 + 1000, 'live');
});

s('"none" removes the baseline lines and only them', async () => {
  await replayShown();
  const before = await drawn();
  assert.is(before.mps.filter(isBaseline).length, 2);
  await pickBaseline('');
  const d = await drawn();
  assert.is(d.mps.filter(isBaseline).length + d.latency.filter(isBaseline).length, 0);
  assert.equal(d.mps, before.mps.filter((l) => !isBaseline(l)), 'the room lines stay');
  assert.equal(d.latency.map((l) => l.label), ['p50 corrected', 'p99 corrected']);
  await ctx.page.click('#replay-live');
});

s('a baseline that fails to load is one line of error; the live charts go on', async () => {
  await ctx.page.$eval('#baseline-run', (el) => {
    const opt = document.createElement('option');
    opt.value = 'no-such-run';
    opt.textContent = 'gone';
    el.appendChild(opt);
  });
  await ctx.page.selectOption('#baseline-run', 'no-such-run');
  const note = await eventually(async () => {
    const t = (await ctx.page.textContent('#baseline-note')) ?? '';
    return t.startsWith('baseline not loaded: ') ? t : undefined;
  }, 'the error line');
  assert.not.match(note, /\n/);
  assert.is(await hooks((h) => h.baselineActive()), false);
  const ticks = await hooks((h) => h.lastTick() ?? 0);
  await eventually(async () => ((await hooks((h) => h.lastTick() ?? 0)) > ticks ? true : undefined), 'another live tick', 8000);
});

s('no console errors, no dialogs', () => {
  assert.equal(ctx.watch.consoleErrors.filter((e) => !e.includes('404')), []);
  assert.equal(ctx.watch.dialogs, []);
});

s('a baseline longer than the shown run keeps the x axis to its end', async () => {
  // The short run (20 ticks) shown, the long one (30 ticks) as its baseline.
  await ctx.page.selectOption('#replay-run', ctx.baseId);
  await eventually(async () => ((await hooks((h) => h.replay().total)) === BASE_TICKS ? true : undefined), 'replay loaded');
  await ctx.page.click('#reset-zoom');
  const short = await hooks((h) => { h.redraw(); return h.xRange(); });
  await pickBaseline(ctx.shownId);
  const long = await hooks((h) => { h.redraw(); return h.xRange(); });
  const first = ctx.baseT0 + 1000;
  assert.ok(short !== null && long !== null);
  assert.ok(short.max < first + (SHOWN_TICKS - 1) * 1000, `alone, the axis ends with the short run: ${short.max - first}`);
  assert.ok(long.max >= first + (SHOWN_TICKS - 1) * 1000, `with the long baseline it reaches its last tick: ${long.max - first} ms after the first`);
  await pickBaseline('');
});

s.run();
