import fs from 'node:fs';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';
import { FakeChatPeer } from '../helpers/fake-chat-peer.js';
import { eventually } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp.js';

let srv: TestServer;
const tmp = tempDir();
test.before(async () => {
  srv = await startTestServer();
});
test.after(async () => {
  await srv.stop();
  tmp.cleanup();
});

const common = () => ['loadgen', '--port', String(srv.port), '--clients', '8', '--rooms', '2', '--rate', '5', '--duration', '1s', '--ramp', '0', '--workers', '1', '--interval', '250ms', '--loss-timeout', '500ms'];

test('thresholds that hold exit 0; --json prints one JSON record alone on stdout', async () => {
  const p = runCli([...common(), '--json', '--threshold', 'p99<10s', '--threshold', 'loss<50%', '--threshold', 'errors<1000 over 500ms']);
  const { code } = await p.exited(20_000);
  assert.is(code, 0, p.stderr());
  const lines = p.stdout().trim().split('\n');
  assert.is(lines.length, 1, 'stdout holds the record and nothing else');
  const rec = JSON.parse(lines[0] as string);
  for (const k of ['sent', 'received', 'expected', 'lost', 'duplicated', 'reordered']) assert.type(rec.messages[k], 'number', k);
  for (const k of ['p50', 'p90', 'p99', 'p999', 'max']) assert.type(rec.latency.corrected[k], 'number', k);
  assert.type(rec.latency.uncorrected.p99, 'number');
  assert.is(rec.thresholds.length, 3);
  assert.ok(rec.thresholds.every((t: { ok: boolean }) => t.ok));
  assert.ok(rec.messages.sent > 0);
  assert.match(p.stderr(), /loadgen summary/);
});

test('--json when a target cannot be reached: a record on stdout all the same (exit 1), not an empty file', async () => {
  const free = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
  const p = runCli(['loadgen', '--port', String(free), '--clients', '2', '--duration', '1s', '--ramp', '0', '--workers', '1', '--json']);
  assert.is((await p.exited(30_000)).code, 1, p.stderr());
  const rec = JSON.parse(p.stdout().trim());
  assert.is(rec.ok, false);
  assert.match(rec.error, new RegExp(`^cannot reach 127\\.0\\.0\\.1:${free}: `));
  assert.match(p.stderr(), /^chatpulse loadgen: cannot reach /m);
});

test('nothing measured against a server of another protocol: the last line asks whether it speaks the one asked', async () => {
  // IRC spoken to chatpulse: the server greets, but no client ever sees IRC's welcome.
  const p = runCli(['loadgen', '--target', `irc://127.0.0.1:${srv.port}`, '--clients', '2', '--duration', '1500ms', '--ramp', '0', '--workers', '1', '--loss-timeout', '500ms']);
  assert.is((await p.exited(30_000)).code, 1, p.stderr());
  assert.match(p.stderr().trim().split('\n').at(-1) ?? '', /^chatpulse loadgen: no message was sent or received, so nothing was measured \(errors: .*\) — the server answered, but no client got through its irc login: does it speak irc \(the target's scheme, or --protocol\)\?$/);
});

test('nothing measured because the load sent nothing (one client, only PMs): the last line says so, not that the login failed', async () => {
  const p = runCli(['loadgen', '--port', String(srv.port), '--clients', '1', '--pm', '1', '--switch', '0', '--users', '0', '--duration', '1500ms', '--ramp', '0', '--workers', '1', '--loss-timeout', '500ms']);
  assert.is((await p.exited(30_000)).code, 1, p.stderr());
  assert.match(p.stderr().trim().split('\n').at(-1) ?? '', / — clients logged in and joined their rooms, but the load sent no message \(--pm 1, --switch 0, --users 0; with one client a PM has nobody to go to\)$/);
});

test('a threshold that fails exits 1 and is named in the summary', async () => {
  const p = runCli([...common(), '--threshold', 'p50<0.001ms', '--threshold', 'loss<50%']);
  const { code } = await p.exited(20_000);
  assert.is(code, 1);
  assert.match(p.stdout(), /FAIL p50<0\.001ms/);
  assert.match(p.stdout(), /ok {3}loss<50%/);
});

test('a windowed threshold fails on one bad second that the whole-run value hides', async () => {
  // A peer that stops for 1 s once the load is flowing: the window holding that second has a p50 of
  // about half the pause, while over the whole 5 s run the median delivery is still prompt.
  const peer = await new FakeChatPeer().listen();
  const p = runCli(['loadgen', '--port', String(peer.port), '--clients', '10', '--rooms', '1', '--rate', '10', '--duration', '5s', '--ramp', '0',
    '--pm', '0', '--switch', '0', '--workers', '1', '--interval', '250ms', '--loss-timeout', '3s',
    '--threshold', 'p50<300ms over 1s', '--threshold', 'p50<300ms']);
  try {
    await eventually(() => (peer.did.messages >= 100 ? true : undefined), 'load flowing through the peer', 20_000);
    peer.pauseFor(1000);
    const { code } = await p.exited(30_000);
    assert.match(p.stdout(), /FAIL p50<300ms over 1s +\d+(\.\d+)? ms \(worst 1s window\)/, p.stdout());
    assert.match(p.stdout(), /ok {3}p50<300ms +\d+(\.\d+)? ms \(whole run\)/, p.stdout());
    assert.is(code, 1, 'a failed threshold sets the exit code');
  } finally {
    p.child.kill('SIGKILL');
    await peer.close();
  }
});

test('bad usage exits 2 with one line naming the flag', async () => {
  for (const [args, re] of [
    [['--threshold', 'p98<5ms'], /--threshold.*p98<5ms/],
    [['--rate', 'fast'], /--rate expects a number/],
    // Number() reads these, so they ran: as 1, as 0 without a word, as no limit.
    [['--rate', '0x1'], /^chatpulse loadgen: --rate expects a number, got '0x1'$/m],
    [['--rate', '1e-400'], /--rate expects a number, got '1e-400'/],
    [['--pm', 'Infinity'], /--pm expects a number, got 'Infinity'/],
    // Named as the flag given: it said "--target 'chatpulse://no such host:5555' is not HOST:PORT".
    [['--host', 'no such host'], /^chatpulse loadgen: --host must be a host name or address, got "no such host"$/m],
    [['--clients', '0'], /--clients/],
    [['--report', 'http://x'], /--report expects a ws:/],
    [['--scenario', '/nonexistent.json'], /--scenario: cannot read/],
    // Its range is the ports a user may give: the "off" value it holds when not given is not one.
    [['--metrics-port', '70000'], /--metrics-port expects a whole number from 0 to 65535, got '70000'/],
    [['--metrics-port', '-1'], /--metrics-port expects a whole number from 0 to 65535/],
    // Where every mkdir answers ENOENT, Node's own recursive mkdir never returned: the run hung.
    [['--out', '/proc/chatpulse-out'], /cannot create or write '\/proc\/chatpulse-out': ENOENT/],
    [['--out', '/proc/a/b'], /cannot create or write '\/proc\/a\/b': ENOENT/],
  ] as const) {
    const p = runCli(['loadgen', ...args]);
    const { code } = await p.exited(10_000);
    assert.is(code, 2, `${args.join(' ')}: ${p.stderr()}`);
    assert.match(p.stderr(), re);
    assert.is(p.stderr().trim().split('\n').length, 1);
  }
});

test('a bad scenario file is refused with the phase and field named', async () => {
  const file = `${tmp.dir}/bad.json`;
  fs.writeFileSync(file, JSON.stringify({ phases: [{ type: 'steady', duration: '1s' }, { type: 'spike', duration: '2s' }] }));
  const p = runCli(['loadgen', '--scenario', file]);
  const { code } = await p.exited();
  assert.is(code, 2);
  assert.match(p.stderr(), /phases\[1\]\.rate is required for a spike/);
  // The phases set the length: a --duration beside them was ignored (the run lasted 1 s, not 5).
  const good = `${tmp.dir}/one-second.json`;
  fs.writeFileSync(good, JSON.stringify({ phases: [{ type: 'steady', duration: '1s', rate: 1 }] }));
  const both = runCli(['loadgen', '--port', '1', '--scenario', good, '--duration', '5s']);
  assert.is((await both.exited()).code, 2);
  assert.is(both.stderr(), "chatpulse loadgen: --duration: with --scenario the phases set the run's length (1 s); leave --duration out\n");
});

test('a short run needs no --ramp: the default ramp shrinks to a fifth of --duration', async () => {
  const p = runCli(['loadgen', '--port', String(srv.port), '--clients', '4', '--rooms', '1', '--rate', '4', '--duration', '2s', '--workers', '1', '--json']);
  const { code } = await p.exited(20_000);
  assert.is(code, 0, p.stderr());
  assert.is(JSON.parse(p.stdout()).config.ramp, 400);
});

// A run in which no client gets in: lifecycle.test.ts (exit 1, one line naming the address).

test('--help lists the flags', async () => {
  const p = runCli(['loadgen', '--help']);
  assert.is((await p.exited()).code, 0);
  for (const f of ['--clients', '--rate', '--threshold', '--json', '--report', '--metrics-port', '--scenario', '--seed', '--workers']) assert.ok(p.stdout().includes(f), f);
});

test.run();
