import net from 'node:net';
import type tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startChatServer, type ChatServer } from '../../server/index.js';
import { LineClient } from '../helpers/line-client.js';
import { runCli, startServerProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestCert, type TestCert } from '../helpers/tls-cert.js';
import { connectTls, loginTls } from '../helpers/tls-client.js';

const tmp = tempDir('chatpulse-tls-');
const cert = makeTestCert(tmp.dir) as TestCert;
const other = (cert && makeTestCert(tmp.dir, 'other')) as TestCert;
const servers: ChatServer[] = [];
const clients: LineClient[] = [];
const s = suite('chat over TLS');
/** Without openssl (outside CI) every test is registered as skipped, so the file still reports. */
const it = cert ? s : s.skip;
s.after.each(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((x) => x.close(200)));
});
s.after(() => tmp.cleanup());

async function start(extra: Parameters<typeof startChatServer>[0] = {}): Promise<ChatServer> {
  const server = await startChatServer({ port: 0, tls: { cert: cert.cert, key: cert.key }, ...extra });
  servers.push(server);
  return server;
}
const keep = <T extends LineClient>(c: T) => (clients.push(c), c);

it('a chat session over TLS 1.3 on the chat port: login, room message, PM', async () => {
  const server = await start();
  assert.is(server.tlsAddress, server.address, 'TLS replaces plain TCP on the chat port');
  const ann = keep(await loginTls(server.address.port, cert.cert, 'ann'));
  const bob = keep(await loginTls(server.address.port, cert.cert, 'bob'));
  assert.is((ann.socket as tls.TLSSocket).getProtocol(), 'TLSv1.3');
  await ann.ask('/join dev', '* ann joined #dev');
  await bob.ask('/join dev', '* bob joined #dev');
  await ann.ask('hello over tls', '[dev] You: hello over tls');
  await bob.waitFor('[dev] ann: hello over tls');
  await bob.ask('/pm ann secret', '[PM to ann] secret');
  await ann.waitFor('[PM from bob] secret');
});

it('TLS 1.2 is refused by default and accepted with minVersion TLSv1.2', async () => {
  const strict = await start();
  const err = await connectTls(strict.address.port, cert.cert, { maxVersion: 'TLSv1.2' }).then(() => undefined, (e: Error) => e);
  assert.ok(err, 'a TLS 1.2-only client fails its handshake');
  const lenient = await start({ tls: { cert: cert.cert, key: cert.key, minVersion: 'TLSv1.2' } });
  const c = keep(await connectTls(lenient.address.port, cert.cert, { maxVersion: 'TLSv1.2' }));
  assert.is((c.socket as tls.TLSSocket).getProtocol(), 'TLSv1.2');
  await c.waitFor(/^\* Welcome to chatpulse/);
});

it('a client that does not trust the certificate fails; the server keeps serving', async () => {
  const server = await start();
  const err = await connectTls(server.address.port, other.cert).then(() => undefined, (e: Error) => e);
  assert.match(String(err), /self.signed|unable to verify|certificate/i);
  keep(await loginTls(server.address.port, cert.cert, 'still'));
});

it('plain TCP on the TLS port fails cleanly: no chat line, socket closed, others unharmed, counted', async () => {
  const server = await start();
  const ann = keep(await loginTls(server.address.port, cert.cert, 'ann'));
  await ann.ask('/join dev', '* ann joined #dev');
  const plain = keep(await LineClient.connect(server.address.port));
  plain.send('/nick mallory');
  plain.send('hello?');
  await plain.waitClosed(3000);
  assert.not.ok(plain.lines.some((l) => l.startsWith('*') || l.startsWith('[')), `no chat line reached the plain client: ${plain.lines.join('|')}`);
  assert.is(server.tlsHandshakeFailures(), 1);
  // The existing TLS session and new ones carry on.
  const bob = keep(await loginTls(server.address.port, cert.cert, 'bob'));
  await bob.ask('/join dev', '* bob joined #dev');
  await ann.ask('still here', '[dev] You: still here');
  await bob.waitFor('[dev] ann: still here');
  const users = await ann.ask('/users', /^\* users in #dev/);
  assert.not.ok(users.includes('mallory'));
});

it('--tls-port: TLS beside plain TCP, both reach the same rooms', async () => {
  const server = await start({ tlsPort: 0 });
  assert.ok(server.tlsAddress && server.tlsAddress.port !== server.address.port);
  const viaTls = keep(await loginTls(server.tlsAddress!.port, cert.cert, 'secure'));
  const viaTcp = keep(await LineClient.login(server.address.port, 'plain'));
  await viaTls.ask('/join dev', '* secure joined #dev');
  await viaTcp.ask('/join dev', '* plain joined #dev');
  await viaTcp.ask('hi from tcp', '[dev] You: hi from tcp');
  await viaTls.waitFor('[dev] plain: hi from tcp');
  await server.close(200);
  const refused = await new Promise<boolean>((r) => {
    const sock = net.connect(server.tlsAddress!.port, '127.0.0.1');
    sock.once('error', () => r(true));
    sock.once('connect', () => { sock.destroy(); r(false); });
  });
  assert.ok(refused, 'close() closes the TLS port too');
});

it('a busy --tls-port leaves nothing half started', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const busy = (blocker.address() as net.AddressInfo).port;
  try {
    const err = await startChatServer({ port: 0, tls: { cert: cert.cert, key: cert.key }, tlsPort: busy }).then(() => undefined, (e: NodeJS.ErrnoException) => e);
    assert.is(err?.code, 'EADDRINUSE');
  } finally {
    blocker.close();
  }
});

it('CLI: TLS flags, errors as one line (exit 2 for flags, 1 for files), nothing started', async () => {
  const cases: [string[], number, RegExp][] = [
    [['--tls-cert', cert.certFile], 2, /^chatpulse server: --tls-cert needs --tls-key$/],
    [['--tls-port', '0'], 2, /^chatpulse server: --tls-port needs --tls-cert and --tls-key$/],
    [['--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--tls-min', '1.1'], 2, /--tls-min expects one of 1\.3, 1\.2/],
    [['--tls-cert', `${tmp.dir}/missing.pem`, '--tls-key', cert.keyFile], 1, /^chatpulse server: cannot read --tls-cert .*missing\.pem: no such file$/],
    [['--tls-cert', cert.keyFile, '--tls-key', cert.keyFile], 1, /^chatpulse server: --tls-cert .* is not a PEM certificate/],
    [['--tls-cert', cert.certFile, '--tls-key', cert.certFile], 1, /^chatpulse server: --tls-key .* is not an unencrypted PEM private key/],
    [['--tls-cert', cert.certFile, '--tls-key', other.keyFile], 1, /^chatpulse server: --tls-key .* does not fit --tls-cert .*: key values mismatch$/],
  ];
  for (const [args, code, re] of cases) {
    const p = runCli(['server', '--port', '0', '--http-port', '0', '--results-dir', tmp.dir, ...args]);
    const exit = await p.exited();
    assert.is(exit.code, code, `${args.join(' ')} → ${p.stderr()}`);
    assert.match(p.stderr().trim(), re);
    assert.is(p.stderr().trim().split('\n').length, 1, 'one line');
    assert.not.match(p.stdout(), /listening/, 'nothing started');
  }
  // A bad token is named where it came from: the flag, or the environment the user may not think of.
  for (const [args, env, re] of [
    [['--token', 'short'], {}, /^chatpulse server: --token expects 16 to 256 printable characters/],
    [[], { CHATPULSE_TOKEN: 'short' }, /^chatpulse server: CHATPULSE_TOKEN \(from the environment\) expects 16 to 256 printable characters/],
  ] as [string[], Record<string, string>, RegExp][]) {
    const p = runCli(['server', '--port', '0', '--http-port', '0', '--results-dir', tmp.dir, ...args], { env: { ...process.env, ...env } });
    assert.is((await p.exited()).code, 2, p.stderr());
    assert.match(p.stderr().trim(), re);
  }
});

it('CLI: --tls-port prints both ports and the fingerprint; a TLS client talks to a TCP client', async () => {
  const { proc, chatPort } = await startServerProcess(['--results-dir', tmp.dir, '--tls-cert', cert.certFile, '--tls-key', cert.keyFile, '--tls-port', '0', '--tls-min', '1.2']);
  try {
    const m = await proc.waitFor(/chat TLS listening on 127\.0\.0\.1:(\d+) \(TLS 1\.2\+\)/);
    await proc.waitFor(/SHA-256 fingerprint [0-9A-F:]{95}/);
    const a = keep(await loginTls(Number(m[1]), cert.cert, 'ann'));
    const b = keep(await LineClient.login(chatPort, 'bob'));
    await b.ask('/pm ann over the bridge', '[PM to ann] over the bridge');
    await a.waitFor('[PM from bob] over the bridge');
  } finally {
    proc.child.kill('SIGINT');
    await proc.exited(6000);
  }
});

it('CLI: --tls-cert and --tls-key alone serve TLS on the chat port (no --tls-port)', async () => {
  const { proc, chatPort } = await startServerProcess(['--results-dir', tmp.dir, '--tls-cert', cert.certFile, '--tls-key', cert.keyFile]);
  try {
    const a = keep(await loginTls(chatPort, cert.cert, 'ann'));
    await a.ask('/join dev', '* ann joined #dev');
    assert.is(((a.socket as tls.TLSSocket).getProtocol()), 'TLSv1.3');
  } finally {
    proc.child.kill('SIGINT');
    assert.is((await proc.exited(6000)).code, 0);
  }
});

s.run();

