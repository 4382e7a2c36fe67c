/**
 * The dashboard in a real headless Chromium against a real server (chat + metrics + HTTP on port 0),
 * driven by real chat clients. Reads the page through `window.__chatpulse` rather than pixels.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { defaultDbPath } from '../../cli/hub.js';
import type { ChatpulseHooks } from '../../dashboard/web/hooks.js';
import { CHROMIUM, launchChromium, watchPage, type PageWatch } from '../helpers/browser.js';
import { eventually, startTestHub } from '../helpers/hub.js';
import { LineClient, sleep } from '../helpers/line-client.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const INTERVAL = 200;
type Hub = Awaited<ReturnType<typeof startTestHub>>;

interface Ctx {
  browser: Browser | null;
  past: Hub;
  pastRunId: string;
  hub: Hub;
  page: Page;
  watch: PageWatch;
  clients: LineClient[];
  chatter: ReturnType<typeof setInterval> | undefined;
  /** Every tick of the live run as the aggregator made it: time and the rooms it counted. */
  ticks: { time: number; rooms: string[] }[];
  artifacts: { dir: string; cleanup(): void };
}
const ctx = { clients: [], ticks: [] } as unknown as Ctx;
const s = needing(suite('dashboard in chromium'), findTool('chromium', 'chromium', CHROMIUM));

async function login(port: number, nick: string, room?: string): Promise<LineClient> {
  const c = await LineClient.login(port, nick);
  ctx.clients.push(c);
  if (room) await c.ask(`/join ${room}`, (l) => l.includes(`joined #${room}`));
  return c;
}

/** Reads the page's test hooks. */
function hooks<T>(fn: (h: ChatpulseHooks) => T): Promise<T> {
  return ctx.page.evaluate(`(${fn.toString()})(window.__chatpulse)`) as Promise<T>;
}

s.before(async () => {
  ctx.artifacts = tempDir('chatpulse-dashboard-shot-');
  ctx.browser = await launchChromium();
  if (ctx.browser === null) throw new Error('chromium vanished');
  // A finished run to replay: real clients, real ticks, closed like Ctrl-C would.
  ctx.past = await startTestHub({ interval: INTERVAL, label: 'past' });
  ctx.pastRunId = ctx.past.hub.metrics?.run.id ?? '';
  const p = await login(ctx.past.chatPort, 'pat', 'old');
  for (let i = 0; i < 15; i++) {
    p.send(`old message ${i}`);
    await sleep(100);
  }
  p.close();
  await ctx.past.hub.close();
  // The live run, on the same store.
  ctx.hub = await startTestHub({ interval: INTERVAL, label: HOSTILE, db: defaultDbPath(ctx.past.dir), resultsDir: ctx.past.dir });
  ctx.hub.hub.metrics?.aggregator.onSnapshot((snap) => ctx.ticks.push({ time: snap.time, rooms: snap.rooms.map((r) => r.room) }));
  const port = ctx.hub.chatPort;
  const a1 = await login(port, 'ann', 'alpha');
  const a2 = await login(port, 'amy', 'alpha');
  const b1 = await login(port, 'bob', 'beta');
  await b1.ask('/leave beta', (l) => l.includes('left #beta'));
  let n = 0;
  ctx.chatter = setInterval(() => {
    a1.send(`hello ${n++}`);
    if (n % 2 === 0) a2.send(`hi ${n}`);
  }, 40);
  ctx.page = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  ctx.watch = watchPage(ctx.page, ctx.hub.httpUrl);
  await ctx.page.goto(ctx.hub.httpUrl);
  await ctx.page.waitForFunction(() => window.__chatpulse?.connected() === true);
});

s.after(async () => {
  clearInterval(ctx.chatter);
  for (const c of ctx.clients) c.close();
  await ctx.page?.close();
  await ctx.browser?.close();
  await ctx.hub?.stop();
  await ctx.past?.stop();
  ctx.artifacts?.cleanup();
});

const run = s;

run('the page loads only from this server, shows the hostile run label as text, logs no errors', async () => {
  await eventually(async () => ((await hooks((h) => h.liveTicks())) >= 5 ? true : undefined), '5 live ticks');
  const label = await ctx.page.evaluate(() => {
    const el = document.getElementById('run-label') as HTMLElement;
    return { text: el.textContent, children: el.children.length, imgs: document.images.length };
  });
  assert.equal(label, { text: HOSTILE, children: 0, imgs: 0 });
  // No loadgen yet: the latency panel says how to connect one, to this dashboard's own port.
  const httpHost = new URL(ctx.hub.httpUrl).host;
  assert.is(await ctx.page.textContent('#loadgen-sources'), `no load generator reporting — connect one: chatpulse loadgen --report ws://${httpHost}/ingest`);
  await ctx.page.click('#replay-run'); // the picker lists runs by label: also text
  const options = await ctx.page.$$eval('#replay-run option', (os) => os.map((o) => ({ text: o.textContent ?? '', html: o.innerHTML })));
  const hostile = options.find((o) => o.text.startsWith(HOSTILE));
  assert.ok(hostile, JSON.stringify(options));
  assert.ok(hostile.html.startsWith('&lt;img'), hostile.html);
  assert.equal(ctx.watch.foreign, [], 'no request left the server');
  assert.equal(ctx.watch.consoleErrors, [], 'no console errors');
  assert.equal(ctx.watch.dialogs, [], 'no script ran from a label');
});

run('the MPS chart gains points each tick for the active rooms; joins/leaves bars match the clients', async () => {
  const before = await hooks((h) => ({ pts: h.mpsPoints(), tick: h.lastTick() ?? 0 }));
  await eventually(async () => ((await hooks((h) => h.lastTick() ?? 0)) >= before.tick + 4 ? true : undefined), '4 more ticks');
  const after = await hooks((h) => ({ pts: h.mpsPoints(), tick: h.lastTick() ?? 0 }));
  const ticks = after.tick - before.tick;
  assert.ok((after.pts.alpha ?? 0) - (before.pts.alpha ?? 0) >= ticks, `alpha gained a point per tick: ${JSON.stringify([before, after])}`);
  const bars = await eventually(async () => {
    const b = await hooks((h) => h.bars());
    return b.find((x) => x.room === 'beta')?.leaves === 1 ? b : undefined;
  }, 'beta leave in the bars');
  const get = (room: string) => bars.find((x) => x.room === room);
  assert.equal(get('alpha'), { room: 'alpha', joins: 2, leaves: 0 });
  assert.equal(get('beta'), { room: 'beta', joins: 1, leaves: 1 });
  assert.is(get('main'), undefined, 'the lobby is no bar');
  assert.equal(await hooks((h) => h.lobby()), { room: 'main', joins: 3, leaves: 0 });
  assert.match((await ctx.page.textContent('#joins-lobby')) ?? '', /^#main .*: 3 joins, 0 leaves$/);
});

async function wheelZoom(): Promise<void> {
  const box = await ctx.page.locator('#chart-mps').boundingBox();
  if (box === null) throw new Error('no MPS canvas');
  await ctx.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  await ctx.page.mouse.wheel(0, -600);
  await eventually(async () => ((await hooks((h) => h.following())) ? undefined : true), 'zoomed');
}

run('a wheel zoom narrows the x range and stops following; Reset follows live data again', async () => {
  const live = await hooks((h) => h.xRange());
  assert.ok(live && (await hooks((h) => h.following())));
  await wheelZoom();
  const zoomed = await hooks((h) => h.xRange());
  assert.ok(zoomed && live && zoomed.max - zoomed.min < live.max - live.min, JSON.stringify({ live, zoomed }));
  const tick = await hooks((h) => h.lastTick() ?? 0);
  await eventually(async () => ((await hooks((h) => h.lastTick() ?? 0)) >= tick + 3 ? true : undefined), 'more ticks');
  await hooks((h) => h.redraw());
  assert.equal(await hooks((h) => h.xRange()), zoomed, 'x range holds still while data arrives');
  await ctx.page.click('#reset-zoom');
  assert.ok(await hooks((h) => h.following()));
  await eventually(async () => {
    const [r, span] = await hooks((h) => [h.xRange(), h.timeSpan()] as const);
    return r && span && r.min === span.first && r.max === span.last && span.last > (zoomed?.max ?? 0) ? true : undefined;
  }, 'x range spanning the run to its newest tick');
});

run('CSV: the whole-run download has the rows the store has; the visible-range export only that range', async () => {
  const [dl] = await Promise.all([ctx.page.waitForEvent('download'), ctx.page.click('#csv-rooms')]);
  const rows = parse(fs.readFileSync(await dl.path()), { bom: true, columns: true }) as Record<string, string>[];
  const last = Math.max(...rows.map((r) => Number(r.epoch_ms)));
  // Expected from what the test saw, not from the store the export reads: one row per room per tick,
  // for every tick the aggregator made (seen live since just after the run began) up to the download.
  const seen = ctx.ticks.filter((t) => t.time <= last);
  const firstSeen = seen[0]?.time ?? Infinity;
  const rowsSeen = rows.filter((r) => Number(r.epoch_ms) >= firstSeen);
  assert.ok(seen.length > 10, `${seen.length} ticks seen`);
  assert.equal(rowsSeen.map((r) => `${r.epoch_ms} ${r.room}`).sort(), seen.flatMap((t) => t.rooms.map((room) => `${t.time} ${room}`)).sort(),
    'one row per room per tick');
  // And from the clients this test drove: main (3 members, no messages: idle) and alpha (busy) have a
  // row in every tick once ann and amy were in them; joins and leaves add up to what the clients did.
  const inAll = seen.filter((t) => t.rooms.includes('alpha'));
  assert.ok(inAll.length > 10);
  for (const room of ['main', 'alpha']) {
    const times = new Set(rows.filter((r) => r.room === room).map((r) => Number(r.epoch_ms)));
    assert.ok(inAll.every((t) => times.has(t.time)), `${room} has a row in every tick`);
  }
  const sum = (room: string, col: string) => rows.filter((r) => r.room === room).reduce((a, r) => a + Number(r[col]), 0);
  assert.equal([sum('main', 'joins'), sum('alpha', 'joins'), sum('beta', 'joins'), sum('beta', 'leaves')], [3, 2, 1, 1]);
  await wheelZoom();
  const range = await hooks((h) => h.xRange());
  if (range === null) throw new Error('no range');
  const [dr] = await Promise.all([ctx.page.waitForEvent('download'), ctx.page.click('#csv-range')]);
  const ranged = parse(fs.readFileSync(await dr.path()), { bom: true, columns: true }) as Record<string, string>[];
  const from = Math.floor(range.min);
  const to = Math.ceil(range.max);
  const inRange = (t: { time: number }) => t.time >= from && t.time <= to;
  const expected = ctx.ticks.filter(inRange).flatMap((t) => t.rooms.map((room) => `${t.time} ${room}`)).sort();
  assert.ok(ranged.length > 0 && ranged.length < ctx.ticks.length * 3, `${ranged.length} rows in range`);
  assert.equal(ranged.map((r) => `${r.epoch_ms} ${r.room}`).sort(), expected, 'the rows of the ticks in the visible range, no others');
  await ctx.page.click('#reset-zoom');
});

run('a finished run replays to its end at 60×, seek jumps, and the live run keeps recording', async () => {
  const liveBefore = await hooks((h) => h.liveTicks());
  await ctx.page.selectOption('#replay-run', ctx.pastRunId);
  await eventually(async () => ((await hooks((h) => h.replay().total)) > 0 ? true : undefined), 'replay loaded');
  const stored = ctx.hub.hub.metrics?.runs.getRun(ctx.pastRunId);
  assert.is(stored?.status, 'completed');
  assert.is(await hooks((h) => h.replay().total), stored?.ticks);
  assert.is(await ctx.page.textContent('#run-label'), 'past');
  await ctx.page.selectOption('#replay-speed', '60');
  await ctx.page.click('#replay-play');
  const end = await eventually(async () => {
    const st = await hooks((h) => h.replay());
    return st.ended ? st : undefined;
  }, 'replay end');
  assert.is(end.fed, end.total);
  assert.is(end.playing, false);
  const pts = await hooks((h) => h.mpsPoints());
  assert.ok((pts.old ?? 0) >= end.total - 2, `room "old" drawn over the run: ${JSON.stringify(pts)}`);
  // Seek to the middle: the charts hold the first half only.
  await ctx.page.$eval('#replay-seek', (el) => {
    (el as HTMLInputElement).value = '500';
    el.dispatchEvent(new Event('input'));
  });
  const mid = await hooks((h) => ({ st: h.replay(), span: h.timeSpan() }));
  assert.ok(Math.abs(mid.st.positionMs - mid.st.durationMs / 2) <= 1, JSON.stringify(mid.st));
  assert.ok(mid.st.fed > 0 && mid.st.fed < mid.st.total, JSON.stringify(mid.st));
  assert.ok(mid.span && stored && mid.span.last <= stored.start + mid.st.positionMs, JSON.stringify(mid.span));
  assert.ok((await hooks((h) => h.liveTicks())) > liveBefore, 'live ticks kept arriving during the replay');
  await ctx.page.click('#replay-live');
  assert.is(await hooks((h) => h.mode()), 'live');
  assert.is(await ctx.page.textContent('#run-label'), HOSTILE);
});

run('a refresh mid-run draws the run from its first tick', async () => {
  const runId = ctx.hub.hub.metrics?.run.id ?? '';
  const first = ctx.hub.hub.metrics?.runs.snapshots(runId, {}, 0, 1)[0];
  await ctx.page.reload();
  await ctx.page.waitForFunction(() => window.__chatpulse?.connected() === true && (window.__chatpulse.timeSpan()?.points ?? 0) > 0);
  const [span, tick] = await hooks((h) => [h.timeSpan(), h.lastTick()] as const);
  assert.is(span?.first, first?.time, 'first point is the run\'s first tick');
  assert.ok(span && tick !== null && span.points >= tick - 1, JSON.stringify({ span, tick }));
});

run('countdown shows mm:ss and clears', async () => {
  ctx.hub.hub.dashboard.setCountdown({ endsAt: Date.now() + 65_000, totalS: 65, label: 'demo ends in' });
  await ctx.page.waitForFunction(() => !(document.getElementById('countdown') as HTMLElement).hidden);
  assert.match((await ctx.page.textContent('#countdown')) ?? '', /^01:0[45]$/);
  ctx.hub.hub.dashboard.clearCountdown();
  await ctx.page.waitForFunction(() => (document.getElementById('countdown') as HTMLElement).hidden);
});

run('under load with a loadgen reporting: latency is charted and a screenshot is kept', async () => {
  const port = ctx.hub.chatPort;
  const rooms = ['gamma', 'delta', 'epsilon', 'zeta'];
  const busy = await Promise.all(rooms.map((r, i) => login(port, `load${i}`, r)));
  const ws = new WebSocket(`ws://127.0.0.1:${ctx.hub.hub.http.address.port}/ingest`);
  await new Promise((r) => ws.once('open', r));
  const t0 = Date.now();
  let k = 0;
  const timer = setInterval(() => {
    // Up to 3 lines per 80 ms per client: under the 50 lines/s rate limit.
    busy.forEach((c, i) => { for (let j = 0; j <= i % 3; j++) c.send(`load ${k}`); });
    if (++k % 3 === 0) {
      const p = (base: number) => ({ p50: base, p90: base * 2, p99: base * 4 + (k % 7), p999: base * 6, max: base * 9, count: 100 });
      ws.send(JSON.stringify({
        type: 'loadgen-tick', source: 'test-ingest', target: `chatpulse://127.0.0.1:${port}`, time: Date.now(), elapsedS: (Date.now() - t0) / 1000,
        clients: busy.length, sent: 10, received: 40, sentTotal: k, receivedTotal: 4 * k, expectedTotal: 4 * k, lostTotal: 0,
        duplicatedTotal: 0, reorderedTotal: 0, latencyMs: { corrected: p(1.2 + (k % 3) / 10), uncorrected: p(1) }, errors: {}, saturated: false,
      }));
    }
  }, 80);
  try {
    await eventually(async () => ((await hooks((h) => h.latencyPoints())) >= 6 ? true : undefined), 'latency points', 8000);
    await eventually(async () => {
      const pts = await hooks((h) => h.mpsPoints());
      return rooms.every((r) => (pts[r] ?? 0) >= 8) ? true : undefined;
    }, 'busy rooms charted', 8000);
  } finally {
    clearInterval(timer);
    ws.close();
  }
  assert.match((await ctx.page.textContent('#loadgen-sources')) ?? '', /test-ingest → chatpulse:\/\/127\.0\.0\.1:\d+: 4 clients/);
  await hooks((h) => h.redraw());
  // Into a temp folder: a test never writes into the repository (docs/dashboard.png is refreshed by hand).
  const shot = path.join(ctx.artifacts.dir, 'dashboard.png');
  await ctx.page.screenshot({ path: shot });
  assert.ok(fs.statSync(shot).size > 20_000);
  assert.equal(ctx.watch.consoleErrors, [], 'no console errors under load');
});

run('when the server goes away the page says so, and reconnects by itself', async () => {
  const port = ctx.hub.hub.http.address.port;
  const oldRun = ctx.hub.hub.metrics?.run.id;
  clearInterval(ctx.chatter);
  for (const c of ctx.clients.splice(0)) c.close();
  await ctx.hub.hub.close();
  await ctx.page.waitForFunction(() => document.getElementById('status')?.textContent === 'disconnected — retrying');
  const dir = ctx.hub.dir;
  ctx.hub = await startTestHub({ interval: INTERVAL, label: 'after restart', db: defaultDbPath(ctx.past.dir), resultsDir: ctx.past.dir, httpPort: port });
  await ctx.page.waitForFunction(() => document.getElementById('status')?.textContent === 'live', undefined, { timeout: 10_000 });
  await eventually(async () => ((await hooks((h) => h.runId())) === ctx.hub.hub.metrics?.run.id ? true : undefined), 'new run shown');
  assert.is.not(await hooks((h) => h.runId()), oldRun);
  assert.is(await ctx.page.textContent('#run-label'), 'after restart');
  fs.rmSync(dir, { recursive: true, force: true });
});

s.run();
