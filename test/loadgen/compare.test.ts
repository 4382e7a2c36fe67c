import fs from 'node:fs';
import net from 'node:net';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketServer } from 'ws';
import type { LoadgenTickReport } from '../../loadgen/index.js';
import { startTestServer } from '../helpers/chat-server.js';
import { killLeftovers, runCli, startServerProcess } from '../helpers/cli.js';
import { runCompare } from '../../compare/index.js';
import type { CompareRow } from '../../compare/compare-rows.js';
import { inspircdBin, startInspircd } from '../helpers/irc-servers.js';
import { needing } from '../helpers/require-tool.js';
import { startExampleApp } from '../helpers/example-app.js';
import { startTestHub } from '../helpers/hub.js';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const insp = inspircdBin();

test('bad --target values are refused with one line naming the flag', async () => {
  for (const [args, re] of [
    [['--target', 'nameless'], /--target 'nameless' must be NAME=PROTO:\/\/HOST:PORT/],
    [['--target', 'a=gopher://h:1'], /--target 'gopher:\/\/h:1' names an unknown protocol 'gopher'/],
    [['--target', 'a=irc://h:1', '--target', 'a=irc://h:2'], /target name 'a' is given twice/],
    [[], /--target is required/],
  ] as [string[], RegExp][]) {
    const p = runCli(['compare', ...args]);
    const { code } = await p.exited();
    assert.is(code, 2, p.stderr());
    assert.match(p.stderr(), re);
    assert.is(p.stderr().trim().split('\n').length, 1);
  }
});

needing(test, insp)('compare chatpulse vs InspIRCd: compare.md/.csv/.json with one row per target; reports named by target', async () => {
  const chat = await startTestServer();
  const irc = await startInspircd(insp as string);
  const tmp = tempDir();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ingest' });
  await new Promise((r) => wss.once('listening', r));
  const frames: LoadgenTickReport[] = [];
  wss.on('connection', (ws) => ws.on('message', (d) => frames.push(JSON.parse(String(d)))));
  try {
    const p = runCli([
      'compare', '--target', `ours=chatpulse://127.0.0.1:${chat.port}`, '--target', `insp=${irc.url}`,
      '--clients', '16', '--rooms', '2', '--rate', '1', '--duration', '3s', '--ramp', '500ms', '--switch', '0', '--users', '0',
      '--workers', '1', '--loss-timeout', '1500ms', '--pause', '200ms', '--results-dir', tmp.dir,
      '--report', `ws://127.0.0.1:${(wss.address() as { port: number }).port}/ingest`,
    ]);
    const { code } = await p.exited(40_000);
    assert.is(code, 0, p.stderr());
    const dirName = /results written to (.*compare-[\dT-]+Z)/.exec(p.stderr())?.[1];
    assert.ok(dirName, p.stderr());
    const dir = dirName as string;
    assert.equal(fs.readdirSync(dir).sort(), ['compare.csv', 'compare.html', 'compare.json', 'compare.md']);

    const csvText = fs.readFileSync(`${dir}/compare.csv`, 'utf8');
    assert.ok(csvText.startsWith('\uFEFF'), 'BOM');
    assert.ok(csvText.includes('\r\n'), 'CRLF');
    const rows = parse(csvText.slice(1), { columns: true }) as Record<string, string>[];
    assert.is(rows.length, 2, 'one row per target');
    assert.equal(rows.map((r) => r.target), ['ours', 'insp']);
    assert.equal(rows.map((r) => r.protocol), ['chatpulse', 'irc']);
    for (const r of rows) {
      assert.ok(Number(r.deliveries_per_s) > 0 && Number(r.sent) > 0 && Number(r.received) > 0, JSON.stringify(r));
      assert.equal([r.lost, r.unexpected, r.duplicated], ['0', '0', '0'], 'every delivery class is a column');
      assert.ok(Number(r.ambiguous) >= 0 && Number(r.expected) > 0, JSON.stringify(r));
      assert.ok(Number(r.p99_ms) > 0 && Number(r.p99_uncorrected_ms) > 0);
    }
    assert.is(rows[0]?.deliveries_per_s_ratio, '1');
    assert.is(Number(rows[1]?.deliveries_per_s_ratio), Math.round((Number(rows[1]?.deliveries_per_s) / Number(rows[0]?.deliveries_per_s)) * 1000) / 1000);

    const json = JSON.parse(fs.readFileSync(`${dir}/compare.json`, 'utf8'));
    assert.is(json.type, 'chatpulse-compare');
    assert.is(json.rows.length, 2);
    assert.equal(json.targets.map((t: { url: string }) => t.url), [`chatpulse://127.0.0.1:${chat.port}`, irc.url]);
    const md = fs.readFileSync(`${dir}/compare.md`, 'utf8');
    assert.match(md, /\| ours \| chatpulse \| 1 \|/);
    assert.match(md, /\| insp \| irc \| 1 \|/);
    assert.match(p.stdout(), /\| insp \| irc \| 1 \|/, 'the table is printed too');

    assert.equal([...new Set(frames.map((f) => f.source))].sort(), ['insp', 'ours'], 'each run reports under its target name');
    assert.ok(frames.some((f) => f.source === 'insp' && f.target === irc.url));
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
    await irc.stop();
    await chat.stop();
    tmp.cleanup();
  }
});

test('compare across transports: TCP, /chat/ws, a JSON app (--spec) and a Socket.IO app (?spec=) under one seeded load', async () => {
  const hub = await startTestHub();
  const json = await startExampleApp('ws-json-chat');
  const sio = await startExampleApp('socketio-chat');
  const tmp = tempDir();
  // The JSON app described without PMs: PMs are then left out for every target, and the table says so.
  const spec = JSON.parse(fs.readFileSync(`${ROOT}/examples/ws-json-chat/spec.json`, 'utf8'));
  delete spec.send.pm;
  const noPm = `${tmp.dir}/no-pm.json`;
  fs.writeFileSync(noPm, JSON.stringify(spec));
  try {
    const p = runCli([
      'compare', '--target', `tcp=chatpulse://127.0.0.1:${hub.chatPort}`, '--target', `ws=${hub.httpUrl.replace(/^http/, 'ws')}/chat/ws`,
      '--target', `json=${json.url}`, '--target', `sio=${sio.url}?spec=${ROOT}/examples/socketio-chat/spec.json`,
      '--spec', noPm,
      '--clients', '16', '--rooms', '2', '--rate', '2', '--duration', '3s', '--ramp', '300ms', '--pm', '0.1', '--switch', '0', '--users', '0',
      '--workers', '1', '--loss-timeout', '1500ms', '--pause', '200ms', '--results-dir', tmp.dir,
    ]);
    const { code } = await p.exited(60_000);
    assert.is(code, 0, p.stderr());
    const dir = /results written to (.*compare-[\dT-]+Z)/.exec(p.stderr())?.[1] as string;
    const rows = parse(fs.readFileSync(`${dir}/compare.csv`, 'utf8').slice(1), { columns: true }) as Record<string, string>[];
    assert.equal(rows.map((r) => [r.target, r.protocol]), [['tcp', 'chatpulse'], ['ws', 'chatpulse'], ['json', 'wsjson'], ['sio', 'socketio']]);
    for (const r of rows) assert.equal([r.lost, r.unexpected, r.duplicated, r.errors], ['0', '0', '0', '0'], JSON.stringify(r));
    assert.is(new Set(rows.map((r) => r.sent)).size, 1, `one seeded schedule, the same sends everywhere: ${rows.map((r) => r.sent)}`);
    assert.ok(rows.every((r) => Number(r.received) === Number(r.expected) && Number(r.received) > 100), JSON.stringify(rows.map((r) => r.received)));
    const result = JSON.parse(fs.readFileSync(`${dir}/compare.json`, 'utf8'));
    assert.not.ok('spec' in result.config.load, 'the app descriptions are not the load');
    assert.is(result.config.targets[3], `sio=${sio.url}?spec=${ROOT}/examples/socketio-chat/spec.json`, 'the targets as typed: the run can be made again from its JSON');
    assert.is(result.config.specFile, noPm);
    assert.is(result.config.load.pm, 0, 'PMs ran for nobody');
    assert.equal(result.leftOut, [{ action: 'pm', asked: 0.1, because: [{ target: 'json', why: 'its spec has no send.pm' }] }]);
    assert.match(fs.readFileSync(`${dir}/compare.md`, 'utf8'), /\*\*Left out for every target\*\*.*\n- private messages \(--pm\), asked 0\.1: `json` — its spec has no send\.pm/);
    assert.match(fs.readFileSync(`${dir}/compare.md`, 'utf8'), /\| sio \| socketio \| 1 \|/, 'a protocol column');
  } finally {
    await sio.stop().catch(() => undefined);
    await json.stop().catch(() => undefined);
    await hub.stop();
    tmp.cleanup();
  }
});

// A target that refuses every login, and one that is down, among good ones: the good runs are kept and
// written, the others say what happened with no figure made up (0 ms would read as the fastest), exit 1.
test('compare: an unreachable target and one that measured nothing get rows that say so; the rest run; exit 1; no password shown', async () => {
  const chat = await startTestServer();
  // Accepts and never answers: every client waits for a welcome that does not come.
  const held = new Set<net.Socket>();
  const silent = net.createServer((socket) => held.add(socket));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const downPort = (closed.address() as net.AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const tmp = tempDir();
  try {
    const p = runCli([
      'compare', '--target', `ok=chatpulse://127.0.0.1:${chat.port}`, '--target', `down=xmpp://127.0.0.1:${downPort}?auth=plain&password=hunter2`,
      '--target', `mute=chatpulse://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, '--target', `again=chatpulse://127.0.0.1:${chat.port}`,
      '--clients', '6', '--rooms', '2', '--rate', '2', '--duration', '2s', '--switch', '0', '--users', '0', '--pm', '0',
      '--workers', '1', '--loss-timeout', '1s', '--pause', '100ms', '--results-dir', tmp.dir, '--threshold', 'p99<10s',
    ]);
    const { code } = await p.exited(60_000);
    assert.is(code, 1, p.stderr());
    const dir = /results written to (.*compare-[\dT-]+Z)/.exec(p.stderr())?.[1] as string;
    assert.ok(dir, p.stderr());
    // A target that could not run is not left out of the verdicts: its rules fail with no value.
    assert.match(p.stderr(), /chatpulse compare: down \(xmpp:\/\/127\.0\.0\.1:\d+.*\): threshold FAIL p99<10s nothing measured \(whole run\) — the run could not happen/);
    assert.match(fs.readFileSync(`${dir}/compare.md`, 'utf8'), /Thresholds \(\*\*failed\*\*\):/);
    const rows = parse(fs.readFileSync(`${dir}/compare.csv`, 'utf8').slice(1), { columns: true }) as Record<string, string>[];
    assert.equal(rows.map((r) => [r.target, r.status]), [['ok', 'ok'], ['down', 'failed'], ['mute', 'nothing measured'], ['again', 'ok']], 'the runs after the one that failed happened');
    const [ok, down, mute, again] = rows as [Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string>];
    for (const r of [ok, again]) assert.ok(Number(r.received) > 0 && Number(r.p99_ms) > 0 && r.lost === '0', JSON.stringify(r));
    assert.match(down.why ?? '', /cannot reach 127\.0\.0\.1:\d+/);
    assert.match(mute.why ?? '', /no message was sent or received/);
    for (const r of [down, mute]) {
      assert.equal([r.p50_ms, r.p99_ms, r.p999_ms, r.p99_uncorrected_ms, r.p99_ms_ratio], ['', '', '', '', ''], `${r.target}: not measured, not 0: ${JSON.stringify(r)}`);
    }
    assert.equal([down.sent, down.received, down.deliveries_per_s], ['', '', ''], 'a run that never happened has no counts');
    assert.is(down.thresholds, 'FAIL p99<10s nothing measured (whole run) — the run could not happen');
    assert.match(ok.thresholds ?? '', /^ok p99<10s [\d.]+ ms \(whole run\)$/);
    assert.equal([mute.sent, mute.received], ['0', '0'], 'one that ran sent nothing');
    const md = fs.readFileSync(`${dir}/compare.md`, 'utf8');
    assert.match(md, /\| mute \| chatpulse \| 1 \| 0\.00 \| 0\.00× \| 0 \| [1-9]\d* \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| 0 \| – \| – \| – \| – \|/, md);
    assert.equal([down.trustworthy, ok.trustworthy], ['', 'yes'], 'a run that never happened is neither trustworthy nor not');
    assert.match(md, /Runs not comparable:\n- `down` repeat 1: failed — cannot reach/);
    assert.match(p.stderr(), /chatpulse compare: mute \(chatpulse:\/\/127\.0\.0\.1:\d+\): nothing measured — no message was sent or received/);
    const everything = [p.stdout(), p.stderr(), ...fs.readdirSync(dir).map((f) => fs.readFileSync(`${dir}/${f}`, 'utf8'))].join('\n');
    assert.not.match(everything, /hunter2/, 'the password is nowhere');
    assert.match(JSON.parse(fs.readFileSync(`${dir}/compare.json`, 'utf8')).targets[1].url, /password=\*\*\*/);
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise((r) => silent.close(r));
    await chat.stop();
    tmp.cleanup();
  }
});

// A server killed a second into its run: its clients kept their due messages, which never went. Its
// loss and latency cover only what went, so the row must not read ok — nor rank it beside the others.
test('compare: a target that dies mid-run is incomplete, not ok: its unsent messages are counted and named', async () => {
  const good = await startTestServer();
  const tmp = tempDir();
  const dying = await startServerProcess(['--results-dir', tmp.dir, '--no-metrics']);
  try {
    const result = await runCompare({
      targets: [`good=chatpulse://127.0.0.1:${good.port}`, `dying=chatpulse://127.0.0.1:${dying.chatPort}`],
      load: { clients: 6, rooms: 2, rate: 4, duration: 3000, ramp: 200, switch: 0, users: 0, pm: 0, workers: 1, lossTimeout: 1000, seed: 3 },
      repeat: 1, pauseMs: 100,
    }, { onRun: (t) => void (t.name === 'dying' && setTimeout(() => dying.proc.child.kill('SIGKILL'), 1200)) });
    const [g, d] = result.rows as [CompareRow, CompareRow];
    assert.equal([g.target, g.status, g.unsent, g.why], ['good', 'ok', 0, '']);
    assert.equal([d.target, d.status], ['dying', 'incomplete']);
    // 6 clients at 4/s had ~1.8 s of messages due after the kill: about 40, none of them written.
    assert.ok(d.unsent !== null && d.unsent >= 20 && d.unsent <= 80, `unsent ${d.unsent}`);
    assert.match(d.why, new RegExp(`^${d.unsent} of ${(d.sent ?? 0) + d.unsent} messages due were never written: the server stopped taking them \\(errors: .*connect_refused`));
    assert.ok(result.incomplete, 'the comparison says a row is not comparable');
  } finally {
    await killLeftovers();
    await good.stop();
    tmp.cleanup();
  }
});

test('compare --scenario --threshold: every target runs the phases, is judged, and a failed rule makes exit 1 and is named', async () => {
  const chat = await startTestServer();
  const tmp = tempDir();
  try {
    const scenario = `${tmp.dir}/two-phases.json`;
    fs.writeFileSync(scenario, JSON.stringify({ phases: [{ type: 'steady', duration: '1s', rate: 2 }, { type: 'spike', duration: '1s', rate: 4 }] }));
    const p = runCli([
      'compare', '--target', `a=chatpulse://127.0.0.1:${chat.port}`, '--target', `b=chatpulse://127.0.0.1:${chat.port}`,
      '--clients', '6', '--rooms', '2', '--switch', '0', '--users', '0', '--workers', '1', '--loss-timeout', '1s', '--pause', '100ms',
      '--scenario', scenario, '--threshold', 'p99<60s', '--threshold', 'p99<1us', '--results-dir', tmp.dir,
    ]);
    const { code } = await p.exited(40_000);
    assert.is(code, 1, p.stderr());
    for (const t of ['a', 'b']) assert.match(p.stderr(), new RegExp(`chatpulse compare: ${t} \\(chatpulse://127\\.0\\.0\\.1:\\d+\\): threshold FAIL p99<1us \\d`));
    assert.not.match(p.stderr(), /FAIL p99<60s/);
    const dir = /results written to (.*compare-[\dT-]+Z)/.exec(p.stderr())?.[1] as string;
    const rows = parse(fs.readFileSync(`${dir}/compare.csv`, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
    assert.equal(rows.map((r) => r.status), ['ok', 'ok'], 'the runs themselves completed');
    for (const r of rows) {
      assert.match(r.thresholds as string, /^ok p99<60s [\d.]+ ms \(whole run\); FAIL p99<1us [\d.]+ ms \(whole run\)$/);
      // The phases set each run's length: 2 s, not the default 30 s.
      assert.ok(Number(r.duration_s) >= 1.9 && Number(r.duration_s) < 4, `duration ${r.duration_s}`);
    }
    assert.match(fs.readFileSync(`${dir}/compare.md`, 'utf8'), /Thresholds \(\*\*failed\*\*\):\n- `a` repeat 1: ok p99\\<60s .*; \*\*FAIL\*\* p99\\<1us/);
    const json = JSON.parse(fs.readFileSync(`${dir}/compare.json`, 'utf8'));
    assert.equal([json.thresholdsFailed, json.config.thresholds], [true, ['p99<60s', 'p99<1us']]);
    // As for the loadgen: the phases set the length, so a --duration beside them is refused.
    const both = runCli(['compare', '--target', 'a=chatpulse://127.0.0.1:9', '--scenario', scenario, '--duration', '5s']);
    assert.is((await both.exited()).code, 2);
    assert.is(both.stderr(), "chatpulse compare: --duration: with --scenario the phases set the run's length (2 s); leave --duration out\n");
    // find-max steps the rate, which a scenario's phases fix: every step would run the same load.
    const fm = runCli(['compare', '--target', 'a=chatpulse://127.0.0.1:9', '--scenario', scenario, '--find-max']);
    assert.is((await fm.exited()).code, 2);
    assert.is(fm.stderr(), 'chatpulse compare: --find-max steps the --rate up; a --scenario fixes the rate of each phase: use one or the other\n');
  } finally {
    await chat.stop();
    tmp.cleanup();
  }
});

test('compare: a spec-driven target without a spec is refused before any run, naming the target', async () => {
  const p = runCli(['compare', '--target', 'a=chatpulse://127.0.0.1:9', '--target', 'b=socketio://127.0.0.1:9', '--duration', '1s', '--ramp', '0s']);
  const { code } = await p.exited(20_000);
  assert.is(code, 2, p.stderr());
  assert.match(p.stderr(), /--target b \(socketio:\/\/127\.0\.0\.1:9\): spec is required with a socketio:\/\/ target/);
  assert.not.match(p.stderr(), /== a/, 'no run started');
});

test.run();
