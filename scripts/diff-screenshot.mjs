// Takes docs/run-report.png and docs/diff.png, the README's pictures of a run's report.html and of a
// run-vs-baseline diff: records two runs with `chatpulse server` on free ports and a temp results
// folder (a loadgen reporting to its /ingest each time; the baseline with --rate 2, the run with
// --rate 4), lets the server write report.html on Ctrl-C, then runs
// `chatpulse report RUN --baseline BASELINE --threshold 'p99<+20%'` and opens both pages from file://
// in headless Chromium with every other request refused. Not part of `npm test`.
//
//   node scripts/diff-screenshot.mjs [--clients 100] [--duration 20s] [--out-dir docs]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/chatpulse.js');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
};
const clients = arg('clients', '100');
const duration = arg('duration', '20s');
const outDir = path.resolve(root, arg('out-dir', 'docs'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(executablePath)) {
  console.error(`diff-screenshot: ${executablePath} is missing (Debian: apt-get install chromium)`);
  process.exit(1);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpulse-diff-shot-'));

/** One recorded run: server, loadgen reporting to it, Ctrl-C (the server writes report.html). */
async function record(label, rate) {
  const server = spawn(process.execPath, [bin, 'server', '--port', '0', '--http-port', '0', '--results-dir', dir, '--label', label], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  server.stdout.setEncoding('utf8').on('data', (d) => (text += d));
  try {
    let m;
    for (let i = 0; i < 200 && !m; i++) {
      m = /chat listening on \S*:(\d+)[\s\S]*dashboard on http:\/\/\S*:(\d+)[\s\S]*^run (\S+):/m.exec(text);
      if (!m) await sleep(50);
    }
    if (!m) throw new Error(`the server did not start:\n${text}`);
    spawnSync(process.execPath, [bin, 'loadgen', '--port', m[1], '--clients', clients, '--rooms', '5', '--rate', String(rate), '--duration', duration,
      '--report', `ws://127.0.0.1:${m[2]}/ingest`, '--label', label], { stdio: ['ignore', 'ignore', 'inherit'] });
    await sleep(1500); // the loadgen's last report lands in a tick
    return m[3];
  } finally {
    server.kill('SIGINT');
    await Promise.race([new Promise((r) => server.on('exit', r)), sleep(10_000)]);
  }
}

let browser;
try {
  const baseline = await record('before', 2);
  const run = await record('after', 4);
  const report = spawnSync(process.execPath, [bin, 'report', run, '--baseline', baseline, '--results-dir', dir, '--threshold', 'p99<+20%', '--threshold', 'mps>-5%'], { stdio: 'inherit' });
  console.log(`diff-screenshot: chatpulse report exited ${report.status}`);
  browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  for (const [file, png, height] of [[path.join(dir, run, 'report.html'), 'run-report.png', 2300], [path.join(dir, run, `diff-${baseline}.html`), 'diff.png', 1900]]) {
    const page = await browser.newPage({ viewport: { width: 1200, height } });
    const url = `file://${file}`;
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    await sleep(500);
    await page.screenshot({ path: path.join(outDir, png) });
    console.log(`diff-screenshot: wrote ${path.relative(root, path.join(outDir, png))}`);
    await page.close();
  }
} finally {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
