/**
 * A run's report from a real SQLite store: a long run is thinned for the charts but counted whole,
 * the spectrum and percentiles come from the stored histograms, a summary.json of another run is not
 * taken for this one's, and hostile room names and labels stay text in the page (headless Chromium).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import type { Browser } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RunStore, saveRunLatency } from '../../metrics/index.js';
import { REPORT_MAX_TICKS } from '../../protocol/run-report.js';
import { buildRunReport, writeRunReport } from '../../report/index.js';
import { openDatabase } from '../../store/database.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { loadgenTick, makeSnapshot } from '../helpers/snapshots.js';
import { tempDir } from '../helpers/temp.js';

const HOSTILE_ROOM = '<img src=x onerror=alert(1)>';
const HOSTILE_LABEL = '</script><script>alert(2)</script>';
const TICKS = 7300;

const test = suite('report.html from the store');
const page = needing(suite('report.html in Chromium: hostile names stay text'), findTool('chromium', 'chromium', CHROMIUM));
const tmp = tempDir();
const db = openDatabase(path.join(tmp.dir, 'store.db'));
const store = new RunStore(db);
const run = store.startRun({ label: 'long', start: 1_700_000_000_000, config: { clients: 3 } });
const folder = path.join(tmp.dir, run.id);

function histogram(values: [us: number, count: number][]): hdr.Histogram {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, bitBucketSize: 64, useWebAssembly: false });
  for (const [us, n] of values) h.recordValueWithCount(us, n);
  return h;
}

test.before(() => {
  for (let t = 1; t <= TICKS; t++) {
    const s = makeSnapshot(t, { runId: run.id, t0: run.start, rooms: [HOSTILE_ROOM, 'room-b'] });
    s.totals.messages = 2;
    store.record(s);
  }
  // 980 deliveries at 1 ms, 19 at 50 ms, 1 at 900 ms: the 990th (p99) is at 50 ms, the 500th (p50) at 1 ms.
  const corrected = histogram([[1000, 980], [50_000, 19], [900_000, 1]]);
  const uncorrected = histogram([[800, 1000]]);
  saveRunLatency(db, run.id, { corrected, uncorrected, sources: 1, reports: 10, reportsWithoutHistograms: 0 }, run.start + 1000);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'summary.json'), JSON.stringify({ type: 'demo-summary', runId: 'another-run', loadgen: { messages: {} } }));
});
// Both suites use the store: closed when the file is done, whichever ran.
process.on('exit', () => {
  db.close();
  tmp.cleanup();
});

const near = (a: number, b: number) => Math.abs(a - b) <= b * 0.001;

test('a long run is thinned for the charts, counted whole in the tables', () => {
  const r = buildRunReport(db, run.id, folder);
  assert.is(r.thinnedFrom, TICKS);
  assert.ok(r.snapshots.length <= REPORT_MAX_TICKS + 1, `${r.snapshots.length} ticks drawn`);
  assert.is(r.snapshots[0]!.tick, 1);
  assert.is(r.snapshots.at(-1)!.tick, TICKS, 'the last tick is always drawn');
  assert.is(r.server.ticks, TICKS);
  assert.is(r.server.messages, 2 * TICKS);
  assert.is(r.server.activeS, TICKS, 'every tick had messages: every second active');
});

test('percentiles and spectrum from the stored histograms', () => {
  const r = buildRunReport(db, run.id, folder);
  assert.ok(r.latency !== null);
  assert.is(r.latency.source, 'stored-histograms');
  assert.ok(near(r.latency.corrected.p50, 1), `p50 ${r.latency.corrected.p50}`);
  assert.ok(near(r.latency.corrected.p99, 50), `p99 ${r.latency.corrected.p99}`);
  assert.ok(near(r.latency.corrected.max, 900), `max ${r.latency.corrected.max}`);
  assert.is(r.latency.corrected.count, 1000);
  assert.ok(near(r.latency.uncorrected.p99, 0.8), `uncorrected p99 ${r.latency.uncorrected.p99}`);
  const spec = r.spectrum!.corrected;
  assert.is(spec[0]!.x, 1);
  assert.ok(near(spec.at(-1)!.ms, 900), 'the spectrum ends at the maximum');
  const at99 = spec.find((p) => Math.abs(p.x - 100) < 1e-9)!;
  assert.ok(near(at99.ms, 50), `spectrum at p99: ${at99.ms}`);
});

test("a summary.json of another run is not this run's", () => {
  const r = buildRunReport(db, run.id, folder);
  assert.is(r.loadgen, null, 'no loadgen figures borrowed from another run');
  assert.equal(r.thresholds, []);
});

test('an unknown run: one line naming it and the newest runs', () => {
  assert.throws(() => buildRunReport(db, 'nope', folder), (e: Error) => /^no run 'nope' in the store \(newest: .*long/.test(e.message));
});

let browser: Browser | null = null;
page.before(async () => {
  browser = await launchChromium();
  const hostile = store.startRun({ label: HOSTILE_LABEL, start: 1_700_100_000_000 });
  for (let t = 1; t <= 20; t++) store.record(makeSnapshot(t, { runId: hostile.id, t0: hostile.start, rooms: [HOSTILE_ROOM, 'room-b'] }));
  writeRunReport(db, hostile.id, path.join(tmp.dir, 'hostile'));
});
page.after(async () => {
  await browser?.close();
});

page('room names and the label are text; nothing runs', async () => {
  const file = path.join(tmp.dir, 'hostile', 'report.html');
  const html = fs.readFileSync(file, 'utf8');
  assert.not.ok(html.includes(HOSTILE_LABEL), 'the raw label never reaches the HTML');
  const p = await browser!.newPage();
  const dialogs: string[] = [];
  p.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await p.goto(pathToFileURL(file).href);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  assert.ok(((await p.textContent('#run-label')) ?? '').includes(HOSTILE_LABEL));
  const rooms = await p.$$eval('#rooms tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
  assert.ok(rooms.includes(HOSTILE_ROOM), JSON.stringify(rooms));
  assert.is(await p.evaluate(() => document.querySelectorAll('img').length), 0);
  assert.match((await p.textContent('#spectrum-note')) ?? '', /no latency histograms/);
  assert.match((await p.textContent('#delivery-note')) ?? '', /No load generator reported/);
  assert.is(await p.textContent('#loadgen-sources'), 'no load generator reported to this run', 'no live hint (ws:///ingest) on a stored run');
  assert.equal(dialogs, []);
  await p.close();
});

page('a generator whose last tick delivered nothing: no 0 ms point, no p99 0 ms line', async () => {
  const r = store.startRun({ label: 'quiet end', start: 1_700_200_000_000 });
  const report = (count: number) => loadgenTick({
    source: 'lg1', target: 'chatpulse://h:1', clients: 4, received: count,
    latency: { p50: count ? 2 : 0, p90: count ? 3 : 0, p99: count ? 5 : 0, p999: count ? 6 : 0, max: count ? 7 : 0, count },
  });
  for (let t = 1; t <= 6; t++) {
    const s = makeSnapshot(t, { runId: r.id, t0: r.start });
    const count = t < 6 ? 40 : 0;
    s.loadgen = [report(count)];
    s.totals.loadgen = { sources: 1, sent: count ? 10 : 0, received: count, lost: 0, lostTotal: 0, p50Ms: count ? 2 : 0, p90Ms: count ? 3 : 0, p99Ms: count ? 5 : 0, p999Ms: count ? 6 : 0, maxMs: count ? 7 : 0, samples: count, merged: true };
    store.record(s);
  }
  writeRunReport(db, r.id, path.join(tmp.dir, 'quiet'));
  const p = await browser!.newPage();
  await p.goto(pathToFileURL(path.join(tmp.dir, 'quiet', 'report.html')).href);
  await p.waitForSelector('body[data-ready="true"]', { timeout: 10_000 });
  assert.is(await p.textContent('#loadgen-sources'), 'lg1 → chatpulse://h:1: 4 clients, no delivery this tick');
  // A generator reported, but the run never closed (so no merged histograms): not "no load generator reported".
  assert.match((await p.textContent('#latency-note')) ?? '', /^No whole-run delivery latency: the run has not closed yet, and its merged histograms are saved when it does/);
  assert.match((await p.textContent('#spectrum-note')) ?? '', /\(the run has not closed yet, /);
  const iso = (ms: number) => new Date(ms).toISOString();
  assert.match((await p.textContent('#headline')) ?? '', `6 s of ticks (run ${iso(r.start)} → ${iso(r.start + 6000)}, ticks ${iso(r.start)} → ${iso(r.start + 6000)})`);
  const ys = await p.evaluate(() => {
    const r = (window as unknown as { __report: { chart(n: string): { data: { datasets: { label: string; data: { y: number }[] }[] } } } }).__report;
    return r.chart('latency').data.datasets.filter((d) => d.label === 'p99 corrected').flatMap((d) => d.data.map((pt) => pt.y));
  });
  assert.equal(ys, [5, 5, 5, 5, 5], 'five ticks with deliveries; the sixth draws no point');
  await p.close();
});

test.run();
page.run();
