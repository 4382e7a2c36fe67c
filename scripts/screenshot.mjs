// Takes docs/dashboard.png from a real demo: starts `chatpulse demo` on free ports with a temp
// results folder, opens the dashboard in headless Chromium mid-run, saves the screenshot, then stops
// the demo with Ctrl-C (SIGINT) and removes the temp folder. Not part of `npm test`.
//
//   node scripts/screenshot.mjs [--after 40] [--minutes 1] [--clients 300] [--out docs/dashboard.png]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
};
const afterS = Number(arg('after', '40'));
const minutes = arg('minutes', '1');
const clients = arg('clients', '300');
const out = path.resolve(root, arg('out', 'docs/dashboard.png'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(executablePath)) {
  console.error(`screenshot: ${executablePath} is missing (Debian: apt-get install chromium)`);
  process.exit(1);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpulse-screenshot-'));
const demo = spawn(process.execPath, [path.join(root, 'bin/chatpulse.js'), 'demo', '--minutes', minutes, '--clients', clients,
  '--port', '0', '--http-port', '0', '--results-dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
let text = '';
demo.stdout.setEncoding('utf8').on('data', (d) => {
  text += d;
  process.stdout.write(d);
});
const exited = new Promise((resolve) => demo.on('exit', (code) => resolve(code)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let browser;
try {
  let url;
  for (let i = 0; i < 200 && !url; i++) {
    url = /dashboard on (http:\/\/\S+)/.exec(text)?.[1];
    if (!url) await sleep(50);
  }
  if (!url) throw new Error('the demo did not print its dashboard URL');
  browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(url);
  console.log(`screenshot: waiting ${afterS} s for the run to build up…`);
  await sleep(afterS * 1000);
  await page.screenshot({ path: out });
  console.log(`screenshot: wrote ${path.relative(root, out)}`);
} finally {
  await browser?.close();
  if (demo.exitCode === null) demo.kill('SIGINT');
  const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout')]);
  if (code === 'timeout') demo.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
}
