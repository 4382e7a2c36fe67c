/**
 * Replay of a CSV file opened in the page (issue #21 item 3), in a real headless Chromium against a real
 * hub. The files are a run's rooms.csv and totals.csv written by the real writer from a real SQLite
 * store the hub never saw: picked on the file input and dropped on the page, the charts hold the files'
 * values and the replay controls play them to the end; a CSV that is not chatpulse's is one line of
 * error naming the missing column, and the live charts go on. Nothing is sent to the server.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatpulseHooks } from '../../dashboard/web/hooks.js';
import { RunStore, writeRunCsv, type Snapshot } from '../../metrics/index.js';
import { openDatabase } from '../../store/database.js';
import { CHROMIUM, launchChromium, watchPage, type PageWatch } from '../helpers/browser.js';
import { eventually, startTestHub } from '../helpers/hub.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { makeSnapshot } from '../helpers/snapshots.js';
import { tempDir } from '../helpers/temp.js';

const TICKS = 30;
const ROOMS = ['main', '=cmd'];
const T0 = Date.UTC(2026, 10, 22, 14, 3, 5);

interface Ctx {
  browser: Browser | null;
  hub: Awaited<ReturnType<typeof startTestHub>>;
  tmp: ReturnType<typeof tempDir>;
  folder: string;
  page: Page;
  watch: PageWatch;
  requests: string[];
}
const ctx = {} as Ctx;
const s = needing(suite('dashboard: replay a CSV file'), findTool('chromium', 'chromium', CHROMIUM));

/** Room `main` at 10 + tick MPS, `=cmd` at 2 × tick; totals MPS 100 + tick; members 7, connections 9. */
function tickOf(runId: string, tick: number): Snapshot {
  const snap = makeSnapshot(tick, { runId, t0: T0, rooms: ROOMS });
  snap.rooms = snap.rooms.map((r, i) => ({ ...r, mps: i === 0 ? 10 + tick : 2 * tick, mpsAvg: 5 }));
  snap.totals = { ...snap.totals, mps: 100 + tick, mpsAvg: 90, members: 7, connections: 9, messages: 100 + tick };
  return snap;
}

function hooks<T>(fn: (h: ChatpulseHooks) => T): Promise<T> {
  return ctx.page.evaluate(`(${fn.toString()})(window.__chatpulse)`) as Promise<T>;
}

/** The y values of every line of a chart, by label. */
function lines(chart: 'mps' | 'totals'): Promise<Record<string, (number | null)[]>> {
  return ctx.page.evaluate(`(() => {
    const h = window.__chatpulse;
    h.redraw();
    return Object.fromEntries(h.chart(${JSON.stringify(chart)}).data.datasets.map((d) => [String(d.label), d.data.map((p) => p.y)]));
  })()`) as Promise<Record<string, (number | null)[]>>;
}

const range = (f: (tick: number) => number) => Array.from({ length: TICKS }, (_, i) => f(i + 1));

async function loaded(total: number): Promise<void> {
  await eventually(async () => ((await hooks((h) => (h.mode() === 'replay' ? h.replay().total : -1))) === total ? true : undefined), `${total} ticks replayed`);
}

s.before(async () => {
  ctx.browser = await launchChromium();
  if (ctx.browser === null) throw new Error('chromium vanished');
  ctx.tmp = tempDir();
  const db = openDatabase(path.join(ctx.tmp.dir, 'elsewhere.db'));
  try {
    const store = new RunStore(db);
    const run = store.startRun({ label: 'laptop', start: T0 });
    for (let tick = 1; tick <= TICKS; tick++) store.record(tickOf(run.id, tick));
    store.finishRun(run.id);
    ctx.folder = await writeRunCsv(store, run.id, ctx.tmp.dir);
  } finally {
    db.close();
  }
  ctx.hub = await startTestHub({ interval: 1000, label: 'live' });
  ctx.page = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  ctx.watch = watchPage(ctx.page, ctx.hub.httpUrl);
  ctx.requests = [];
  ctx.page.on('request', (r) => ctx.requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  await ctx.page.goto(ctx.hub.httpUrl);
  await ctx.page.waitForFunction(() => window.__chatpulse?.connected() === true);
});

s.after(async () => {
  await ctx.page?.close();
  await ctx.browser?.close();
  await ctx.hub?.stop();
  ctx.tmp?.cleanup();
});

s('rooms.csv and totals.csv on the file input: the charts hold their values, the header says what is replayed', async () => {
  ctx.requests.length = 0;
  await ctx.page.setInputFiles('#csv-file', [path.join(ctx.folder, 'rooms.csv'), path.join(ctx.folder, 'totals.csv')]);
  await loaded(TICKS);
  assert.is(await ctx.page.textContent('#status'), 'replaying rooms.csv + totals.csv');
  assert.is(await ctx.page.textContent('#run-label'), 'rooms.csv + totals.csv');
  const mps = await lines('mps');
  assert.equal(mps.main, range((t) => 10 + t), 'room main');
  assert.equal(mps['=cmd'], range((t) => 2 * t), 'the guarded room name comes back whole');
  const totals = await lines('totals');
  assert.equal(totals.MPS, range((t) => 100 + t));
  assert.equal(totals.members, range(() => 7));
  assert.equal(totals.connections, range(() => 9));
  assert.is(await hooks((h) => h.timeSpan()?.first ?? null), T0 + 1000, 'at the file\'s own times');
  assert.is(await hooks((h) => h.csvUrl('rooms', false)), null, 'a file is no stored run to download');
  assert.equal(ctx.requests.filter((r) => !r.startsWith('GET /api/runs') || r.includes('csv')), [], 'nothing uploaded, nothing fetched for it');
  assert.ok(ctx.requests.every((r) => !r.includes('Z-csv')), JSON.stringify(ctx.requests));
});

s('the same replay controls: seek, then play at 60× to the end', async () => {
  await ctx.page.$eval('#replay-seek', (el) => {
    (el as HTMLInputElement).value = '200';
    el.dispatchEvent(new Event('input'));
  });
  const half = await hooks((h) => h.replay());
  assert.ok(half.fed > 0 && half.fed < TICKS, `seeked to a fifth: ${half.fed}`);
  assert.is(half.source, 'file');
  await ctx.page.selectOption('#replay-speed', '60');
  await ctx.page.click('#replay-play');
  const end = await eventually(async () => {
    const st = await hooks((h) => h.replay());
    return st.ended && !st.playing ? st : undefined;
  }, 'the end of the file', 8000);
  assert.is(end.fed, TICKS);
  assert.is(end.speed, 60);
  assert.match((await ctx.page.textContent('#replay-pos')) ?? '', /\(end\)$/);
  assert.equal((await lines('mps')).main, range((t) => 10 + t), 'played to its last tick');
});

s('a CSV that is not chatpulse\'s: one line naming the missing column; the live charts go on', async () => {
  await ctx.page.click('#replay-live');
  assert.is(await hooks((h) => h.mode()), 'live');
  await ctx.page.setInputFiles('#csv-file', { name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from('name,age\nbob,3') });
  const msg = await eventually(async () => ((await ctx.page.textContent('#csv-error')) || undefined), 'the error line');
  assert.is(msg, "not replayed: people.csv: not a chatpulse rooms.csv or totals.csv — the header has no column 'time_utc' (found: name, age)");
  assert.is(await ctx.page.isVisible('#csv-error'), true);
  assert.is(await hooks((h) => h.mode()), 'live');
  assert.is(await ctx.page.textContent('#status'), 'live');
  const ticks = await hooks((h) => h.lastTick() ?? 0);
  await eventually(async () => ((await hooks((h) => h.lastTick() ?? 0)) > ticks ? true : undefined), 'another live tick', 8000);
});

s('a drop on the page works too: totals.csv alone replays without room lines', async () => {
  const text = fs.readFileSync(path.join(ctx.folder, 'totals.csv'), 'utf8');
  await ctx.page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'totals.csv', { type: 'text/csv' }));
    document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await loaded(TICKS);
  assert.is(await ctx.page.textContent('#status'), 'replaying totals.csv');
  assert.is(await ctx.page.isVisible('#csv-error'), false, 'the old error is gone');
  assert.equal(await hooks((h) => h.mpsPoints()), {});
  assert.equal((await lines('totals')).MPS, range((t) => 100 + t));
});

s('no console errors, no dialogs, no foreign requests', () => {
  assert.equal(ctx.watch.consoleErrors, []);
  assert.equal(ctx.watch.dialogs, []);
  assert.equal(ctx.watch.foreign, []);
});

s.run();
