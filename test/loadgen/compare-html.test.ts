/**
 * `chatpulse compare` writes compare.html: opened from file:// in headless Chromium with every other
 * request refused, its table equals compare.json and its spectrum chart overlays one line per run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderCompareHtml } from '../../compare/index.js';
import { readChartJs } from '../../loadgen/index.js';
import { launchChromium, openOffline } from '../helpers/browser.js';
import { startTestServer } from '../helpers/chat-server.js';
import { killLeftovers, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

test('compare.html beside compare.json: offline, table = compare.json rows, one spectrum line per run on a log axis', async () => {
  const a = await startTestServer();
  const b = await startTestServer();
  const tmp = tempDir();
  const browser = await launchChromium();
  if (browser === null) throw new Error('chromium is needed: apt-get install chromium');
  try {
    const p = runCli([
      'compare', '--target', `alpha=chatpulse://127.0.0.1:${a.port}`, '--target', `beta=chatpulse://127.0.0.1:${b.port}`,
      '--clients', '8', '--rooms', '2', '--rate', '5', '--duration', '2s', '--ramp', '0s', '--switch', '0', '--users', '0',
      '--workers', '1', '--loss-timeout', '800ms', '--pause', '100ms', '--results-dir', tmp.dir,
    ]);
    const { code } = await p.exited(40_000);
    assert.is(code, 0, p.stderr());
    const dir = /results written to (.*compare-[\dT-]+Z)/.exec(p.stderr())?.[1] as string;
    assert.equal(fs.readdirSync(dir).sort(), ['compare.csv', 'compare.html', 'compare.json', 'compare.md']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'compare.json'), 'utf8'));
    assert.is(json.rows.length, 2);
    assert.not.match(JSON.stringify(json), /"counts"|"buckets"|encoded/i, 'no raw histogram in compare.json');
    const html = fs.readFileSync(path.join(dir, 'compare.html'), 'utf8');
    assert.not.match(html, /<(script|link|img|iframe)[^>]*\s(src|href)=/i, 'nothing is loaded from elsewhere');

    const first = await openOffline(browser, path.join(dir, 'compare.html'));
    const page = first.page;
    assert.equal(first.errors, []);
    assert.is(await page.textContent('#headline'), 'Same seeded load against each target: 8 clients, 5 actions/s each, 2 s per run.');
    assert.equal(first.requested, [], 'no request but the file itself');

    const chart = await page.evaluate(() => {
      const C = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): any } }).Chart;
      const ch = C.getChart(document.getElementById('spectrum-chart') as HTMLCanvasElement);
      return {
        labels: ch.data.datasets.map((d: { label: string }) => d.label),
        points: ch.data.datasets.map((d: { data: { y: number }[] }) => d.data.filter((p) => p.y > 0).length),
        xType: ch.scales.x.type,
        xLabels: ch.scales.x.ticks.map((t: { label: string }) => t.label),
        p99: ch.data.datasets.map((d: { data: { x: number; y: number }[] }) => d.data.find((p) => Math.abs(p.x - 100) < 1e-9)?.y ?? null),
      };
    });
    assert.equal(chart.labels, ['alpha', 'beta'], 'one line per run, named by target');
    assert.ok(chart.points.every((n: number) => n > 0), `every line has data: ${chart.points}`);
    assert.is(chart.xType, 'logarithmic');
    assert.equal(chart.xLabels.slice(0, 3), ['0%', '90%', '99%']);
    // Each line's p99 point (x = 100; every run here has far more than 100 samples) is its run's corrected p99.
    assert.equal(chart.p99, json.rows.map((r: { p99Ms: number }) => r.p99Ms));

    for (const [i, row] of (json.rows as Record<string, number | string>[]).entries()) {
      for (const k of ['target', 'sent', 'received', 'lost', 'p99Ms']) assert.is(await page.textContent(`#r${i}-${k}`), String(row[k]), `${row.target} ${k}`);
      assert.ok(Number(row.sent) > 0 && Number(row.received) > 0, 'the run carried traffic');
    }
    assert.ok(await page.evaluate(() => (document.getElementById('left-out') as HTMLElement).hidden), 'nothing left out: no note');

    // The same result with an action left out (as a spec without send.pm makes it): the note says which, for whom and why, as text.
    const why = '</script><img src=x onerror=alert(1)>';
    // And beta's run as one that could not happen: its figures are not measured, not 0.
    const failed = { ...json.rows[1], p99Ms: null, sent: null, status: 'failed', why: 'cannot reach 127.0.0.1:9' };
    fs.writeFileSync(path.join(dir, 'left-out.html'), renderCompareHtml({ ...json, rows: [json.rows[0], failed], leftOut: [{ action: 'pm', asked: 0.1, because: [{ target: 'beta', why }] }] }, readChartJs()));
    await first.close();
    const second = await openOffline(browser, path.join(dir, 'left-out.html'));
    assert.not.ok(await second.page.evaluate(() => (document.getElementById('left-out') as HTMLElement).hidden), 'the note shows');
    assert.is(await second.page.textContent('#left-out-list'), `private messages (--pm), asked 0.1: beta — ${why}`);
    assert.is(await second.page.evaluate(() => document.querySelectorAll('img').length), 0, 'the reason is text');
    assert.equal([await second.page.textContent('#r1-p99Ms'), await second.page.textContent('#r1-sent'), await second.page.textContent('#r1-status')], ['–', '–', 'failed']);
    assert.is(await second.page.textContent('#r0-status'), 'ok');
    assert.equal([second.errors, second.requested, second.dialogs], [[], [], []]);
    await second.close();
  } finally {
    await browser.close();
    await b.stop();
    await a.stop();
    await killLeftovers();
    tmp.cleanup();
  }
});

test.run();
