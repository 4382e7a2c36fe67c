import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli, type CliProcess } from '../helpers/cli.js';
import { killDemo, loadgenPid, readResults, startDemo, sum } from '../helpers/demo.js';
import { sleep } from '../helpers/line-client.js';
import { tempDir } from '../helpers/temp.js';

const FILES = ['mps_by_room.csv', 'report.html', 'rooms.csv', 'summary.json', 'summary.md', 'totals.csv'];

test('Ctrl-C after 3 s: same files, marked stopped early, exit 0; a second demo on the same ports fails at once', async () => {
  const tmp = tempDir();
  const other = tempDir();
  let demo: CliProcess | undefined;
  let lgPid: number | undefined;
  try {
    // --open with no display and no opener: said plainly, the demo goes on.
    const d = await startDemo(['--minutes', '1', '--clients', '10', '--results-dir', tmp.dir, '--open'], { DISPLAY: '', WAYLAND_DISPLAY: '' });
    const started = Date.now();
    demo = d.proc;
    lgPid = await loadgenPid(d.proc);
    await d.proc.waitFor(/cannot open a browser: there is no graphical display \(DISPLAY is not set\); open http:\/\/127\.0\.0\.1:\d+ yourself/);

    const second = runCli(['demo', '--port', String(d.chatPort), '--http-port', String(d.httpPort), '--results-dir', other.dir]);
    const r2 = await second.exited(10_000);
    assert.is(r2.code, 1);
    assert.is(second.stderr().trim(), `chatpulse demo: port ${d.chatPort} on 127.0.0.1 is busy (is another chatpulse running?); choose others with --port and --http-port`);
    assert.not.match(second.stdout(), 'loadgen started');
    assert.equal(fs.readdirSync(other.dir).filter((f) => !f.startsWith('chatpulse.db')), [], 'no run folder for the failed start');

    const httpBusy = runCli(['demo', '--port', '0', '--http-port', String(d.httpPort), '--results-dir', other.dir]);
    assert.is((await httpBusy.exited(10_000)).code, 1);
    assert.match(httpBusy.stderr(), `port ${d.httpPort} on 127.0.0.1 is busy`);

    await sleep(Math.max(0, 3000 - (Date.now() - started)));
    d.proc.child.kill('SIGINT');
    const { code } = await d.proc.exited(20_000);
    assert.is(code, 0, d.proc.stderr());
    const folder = path.join(tmp.dir, d.runId);
    assert.equal(fs.readdirSync(folder).sort(), FILES);
    const r = readResults(folder);
    const s = r.summary;
    assert.is(s.ending.reason, 'signal');
    assert.is(s.ending.stoppedEarly, true);
    assert.is(s.ending.signal, 'SIGINT');
    assert.ok(s.durationS < 30, `ran ${s.durationS} s of 60`);
    assert.is(r.totals.length, s.server.ticks);
    assert.is(s.server.messages, sum(r.totals, 'messages'));
    assert.is(s.server.messages, s.server.counters.messagesTotal);
    // Asked to stop, the loadgen still printed its summary: nothing lost between the two views.
    assert.is(s.loadgen.source, 'summary');
    assert.is(s.loadgen.failure, null);
    assert.is(s.loadgen.exit.stopRequested, true);
    assert.is(s.loadgen.messages.sent - (s.loadgen.messages.pm ?? 0), s.server.messages);
    assert.ok(r.markdown.includes('**Stopped early**') && r.markdown.includes('Ctrl-C'), 'summary.md says stopped early');
    assert.match(d.proc.stdout(), 'STOPPED EARLY');
  } finally {
    killDemo(demo, lgPid);
    tmp.cleanup();
    other.cleanup();
  }
});

/** A one-minute demo of 10 clients with messages flowing; whatever `fn` asserts, it is killed and its folder removed. */
async function withBusyDemo(fn: (d: Awaited<ReturnType<typeof startDemo>>, lgPid: number, dir: string) => Promise<void>): Promise<void> {
  const tmp = tempDir();
  let demo: CliProcess | undefined;
  let lgPid: number | undefined;
  try {
    const d = await startDemo(['--minutes', '1', '--clients', '10', '--ramp', '0s', '--results-dir', tmp.dir]);
    demo = d.proc;
    lgPid = await loadgenPid(d.proc);
    await d.proc.waitFor(/^\[\d+:\d\d\/1:00\] messages [1-9]/m, 25_000);
    await fn(d, lgPid, tmp.dir);
  } finally {
    killDemo(demo, lgPid);
    tmp.cleanup();
  }
}

test('a load generator that crashes is reported; the results are still written from its last /ingest report', () =>
  withBusyDemo(async (d, lgPid, dir) => {
    process.kill(lgPid, 'SIGKILL');
    const { code } = await d.proc.exited(20_000);
    assert.is(code, 1);
    assert.match(d.proc.stderr(), 'chatpulse demo: the load generator was killed by SIGKILL without its summary; ending the demo');
    const folder = path.join(dir, d.runId);
    assert.equal(fs.readdirSync(folder).sort(), FILES);
    const r = readResults(folder);
    const s = r.summary;
    assert.is(s.ending.reason, 'loadgen-ended');
    assert.is(s.ending.stoppedEarly, true);
    assert.is(s.loadgen.source, 'last-report');
    assert.match(s.loadgen.failure ?? '', 'killed by SIGKILL');
    assert.is(s.loadgen.latency, null);
    assert.ok(s.loadgen.lastTickLatency, 'the last report still gives a tick of latency');
    assert.ok(s.loadgen.messages.sent > 0, 'counts from the last report');
    assert.is(s.server.messages, sum(r.totals, 'messages'));
    assert.ok(r.markdown.includes('**Load generator failure:**'));
  }));

test('a second Ctrl-C stops the load generator at once: the user\'s choice, exit 0, its figures marked partial, not a failure', () =>
  withBusyDemo(async (d, lgPid, dir) => {
    // Frozen, the load generator cannot finish its polite stop before the second Ctrl-C: the case
    // where a user presses it (and no race decides this test). SIGKILL still ends a stopped process.
    process.kill(lgPid, 'SIGSTOP');
    d.proc.child.kill('SIGINT');
    await d.proc.waitFor(/Ctrl-C again to stop the load generator at once/);
    d.proc.child.kill('SIGINT');
    const { code } = await d.proc.exited(20_000);
    assert.is(code, 0, d.proc.stderr());
    const out = d.proc.stdout();
    assert.match(out, 'stopping the load generator at once');
    assert.match(out, 'the load generator was stopped at once, so its figures are partial');
    assert.match(out, 'loadgen    partial, as of its last /ingest report: sent ');
    assert.not.match(out + d.proc.stderr(), 'FAILED');
    assert.not.match(d.proc.stderr(), 'killed by SIGKILL');
    const r = readResults(path.join(dir, d.runId));
    const s = r.summary;
    assert.is(s.ending.reason, 'signal');
    assert.is(s.loadgen.failure, null);
    assert.is(s.loadgen.partial, true);
    assert.is(s.loadgen.source, 'last-report');
    assert.is(s.loadgen.exit.stoppedAtOnce, true);
    assert.is(s.loadgen.exit.signal, 'SIGKILL');
    assert.ok(s.loadgen.messages.sent > 0, 'counts from the last report');
    assert.ok(r.markdown.includes('**Partial figures:** it was stopped at once'), r.markdown);
    assert.not.match(r.markdown, 'Load generator failure');
    assert.ok(s.server.rooms.some((x) => x.room === 'main'), 'main has its row');
  }));

test('bad flags exit 2 with one line naming the flag, before anything starts', async () => {
  for (const [args, line] of [
    [['--minutes', '0'], "chatpulse demo: --minutes expects a number from 0.01 to 10080, got '0'"],
    [['--minutes', '0.1', '--ramp', '20s'], 'chatpulse demo: --ramp (20s) must not exceed the run (--minutes 0.1 = 6s)'],
    [['--clients', 'many'], "chatpulse demo: --clients expects a whole number, got 'many'"],
    [['--threshold', 'p99<'], undefined],
    [['--no-metrics'], 'chatpulse demo: unknown flag --no-metrics (see --help)'],
  ] as const) {
    const p = runCli(['demo', ...args]);
    assert.is((await p.exited()).code, 2, args.join(' '));
    const err = p.stderr().trim();
    assert.is(err.split('\n').length, 1, err);
    if (line) assert.is(err, line);
    else assert.match(err, /^chatpulse demo: --threshold: /);
    assert.is(p.stdout(), '');
  }
});

test.run();
