import { execFileSync } from 'node:child_process';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { BIN } from '../helpers/cli.js';
import { sleep } from '../helpers/line-client.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const tmux = findTool('tmux', 'tmux');
const test = needing(uvuTest, tmux);
const socket = `chatpulse-demo-test-${process.pid}`;
const run = (...args: string[]) => execFileSync(tmux as string, ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A demo in a real terminal (a tmux pane, 100×30); the pane stays after it ends. */
function startInPane(name: string, dir: string, env: string): void {
  const cmd = `${env} ${shQuote(process.execPath)} ${shQuote(BIN)} demo --minutes 0.1 --clients 10 --rooms 3 --port 0 --http-port 0 --results-dir ${shQuote(dir)} --tail; echo "EXIT=$?"; sleep 60`;
  run('new-session', '-d', '-s', name, '-x', '100', '-y', '30', cmd);
}

const pane = (name: string, escapes = false) => run('capture-pane', '-p', '-t', name, ...(escapes ? ['-e'] : []));

/** Waits for `re` in the pane's text; resolves with the pane as drawn, colour escapes included. */
async function until(name: string, re: RegExp, ms: number): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    // One capture, tested without its colour escapes: two captures (one to test, one to return) once
    // returned a pane from just before the awaited line appeared.
    const text = pane(name, true);
    if (re.test(text.replace(/\x1b\[[0-9;]*m/g, ''))) return text;
    if (Date.now() > end) throw new Error(`no ${re} in pane ${name}:\n${text}`);
    await sleep(200);
  }
}

test('on a terminal: a progress bar redrawn in place, nicknames in colour; NO_COLOR turns colour off', async () => {
  const a = tempDir();
  const b = tempDir();
  try {
    // One demo at a time: two demos (two servers, two load generators) at once is needless load on 2 cores.
    startInPane('colour', a.dir, 'TERM=xterm-256color');
    const mid = await until('colour', /\] lg[a-z]{3}\d+.*: ~[0-9a-z]{5}\.\d+\./, 20_000);
    const lines = pane('colour').split('\n').filter((l) => l.trim() !== '');
    // The bar is the last line while the demo runs, and it is there once, not once per second.
    assert.match(lines[lines.length - 1] ?? '', /^\[█*░+\] 0:0\d\/0:06 {2}0:0\d left$/);
    assert.is(lines.filter((l) => l.includes(' left')).length, 1, pane('colour'));
    assert.match(mid, /\x1b\[(3[2-6]|9[2-6])mlg[a-z]{3}\d+/, 'a nickname in colour');
    const end = await until('colour', /EXIT=\d/, 30_000);
    assert.match(end, /EXIT=0/, `the demo in the pane did not exit 0:\n${end}`);
    assert.match(pane('colour'), /results written to /);
    assert.not.match(pane('colour'), /\d left$/m, 'the bar is cleared before the summary');
    startInPane('plain', b.dir, 'TERM=xterm-256color NO_COLOR=1');
    const plainMid = await until('plain', /\] lg[a-z]{3}\d+: ~[0-9a-z]{5}\.\d+\./, 20_000);
    assert.match(pane('plain'), /\[█*░+\] 0:0\d\/0:06/);
    assert.not.match(plainMid, /\x1b\[(3|9)\dm/, 'no colour under NO_COLOR');
    const plainEnd = await until('plain', /EXIT=\d/, 30_000);
    assert.match(plainEnd, /EXIT=0/, `the NO_COLOR demo did not exit 0:\n${plainEnd}`);
  } finally {
    try {
      run('kill-server');
    } catch {
      // already gone
    }
    a.cleanup();
    b.cleanup();
  }
});

test.run();
