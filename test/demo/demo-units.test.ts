import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatTail, colorEnabled, nickColor } from '../../cli/demo/chat-tail.js';
import { describeLoadgenFailure, parseSummary, type LoadgenExit } from '../../cli/demo/loadgen-child.js';
import { findOpener } from '../../cli/demo/open-browser.js';
import type { RunTotals } from '../../metrics/index.js';
import { buildDemoSummary, demoExitCode } from '../../cli/demo/summary.js';
import { mdText, summaryMarkdown, summaryText } from '../../cli/demo/summary-format.js';
import { clock, statusLine, TerminalView } from '../../cli/demo/terminal-view.js';
import { demoFlags, loadgenArgs, planDemo } from '../../cli/demo-flags.js';
import { parseFlags, UsageError } from '../../cli/flags.js';
import { ChatEvents } from '../../server/index.js';
import { makeSnapshot } from '../helpers/snapshots.js';

test('plan: the ramp is 10 s but at most a fifth of the run; flags pass through to the loadgen child', () => {
  assert.equal(planDemo(parseFlags([], demoFlags)), { durationMs: 600_000, rampMs: 10_000 });
  assert.equal(planDemo(parseFlags(['--minutes', '0.1'], demoFlags)), { durationMs: 6000, rampMs: 1200 });
  const f = parseFlags(['--minutes', '0.25', '--ramp', '2s', '--threshold', 'p99<50ms', '--seed', '7', '--workers', '2'], demoFlags);
  const args = loadgenArgs(f, planDemo(f), { host: '127.0.0.1', port: 4000, ingest: 'ws://127.0.0.1:4001/ingest' });
  const value = (name: string) => args[args.indexOf(name) + 1];
  assert.is(value('--duration'), '15000ms');
  assert.is(value('--ramp'), '2000ms');
  assert.is(value('--seed'), '7');
  assert.is(value('--workers'), '2');
  assert.is(value('--threshold'), 'p99<50ms');
  assert.is(value('--report'), 'ws://127.0.0.1:4001/ingest');
  assert.ok(args.includes('--json'));
  assert.throws(() => planDemo(parseFlags(['--pm', '0.6', '--switch', '0.6'], demoFlags)), (e: unknown) => e instanceof UsageError && /--pm \+ --switch/.test((e as Error).message));
});

test('clock and the status line', () => {
  assert.is(clock(0), '0:00');
  assert.is(clock(61_500), '1:01');
  assert.is(clock(61_500, 'up'), '1:02');
  assert.is(clock(3_600_000), '1:00:00');
  const s = makeSnapshot(5, { rooms: ['b', 'a', 'c'] });
  const mps = [12.5, 3, 0];
  s.rooms.forEach((r, i) => (r.mps = mps[i] as number));
  s.totals.messagesTotal = 77;
  s.totals.mps = 15.5;
  s.totals.connections = 9;
  assert.is(statusLine(s, 1.234), 'messages 77 (15.5/s)  busiest b 12.5/s, a 3.0/s  clients 9  p99 1.2 ms');
  assert.is(statusLine(makeSnapshot(1, { rooms: [] }), undefined), 'messages 0 (0.0/s)  no traffic yet  clients 1  p99 –');
});

test('terminal view: a bar redrawn in place on a TTY, plain timed lines otherwise', () => {
  let now = 1000;
  const write = (tty: boolean) => {
    let text = '';
    const out = { write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream;
    const v = new TerminalView({ out, tty, totalMs: 60_000, startedAt: 1000, columns: 60, now: () => now });
    return { v, text: () => text };
  };
  now = 31_000;
  const tty = write(true);
  tty.v.bar();
  tty.v.line('hello');
  tty.v.close();
  assert.match(tty.text(), /^\r\x1b\[2K\[█+░+\] 0:30\/1:00 {2}0:30 left\r\x1b\[2Khello\n\r\x1b\[2K\[/);
  assert.ok(tty.text().endsWith('\r\x1b[2K'), 'the bar is cleared at the end');
  const plain = write(false);
  plain.v.bar();
  plain.v.line('hello');
  assert.is(plain.text(), '[0:30/1:00] hello\n');
});

test('chat tail: a few lines a second, stable colours, none under NO_COLOR or off a TTY', () => {
  // FNV-1a of the lowercased nick over the 8-colour palette: pinned, so a change of colours is seen.
  assert.equal(['ann', 'bob', 'lg12'].map(nickColor), [32, 92, 96]);
  assert.is(nickColor('LG12'), nickColor('lg12'), 'case does not change the colour');
  assert.ok(new Set(['lg1', 'lg2', 'lg3', 'lg4', 'lg5', 'lg6'].map(nickColor)).size >= 3, 'nicknames spread over the palette');
  assert.is(colorEnabled({}, { isTTY: true }), true);
  assert.is(colorEnabled({ NO_COLOR: '1' }, { isTTY: true }), false);
  assert.is(colorEnabled({}, { isTTY: false }), false);
  const events = new ChatEvents();
  let now = 5000;
  const lines: string[] = [];
  const tail = new ChatTail({ events, write: (l) => lines.push(l), colour: false, perSecond: 2, maxText: 10, now: () => now });
  const msg = (nick: string, text: string) => events.emit('message', { room: 'r1', nick, text, deliveries: 1, bytesOut: 1 });
  msg('ann', 'hi');
  msg('bob', 'a\u001b[31m long text that is cut');
  msg('cid', 'dropped: third in this second');
  now = 6000;
  events.emit('join', { nick: 'dan', room: 'r2', members: 3 });
  tail.close();
  msg('eve', 'after close');
  assert.equal(lines, ['[r1] ann: hi', '[r1] bob: a?[31m lo…', '[r2] * dan joined']);
  const coloured: string[] = [];
  const t2 = new ChatTail({ events, write: (l) => coloured.push(l), colour: true });
  msg('ann', 'hi');
  t2.close();
  assert.is(coloured[0], `\x1b[2m[r1]\x1b[22m \x1b[${nickColor('ann')}mann\x1b[39m: hi`);
});

test('open: says why not when there is no display or no opener', () => {
  assert.is(findOpener('http://x', { PATH: '' }, 'linux'), 'there is no graphical display (DISPLAY is not set)');
  assert.is(findOpener('http://x', { PATH: '', DISPLAY: ':0' }, 'linux'), 'xdg-open is not installed (Debian: apt install xdg-utils)');
  assert.equal(findOpener('http://x', {}, 'win32'), { command: 'rundll32', args: ['url.dll,FileProtocolHandler', 'http://x'] });
});

const exit = (e: Partial<LoadgenExit>): LoadgenExit => ({ code: 0, signal: null, summary: undefined, stopRequested: false, stoppedAtOnce: false, stderrTail: [], ...e });

test('loadgen child: the --json record is found; a crash is described in one line', () => {
  assert.is(parseSummary('noise\n{"type":"other"}\n{"type":"loadgen-summary","ok":true}\n')?.type, 'loadgen-summary');
  assert.is(parseSummary('{"type":"loadgen-summary"'), undefined);
  const ok = exit({ summary: parseSummary('{"type":"loadgen-summary"}') });
  assert.is(describeLoadgenFailure(ok), undefined);
  assert.is(describeLoadgenFailure({ ...ok, code: 1 }), undefined, 'a failed threshold is not a crash');
  assert.is(describeLoadgenFailure(exit({ code: 2, stderrTail: ['chatpulse loadgen: --rate expects a number'] })),
    'the load generator exited with code 2 without its summary (last words: chatpulse loadgen: --rate expects a number)');
  assert.is(describeLoadgenFailure(exit({ code: null, signal: 'SIGKILL' })), 'the load generator was killed by SIGKILL without its summary');
  // Exit 3 (stopped early) is the normal answer to the demo's own stop; unasked, it is reported.
  assert.is(describeLoadgenFailure({ ...ok, code: 3, stopRequested: true }), undefined, 'the demo asked it to stop');
  assert.is(describeLoadgenFailure({ ...ok, code: 3 }), 'the load generator was stopped early by a signal the demo did not send (exit 3)');
  assert.is(describeLoadgenFailure(exit({ code: null, signal: 'SIGKILL', stderrTail: ['[   5s/60s] clients 10  sent 12/s  recv 27/s  p99 4.2ms  lost 0  errors 0'] })),
    'the load generator was killed by SIGKILL without its summary', 'a progress line is not its last words');
  // Stopped by the demo itself (a second Ctrl-C, or the loadgen's own "stopped early" exit code): never a failure.
  assert.is(describeLoadgenFailure(exit({ code: null, signal: 'SIGKILL', stopRequested: true, stoppedAtOnce: true })), undefined);
  assert.is(describeLoadgenFailure(exit({ code: 3, summary: parseSummary('{"type":"loadgen-summary"}'), stopRequested: true })), undefined);
});

const totals: RunTotals = {
  ticks: 3, firstTime: 1, lastTime: 3, durationS: 3, messages: 6, privateMessages: 0, deliveries: 12, joins: 2, leaves: 0, bytesIn: 1,
  bytesOut: 2, errors: 0, activeS: 3, mpsMean: 2, mpsMeanActive: 2, mpsPeak: 3, peakConnections: 2, peakMembers: 2,
  counters: { messagesTotal: 6, privateMessagesTotal: 0, deliveriesTotal: 12, connectionsTotal: 2, errorsTotal: 0 },
  errorsByReason: {}, disconnectsByReason: {},
  rooms: [{ room: '=HYPERLINK("x")|<b>_a_', messages: 6, mpsMean: 2, mpsPeak: 3, joins: 2, leaves: 0, peakMembers: 2 }],
};

test('summary: thresholds set the verdict and the exit code; room names stay text in summary.md', () => {
  const base = {
    runId: 'r', folder: 'results/r', startedAt: 0, endedAt: 3000, plannedMs: 3000, config: { clients: 2 }, dashboard: 'http://h', chat: 'h:1',
    server: totals, lastReport: undefined, files: ['summary.md'],
    ending: { reason: 'completed' as const, stoppedEarly: false, signal: null, detail: '' },
  };
  const lg = (ok: boolean) => ({
    type: 'loadgen-summary', clients: { planned: 2, peak: 2, connects: 2, reconnects: 0 },
    messages: { sent: 6, pm: 0, received: 13, expected: 12, lost: 1, duplicated: 0, reordered: 0, late: 0, unexpected: 1, ambiguous: 1, lossPercent: 8.333, unsent: 3 },
    latency: { corrected: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1, count: 12 }, uncorrected: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1, count: 12 } },
    errors: {}, errorsTotal: 0, health: { trustworthy: true, note: 'generator healthy' },
    thresholds: [{ expr: 'p99<50ms', ok, value: 1, unit: 'ms', window: 'run' }], ok,
  });
  const pass = buildDemoSummary({ ...base, loadgenExit: exit({ summary: lg(true) as never }), thresholds: ['p99<50ms'] });
  assert.is(pass.verdict, 'pass');
  assert.is(demoExitCode(pass), 0);
  const fail = buildDemoSummary({ ...base, loadgenExit: exit({ code: 1, summary: lg(false) as never }), thresholds: ['p99<50ms'] });
  assert.is(fail.verdict, 'fail');
  assert.is(demoExitCode(fail), 1);
  const crashed = buildDemoSummary({ ...base, loadgenExit: exit({ code: null, signal: 'SIGKILL' }), thresholds: ['p99<50ms'] });
  assert.is(crashed.verdict, 'not evaluated');
  assert.is(demoExitCode(crashed), 1);
  // A second Ctrl-C: no summary, the last report's counts; partial, said so, and not a failure.
  const report = {
    type: 'loadgen-tick', source: 'demo', target: 'x', time: 1, elapsedS: 1, clients: 2, sent: 1, received: 1, sentTotal: 5, receivedTotal: 9,
    expectedTotal: 9, lostTotal: 0, duplicatedTotal: 0, reorderedTotal: 0, errors: {}, saturated: false, waiting: 4, unexpectedTotal: 2,
    latencyMs: { corrected: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1, count: 1 }, uncorrected: { p50: 1, p90: 1, p99: 1, p999: 1, max: 1, count: 1 } },
  };
  const atOnce = buildDemoSummary({
    ...base, lastReport: report as never, thresholds: [],
    loadgenExit: exit({ code: null, signal: 'SIGKILL', stopRequested: true, stoppedAtOnce: true }),
    ending: { reason: 'signal', stoppedEarly: true, signal: 'SIGINT', detail: 'stopped by Ctrl-C (SIGINT)' },
  });
  assert.is(atOnce.loadgen.partial, true);
  assert.is(atOnce.loadgen.failure, null);
  assert.is(atOnce.loadgen.messages.sent, 5);
  assert.equal([atOnce.loadgen.messages.unsent, atOnce.loadgen.messages.unexpected, atOnce.loadgen.messages.ambiguous], [4, 2, null], 'what its last report said, and no more');
  assert.is(demoExitCode(atOnce), 0);
  assert.match(summaryMarkdown(atOnce), "**Partial figures:** it was stopped at once, before it could write its summary, so these are its counts at its last /ingest report.");
  assert.not.match(summaryMarkdown(atOnce), 'failure');
  assert.match(summaryText(atOnce), 'loadgen    partial, as of its last /ingest report: sent 5 (UNSENT 4: due, never written),');
  assert.not.match(summaryText(atOnce), 'FAILED');
  // Received and expected never appear without every class that reconciles them.
  assert.match(summaryText(pass), 'sent 6 (UNSENT 3: due, never written), received 13 of 12 expected, lost 1 (8.33%), late 0, duplicated 0, reordered 0, unexpected 1, ambiguous 1');
  // The messages never written have their column: the demo's table had none.
  assert.match(summaryMarkdown(pass), '| sent | of which PM | unsent | received |');
  assert.match(summaryMarkdown(pass), '| 6 | 0 | 3 | 13 | 12 | 1 | 8.33 | 0 | 0 | 0 | 1 | 1 |');
  assert.is(pass.loadgen.partial, false);
  assert.not.match(summaryText(pass), 'partial');
  const md = summaryMarkdown(pass);
  assert.is(pass.loadgen.combinedLatency, null);
  assert.not.match(md, 'all generators', 'one generator: its own whole-run table says it all');
  const p = (p99: number) => ({ p50: 1, p90: 2, p99, p999: 40, max: 50, count: 1004 });
  const combinedLatency = { corrected: p(2.5), uncorrected: p(2), sources: 2, reports: 6, reportsWithoutHistograms: 0 };
  const two = buildDemoSummary({ ...base, loadgenExit: exit({ summary: lg(true) as never }), thresholds: [], combinedLatency });
  assert.equal(two.loadgen.combinedLatency, combinedLatency, 'summary.json carries the hub\'s merged figures');
  assert.match(summaryMarkdown(two), 'Every generator that reported to the dashboard (2), whole run, one merged histogram:');
  assert.match(summaryMarkdown(two), '| corrected | 1 | 2 | 2.50 | 40 | 50 | 1004 |');
  assert.ok(md.includes(`| ${mdText('=HYPERLINK("x")|<b>_a_')} |`));
  assert.not.match(md, '<b>');
  assert.not.match(md, '|<b');
});

test.run();
