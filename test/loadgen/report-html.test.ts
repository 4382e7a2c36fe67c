/**
 * `chatpulse loadgen --out DIR`: the run folder's three files, and report.html opened from file://
 * in headless Chromium with every other request refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { launchChromium, openOffline } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';
import { killLeftovers, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const HOSTILE = '</script><img src=x onerror=alert(1)>';

let srv: TestServer;
let browser: Browser | null;
const tmp = tempDir();
const out = path.join(tmp.dir, 'runs', 'first');
let record: Record<string, any>;
let summary: Record<string, any>;

test.before(async () => {
  srv = await startTestServer();
  browser = await launchChromium();
  if (browser === null) throw new Error('chromium is needed: apt-get install chromium');
  const p = runCli(['loadgen', '--port', String(srv.port), '--clients', '8', '--rooms', '2', '--rate', '10', '--duration', '2s', '--ramp', '0',
    '--workers', '1', '--interval', '250ms', '--loss-timeout', '500ms', '--seed', '7', '--threshold', 'p99<10s', '--label', HOSTILE, '--json', '--out', out]);
  const { code } = await p.exited(30_000);
  assert.is(code, 0, p.stderr());
  record = JSON.parse(p.stdout().trim());
  assert.match(p.stderr(), /wrote summary\.json, summary\.md and report\.html/);
});
test.after(async () => {
  await browser?.close();
  await srv.stop();
  await killLeftovers();
  tmp.cleanup();
});

test('--out writes summary.json (the --json record), summary.md and report.html into a folder it creates', () => {
  for (const f of ['summary.json', 'summary.md', 'report.html']) assert.ok(fs.statSync(path.join(out, f)).size > 0, f);
  summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(summary, record);
  assert.ok(summary.messages.sent > 0 && summary.messages.received > 0, 'the run carried traffic');
  assert.is(summary.messages.lost, record.messages.lost);
  assert.is(summary.latency.corrected.p99, record.latency.corrected.p99);
  const md = fs.readFileSync(path.join(out, 'summary.md'), 'utf8');
  assert.ok(md.includes(`| ${summary.messages.sent} | ${summary.messages.received} | ${summary.messages.expected} | ${summary.messages.lost} |`), md);
  assert.ok(md.includes(`| corrected | ${summary.latency.corrected.p50} |`), md);
  assert.not.match(md, /(^|[^\\])</m, 'every < is escaped in Markdown (the label)');
  assert.ok(md.includes('\\<img'), 'the label is there, escaped');
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.not.ok(html.includes(HOSTILE), 'the raw label never reaches the HTML');
  assert.not.match(html, /<(script|link|img|iframe)[^>]*\s(src|href)=/i, 'nothing is loaded from elsewhere');
});

test('report.html opens from file:// offline: charts drawn, figures equal summary.json, the hostile label is text', async () => {
  const { page, requested, errors, dialogs, close } = await openOffline(browser!, path.join(out, 'report.html'));
  assert.equal(errors, []);
  assert.equal(requested, [], 'no request but the file itself');

  const charts = await page.evaluate(() => {
    const C = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart;
    return [...document.querySelectorAll('canvas')].map((c) => {
      const ch = C.getChart(c);
      return {
        id: c.id, has: ch !== undefined,
        points: ch ? ch.data.datasets.map((d: { data: { y: number | null }[] }) => d.data.filter((p) => p.y !== null).length) : [],
        xType: ch?.scales.x.type, xTicks: ch ? ch.scales.x.ticks.map((t: { value: number }) => t.value) : [],
        xLabels: ch ? ch.scales.x.ticks.map((t: { label: string }) => t.label) : [],
      };
    });
  });
  assert.equal(charts.map((c) => c.id).sort(), ['latency-chart', 'spectrum-chart', 'throughput-chart']);
  for (const c of charts) {
    assert.ok(c.has, `${c.id} has a Chart`);
    assert.ok(c.points.length > 0 && c.points.every((n: number) => n > 0), `${c.id} has data in every dataset: ${c.points}`);
  }
  const spectrum = charts.find((c) => c.id === 'spectrum-chart')!;
  assert.is(spectrum.xType, 'logarithmic');
  assert.equal(spectrum.xTicks.slice(0, 3), [1, 10, 100]);
  assert.equal(spectrum.xLabels.slice(0, 3), ['0%', '90%', '99%']);
  // The spectrum's corrected p99 point (x = 100) is the summary's p99.
  const p99Point = await page.evaluate(() => {
    const C = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart;
    const ch = C.getChart(document.getElementById('spectrum-chart') as HTMLCanvasElement);
    return ch.data.datasets[0].data.find((p: { x: number }) => Math.abs(p.x - 100) < 1e-9)?.y;
  });
  assert.is(p99Point, summary.latency.corrected.p99);

  const fig = (id: string) => page.textContent(`#${id}`);
  assert.is(await fig('fig-sent'), String(summary.messages.sent));
  assert.is(await fig('fig-received'), String(summary.messages.received));
  assert.is(await fig('fig-lost'), String(summary.messages.lost));
  assert.is(await fig('fig-corrected-p99'), String(summary.latency.corrected.p99));
  for (const k of ['expected', 'late', 'duplicated', 'reordered', 'unexpected', 'ambiguous']) assert.is(await fig(`fig-${k}`), String(summary.messages[k]), k);
  assert.match((await page.textContent('#thresholds')) ?? '', /p99<10s\s*ok/);
  assert.match((await page.textContent('#config')) ?? '', new RegExp(`seed\\s*7`));
  // The workers table: the median tick's busy share beside the mean, as summary.json has them.
  const cells = await page.evaluate(() => [...document.querySelectorAll('#workers tr')].map((tr) => [...tr.children].map((td) => td.textContent)));
  const w0 = summary.health.workers[0];
  assert.equal(cells[0]?.slice(1, 4), ['busy mean %', 'busy median %', 'busy max %']);
  assert.equal(cells[1]?.slice(1, 4).map(Number), [w0.eluMean, w0.eluMedian, w0.eluMax].map((v: number) => Math.round(v * 1000) / 10));

  assert.ok(((await page.textContent('#label')) ?? '').includes(HOSTILE), 'the label shows as text');
  assert.is(await page.evaluate(() => document.querySelectorAll('img').length), 0);
  assert.equal(dialogs, [], 'nothing ran');
  await close();
});

test('an --out that cannot be created: one line and exit 2, before any load', async () => {
  const file = path.join(tmp.dir, 'a-file');
  fs.writeFileSync(file, '');
  const p = runCli(['loadgen', '--port', String(srv.port), '--duration', '1s', '--out', path.join(file, 'sub')]);
  const { code } = await p.exited(10_000);
  assert.is(code, 2);
  const lines = p.stderr().trim().split('\n');
  assert.is(lines.length, 1, p.stderr());
  assert.match(lines[0] ?? '', /^chatpulse loadgen: --out: cannot create or write '.*a-file\/sub': ENOTDIR/);
});

test.run();
