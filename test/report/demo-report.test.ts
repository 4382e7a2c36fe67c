/**
 * Issue #19's "done when": a 30 s demo writes report.html; headless Chromium opens it from file://
 * with networking off, it makes no request, draws every chart, and the figures on it equal
 * summary.json's (read here from the file, not from the code that wrote the page).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CHROMIUM, launchChromium, openOffline } from '../helpers/browser.js';
import { killLeftovers, runCli } from '../helpers/cli.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const test = needing(suite('a 30 s demo ends in a report.html that opens offline'), findTool('chromium', 'chromium', CHROMIUM));
const tmp = tempDir();
let browser: Browser | null = null;
let folder = '';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let summary: any;
test.before(async () => {
  browser = await launchChromium();
});
test.after.each(killLeftovers);
test.after(async () => {
  await browser?.close();
  tmp.cleanup();
});

test('the demo writes report.html beside summary.json', async () => {
  const demo = runCli(['demo', '--minutes', '0.5', '--clients', '40', '--rooms', '4', '--port', '0', '--http-port', '0', '--no-open',
    '--results-dir', tmp.dir, '--threshold', 'loss<50%', '--label', 'report-test']);
  const end = await demo.exited(120_000);
  assert.is(end.code, 0, demo.stdout() + demo.stderr());
  folder = (/results written to (\S+)/.exec(demo.stdout()) ?? [])[1] ?? '';
  assert.ok(folder, demo.stdout());
  assert.match(demo.stdout(), /summary\.json, summary\.md, report\.html/);
  summary = JSON.parse(fs.readFileSync(path.join(folder, 'summary.json'), 'utf8'));
  assert.is(summary.loadgen.source, 'summary');
  assert.ok(summary.loadgen.messages.received > 1000, `a run with traffic: ${summary.loadgen.messages.received}`);
});

test('offline from file://: no request, every chart drawn, the figures are summary.json\'s', async () => {
  assert.ok(folder, 'the demo of the first test');
  const { page, requested, errors, close } = await openOffline(browser!, path.join(folder, 'report.html'));
  assert.equal(requested, [], 'no request but the file itself');
  assert.equal(errors, []);

  const charts = await page.evaluate(() => {
    const r = (window as unknown as { __report: { chart(n: string): any } }).__report;
    return ['mps', 'joins', 'totals', 'latency', 'spectrum'].map((name) => {
      const c = r.chart(name);
      return {
        name, width: c?.chartArea?.width ?? 0,
        points: c ? c.data.datasets.map((d: { label: string; data: unknown[] }) => [d.label, d.data.length]) : [],
      };
    });
  });
  for (const c of charts) {
    assert.ok(c.width > 100, `${c.name} is laid out: ${c.width}px`);
    assert.ok(c.points.length > 0, `${c.name} has datasets`);
    assert.ok(c.points.some(([, n]: [string, number]) => n > 0), `${c.name} has points: ${JSON.stringify(c.points)}`);
  }
  const latency = charts.find((c) => c.name === 'latency')!;
  for (const label of ['p50 corrected', 'p99 corrected', 'p50 uncorrected', 'p99 uncorrected']) {
    const n = latency.points.find(([l]: [string]) => l === label)?.[1] ?? 0;
    assert.ok(n >= 20, `latency over time has ${label}: ${n} points`);
  }
  const spectrumLabels = charts.find((c) => c.name === 'spectrum')!.points.map(([l]: [string]) => l);
  assert.equal(spectrumLabels, ['corrected', 'uncorrected']);

  const value = async (id: string) => {
    const v = await page.getAttribute(`#${id}`, 'data-value');
    assert.ok(v !== null, `#${id} is on the page`);
    return v === '' ? null : Number(v);
  };
  const text = async (id: string) => ((await page.textContent(`#${id}`)) ?? '').replace(/,/g, '');
  const m = summary.loadgen.messages;
  for (const [id, key] of [['sent', 'sent'], ['pm', 'pm'], ['received', 'received'], ['expected', 'expected'], ['lost', 'lost'],
    ['loss-percent', 'lossPercent'], ['late', 'late'], ['duplicated', 'duplicated'], ['reordered', 'reordered'],
    ['unexpected', 'unexpected'], ['ambiguous', 'ambiguous']] as const) {
    assert.is(await value(`fig-${id}`), m[key], id);
  }
  assert.is(await text('fig-received'), String(m.received), 'the shown text is the number too');
  const s = summary.server;
  for (const [id, key] of [['messages', 'messages'], ['pms', 'privateMessages'], ['deliveries', 'deliveries'], ['errors', 'errors'],
    ['mps-mean', 'mpsMean'], ['mps-peak', 'mpsPeak'], ['mps-active', 'mpsMeanActive']] as const) {
    assert.is(await value(`fig-server-${id}`), s[key], `server ${key}`);
  }
  for (const kind of ['corrected', 'uncorrected'] as const) {
    for (const k of ['p50', 'p90', 'p99', 'p999', 'max', 'count'] as const) {
      assert.is(await value(`fig-${kind}-${k}`), summary.loadgen.latency[kind][k], `${kind} ${k}`);
    }
  }
  assert.match((await page.textContent('#thresholds')) ?? '', /loss<50%\s*ok/);
  const rooms = (await page.$$eval('#rooms tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent))));
  assert.equal(rooms.map((r) => r[0]), s.rooms.map((r: { room: string }) => r.room), 'every room of summary.json, in its order');
  assert.equal(rooms.map((r) => Number((r[1] ?? '').replace(/,/g, ''))), s.rooms.map((r: { messages: number }) => r.messages));
  await close();
});

test.run();
