/**
 * How a loadgen run ends (issue #15): a run cut short by Ctrl-C/SIGTERM says so and exits 3; a target
 * nobody can reach stops the run within a bounded time with one line naming it; a full run exits 0.
 * Real processes, real sockets on port 0.
 */
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';
import { runCli, type CliProcess } from '../helpers/cli.js';
import { sleep } from '../helpers/line-client.js';
import { tempDir } from '../helpers/temp.js';

let srv: TestServer;
test.before(async () => {
  srv = await startTestServer();
});
test.after(async () => {
  await srv.stop();
});

/** A port that was just bound and closed again: nothing listens there. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) ?? '';

/** Waits until the run is under way (`--metrics-port 0` prints its port once the run has begun, signal handlers in place). */
async function started(p: CliProcess): Promise<void> {
  for (let i = 0; i < 500 && !/loadgen metrics on http/.test(p.stderr()); i++) {
    if (p.child.exitCode !== null) break;
    await sleep(20);
  }
  assert.match(p.stderr(), /loadgen metrics on http/, 'the run began');
}

const long = () => ['loadgen', '--port', String(srv.port), '--clients', '6', '--rooms', '2', '--rate', '4', '--duration', '60s', '--ramp', '0',
  '--workers', '1', '--interval', '250ms', '--loss-timeout', '500ms', '--metrics-port', '0'];

test('a closed port: exit 1 within the 5 s window (not the 10 min run), one line naming the address and the error', async () => {
  const port = await closedPort();
  const p = runCli(['loadgen', '--port', String(port), '--clients', '3', '--duration', '10m', '--ramp', '0', '--workers', '1']);
  // Bounded: the old loadgen retried for the whole ten minutes.
  const { code } = await p.exited(60_000);
  assert.is(code, 1, p.stderr());
  assert.is(lastLine(p.stderr()), `chatpulse loadgen: cannot reach 127.0.0.1:${port}: connection refused (no client connected within 5 s)`);
  assert.is(p.stdout(), '', 'no table of zeros');
});

test('several targets: each unreachable one is named, the reachable one is not', async () => {
  const a = await closedPort();
  const b = await closedPort();
  const p = runCli(['loadgen', '--target', `127.0.0.1:${srv.port}`, '--target', `127.0.0.1:${a}`, '--target', `127.0.0.1:${b}`,
    '--clients', '6', '--rooms', '2', '--rate', '1', '--duration', '10m', '--ramp', '0', '--workers', '1']);
  const { code } = await p.exited(60_000);
  assert.is(code, 1, p.stderr());
  assert.is(lastLine(p.stderr()),
    `chatpulse loadgen: cannot reach 127.0.0.1:${a}: connection refused; 127.0.0.1:${b}: connection refused (no client connected within 5 s)`);
});

test('a run shorter than the window still names the closed port, at its end', async () => {
  const port = await closedPort();
  const p = runCli(['loadgen', '--port', String(port), '--clients', '3', '--rate', '5', '--duration', '1s', '--workers', '1']);
  const { code } = await p.exited(20_000);
  assert.is(code, 1);
  assert.is(lastLine(p.stderr()), `chatpulse loadgen: cannot reach 127.0.0.1:${port}: connection refused (no client connected during the 1 s run)`);
});

test('SIGINT 2 s into a 60 s run: stoppedEarly in --json, "Stopped early" in the table, exit 3', async () => {
  const p = runCli([...long(), '--json']);
  await started(p);
  await sleep(2000);
  p.child.kill('SIGINT');
  const { code } = await p.exited(30_000);
  assert.is(code, 3, p.stderr());
  const rec = JSON.parse(p.stdout().trim());
  assert.is(rec.stoppedEarly, true);
  assert.is(rec.plannedS, 60);
  assert.ok(rec.durationS < 60, String(rec.durationS));
  assert.is(rec.ok, false, 'a run that did not happen as asked is not ok');
  assert.match(p.stderr(), /^ {2}Stopped early after [\d.]+ s of 60 s \(Ctrl-C or SIGTERM\)/m);
  assert.match(lastLine(p.stderr()), /^chatpulse loadgen: stopped early after [\d.]+ s of 60 s \(exit 3\)$/);
});

test('SIGTERM does the same; without --json the table (stdout) says it', async () => {
  const p = runCli(long());
  await started(p);
  await sleep(1000);
  p.child.kill('SIGTERM');
  const { code } = await p.exited(30_000);
  assert.is(code, 3, p.stderr());
  assert.match(p.stdout(), /^ {2}Stopped early after [\d.]+ s of 60 s/m);
});

test('a full short run: exit 0, stoppedEarly false, ok true, no "Stopped early"', async () => {
  const p = runCli(['loadgen', '--port', String(srv.port), '--clients', '4', '--rooms', '2', '--rate', '4', '--duration', '1s', '--ramp', '0',
    '--workers', '1', '--interval', '250ms', '--loss-timeout', '500ms', '--json']);
  const { code } = await p.exited(20_000);
  assert.is(code, 0, p.stderr());
  const rec = JSON.parse(p.stdout().trim());
  assert.is(rec.stoppedEarly, false);
  assert.is(rec.plannedS, 1);
  assert.is(rec.ok, true);
  assert.not.match(p.stderr(), /stopped early/i);
});

test('compare stopped by Ctrl-C: writes what ran, marked Stopped early, and exits 3', async () => {
  const tmp = tempDir();
  try {
    const p = runCli(['compare', '--target', `a=chatpulse://127.0.0.1:${srv.port}`, '--target', `b=chatpulse://127.0.0.1:${srv.port}`,
      '--clients', '4', '--rooms', '2', '--rate', '2', '--duration', '60s', '--ramp', '0', '--workers', '1', '--loss-timeout', '500ms',
      '--results-dir', tmp.dir, '--json']);
    for (let i = 0; i < 500 && !/== a \(/.test(p.stderr()) && p.child.exitCode === null; i++) await sleep(20);
    await sleep(1500);
    p.child.kill('SIGINT');
    const { code } = await p.exited(30_000);
    assert.is(code, 3, p.stderr());
    assert.match(lastLine(p.stderr()), /^chatpulse compare: stopped early \(Ctrl-C or SIGTERM\); the results cover only what ran \(exit 3\)$/);
    const rec = JSON.parse(p.stdout());
    assert.is(rec.stoppedEarly, true);
    assert.equal(rec.rows.map((r: { target: string }) => r.target), ['a'], 'b never ran');
    const [dir] = fs.readdirSync(tmp.dir);
    assert.match(fs.readFileSync(`${tmp.dir}/${dir}/compare.md`, 'utf8'), /^\*\*Stopped early\*\* \(Ctrl-C or SIGTERM\)/m);
  } finally {
    tmp.cleanup();
  }
});

test('--help documents the exit codes', async () => {
  const p = runCli(['loadgen', '--help']);
  assert.is((await p.exited()).code, 0);
  assert.match(p.stdout(), /^ {2}3 {2}stopped early by Ctrl-C or SIGTERM/m);
  assert.match(p.stdout(), /min\(max\(--ramp, 5s\), 15s\)/);
});

test.run();
