// Takes docs/report.png, the README's picture of a loadgen report: starts `chatpulse server` on free
// ports with a temp results folder, runs `chatpulse loadgen --out` against it, opens the run's
// report.html from file:// in headless Chromium with every other request refused, saves a full-page
// screenshot, then stops the server and removes the temp folder. Not part of `npm test`.
//
//   node scripts/report-screenshot.mjs [--clients 200] [--duration 20s] [--out docs/report.png]
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
const clients = arg('clients', '200');
const duration = arg('duration', '20s');
const out = path.resolve(root, arg('out', 'docs/report.png'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(executablePath)) {
  console.error(`report-screenshot: ${executablePath} is missing (Debian: apt-get install chromium)`);
  process.exit(1);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpulse-report-shot-'));
const server = spawn(process.execPath, [bin, 'server', '--port', '0', '--http-port', '0', '--results-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
let text = '';
server.stdout.setEncoding('utf8').on('data', (d) => (text += d));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let browser;
try {
  let port;
  for (let i = 0; i < 200 && !port; i++) {
    port = /chat listening on \S*:(\d+)/.exec(text)?.[1];
    if (!port) await sleep(50);
  }
  if (!port) throw new Error(`the server did not print its chat port:\n${text}`);
  const runDir = path.join(dir, 'run');
  const load = spawnSync(process.execPath, [bin, 'loadgen', '--port', port, '--clients', clients, '--duration', duration, '--label', 'readme',
    '--threshold', 'p99<50ms', '--threshold', 'loss<0.1%', '--out', runDir], { stdio: 'inherit' });
  if (!fs.existsSync(path.join(runDir, 'report.html'))) throw new Error(`the loadgen wrote no report (exit ${load.status})`);
  browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const file = `file://${path.join(runDir, 'report.html')}`;
  await page.route('**/*', (route) => (route.request().url() === file ? route.continue() : route.abort()));
  await page.goto(file);
  await sleep(1500); // the charts' first draw
  await page.screenshot({ path: out, fullPage: true });
  console.log(`report-screenshot: wrote ${path.relative(root, out)}`);
} finally {
  await browser?.close();
  server.kill('SIGINT');
  await Promise.race([new Promise((r) => server.on('exit', r)), sleep(10_000)]);
  fs.rmSync(dir, { recursive: true, force: true });
}
