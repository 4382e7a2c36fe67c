import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineClient } from '../helpers/line-client.js';
import { killLeftovers, runCli, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

// Whatever an assert does, no server process outlives its test.
test.after.each(killLeftovers);

test('--help lists the flags with defaults and exits 0', async () => {
  const p = runCli(['server', '--help']);
  const { code } = await p.exited();
  assert.is(code, 0);
  assert.match(p.stdout(), /--max-rate N\s+lines per second per connection .*\(default: 50\)/);
  assert.match(p.stdout(), /--grace DURATION\s+.*\(default: 1m\)/);
  assert.match(p.stdout(), /--login-timeout DURATION\s+close a connection that has not chosen a nickname .*\(default: 30s\)/);
  assert.match(p.stdout(), /--idle-timeout DURATION\s+close a connection that sent no complete line .*\(default: off\)/);
  assert.match(p.stdout(), /--line-timeout DURATION\s+close a connection holding an unfinished line .*\(default: 30s\)/);
});

test('a bad flag exits 2 with one line naming it', async () => {
  const p = runCli(['server', '--port', 'many']);
  const { code } = await p.exited();
  assert.is(code, 2);
  assert.is(p.stderr().trim(), "chatpulse server: --port expects a whole number, got 'many'");
  const r = runCli(['server', '--redis', 'localhost:6379']);
  assert.is((await r.exited()).code, 2);
  assert.is(r.stderr().trim(), "chatpulse server: --redis expects a URL like redis://127.0.0.1:6379, got 'localhost:6379'");
  const q = runCli(['serve']);
  assert.is((await q.exited()).code, 2);
  assert.match(q.stderr(), /unknown command 'serve'/);
});

test('history survives a restart: new process, same db; SIGINT exits 0', async () => {
  const tmp = tempDir();
  try {
    const first = await startServerProcess(['--results-dir', tmp.dir]);
    const a = await LineClient.login(first.chatPort, 'ann');
    await a.ask('/join dev', '* ann joined #dev');
    await a.ask('remember me', '[dev] You: remember me');
    first.proc.child.kill('SIGINT');
    await a.waitFor(/^\* server shutting down/);
    const { code } = await first.proc.exited(30_000);
    assert.is(code, 0);
    a.close();
    assert.ok(fs.existsSync(path.join(tmp.dir, 'chatpulse.db')), 'default db under --results-dir');

    const second = await startServerProcess(['--results-dir', tmp.dir]);
    const b = await LineClient.login(second.chatPort, 'bob');
    await b.ask('/join dev', /^\* \[dev\] \d\d:\d\d:\d\d ann: remember me$/);
    b.close();
    second.proc.child.kill('SIGTERM');
    assert.is((await second.proc.exited(30_000)).code, 0);
  } finally {
    tmp.cleanup();
  }
});

test('a second signal during the shutdown does not cut it short: results and history are written, exit 0', async () => {
  const tmp = tempDir();
  try {
    const first = await startServerProcess(['--results-dir', tmp.dir]);
    const a = await LineClient.login(first.chatPort, 'ann');
    await a.ask('/join dev', '* ann joined #dev');
    await a.ask('said just before', '[dev] You: said just before');
    first.proc.child.kill('SIGTERM');
    await a.waitFor(/^\* server shutting down/);
    first.proc.child.kill('SIGTERM');
    first.proc.child.kill('SIGINT');
    const { code } = await first.proc.exited(30_000);
    a.close();
    assert.is(code, 0, first.proc.stderr());
    assert.match(first.proc.stderr(), /SIGTERM again: already shutting down — writing this run's results and history/);
    const runs = fs.readdirSync(tmp.dir).filter((f) => fs.existsSync(path.join(tmp.dir, f, 'summary.json')));
    assert.is(runs.length, 1, `a run folder with its summary: ${fs.readdirSync(tmp.dir).join(', ')}`);
    const second = await startServerProcess(['--results-dir', tmp.dir]);
    const b = await LineClient.login(second.chatPort, 'bob');
    await b.ask('/join dev', /^\* \[dev\] \d\d:\d\d:\d\d ann: said just before$/);
    b.close();
    second.proc.child.kill('SIGTERM');
    assert.is((await second.proc.exited(30_000)).code, 0);
  } finally {
    tmp.cleanup();
  }
});

test('a busy port fails at once with a clear message', async () => {
  const tmp = tempDir();
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const p = runCli(['server', '--port', String(port), '--http-port', '0', '--results-dir', tmp.dir]);
    const { code } = await p.exited();
    assert.is(code, 1);
    assert.is(p.stderr().trim(), `chatpulse server: port ${port} on 127.0.0.1 is busy (is another chatpulse running?)`);
  } finally {
    blocker.close();
    tmp.cleanup();
  }
});

test('GET /healthz answers on the HTTP port', async () => {
  const tmp = tempDir();
  const s = await startServerProcess(['--results-dir', tmp.dir]);
  try {
    const res = await fetch(`http://127.0.0.1:${s.httpPort}/healthz`);
    assert.equal(await res.json(), { status: 'ok' });
  } finally {
    s.proc.child.kill('SIGINT');
    await s.proc.exited();
    tmp.cleanup();
  }
});

test.run();
