import tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, startTestHub } from '../helpers/hub.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestCert, type TestCert } from '../helpers/tls-cert.js';
import { dial } from '../../loadgen/dialer.js';
import { trustContext } from '../../loadgen/trust-context.js';

const tmp = tempDir('chatpulse-lg-tls-');
const cert = makeTestCert(tmp.dir) as TestCert;
let h: Awaited<ReturnType<typeof startTestHub>>;
const s = suite('loadgen over TLS, reporting to a token-protected dashboard');
/** Without openssl (outside CI) every test is registered as skipped, so the file still reports. */
const it = cert ? s : s.skip;
s.before(async () => {
  if (!cert) return;
  // Chat: TLS only, self-signed. Dashboard: bound to 127.0.0.1 but judged as exposed, so it wants a token.
  h = await startTestHub({ tls: { cert: cert.cert, key: cert.key }, accessHost: '10.9.8.7', interval: 250 });
});
s.after(async () => {
  await h?.stop();
  tmp.cleanup();
});

const run = (...extra: string[]) => runCli([
  'loadgen', '--port', String(h.chatPort), '--clients', '6', '--rooms', '2', '--rate', '4', '--duration', '1500ms', '--ramp', '0',
  '--workers', '1', '--interval', '250ms', '--loss-timeout', '500ms', '--json', ...extra,
]);

it('--tls --tls-insecure against a self-signed server: handshake time apart from connect time; --report-token reports', async () => {
  const before = h.hub.dashboard.stats().ingest.accepted;
  const ingest = `${h.httpUrl.replace('http:', 'ws:')}/ingest`;
  const p = run('--tls', '--tls-insecure', '--report', ingest, '--report-token', h.hub.token as string, '--label', 'tls-lg');
  const { code } = await p.exited(25_000);
  assert.is(code, 0, p.stderr());
  const rec = JSON.parse(p.stdout().trim());
  assert.ok(rec.connect.handshakeMs.count >= 6, `one handshake per client: ${JSON.stringify(rec.connect)}`);
  assert.is(rec.connect.handshakeMs.count, rec.connect.connectMs.count, 'every TCP connect was followed by a handshake');
  assert.ok(rec.connect.handshakeMs.max > 0);
  assert.ok(rec.messages.received > 0 && rec.messages.lost === 0, JSON.stringify(rec.messages));
  assert.equal(rec.errors, {});
  assert.match(p.stderr(), /tls handshake\s+[\d.]+/, 'the summary table has a handshake row');
  assert.not.match(p.stdout() + p.stderr(), new RegExp(h.hub.token as string), 'the token is never printed');
  await eventually(() => (h.hub.dashboard.stats().ingest.accepted > before ? true : undefined), 'reports accepted by /ingest');
  assert.is(h.hub.http.gate.refused().token, 0);
});

it('certificate checks: without --tls-insecure a self-signed server is refused; --tls-ca trusts it', async () => {
  const refused = run('--tls');
  assert.is((await refused.exited(25_000)).code, 1, 'no client got in: not a pass');
  // One line naming the address and the handshake failure, not a table of zeros.
  assert.is(refused.stderr().trim().split('\n').at(-1),
    `chatpulse loadgen: cannot reach 127.0.0.1:${h.chatPort}: TLS handshake failed: self-signed certificate (no client connected during the 1.5 s run)`);
  // --json: the same error as a record on stdout, no table of zeros.
  assert.equal(JSON.parse(refused.stdout()), { ok: false, error: `cannot reach 127.0.0.1:${h.chatPort}: TLS handshake failed: self-signed certificate (no client connected during the 1.5 s run)` });
  const trusted = run('--tls', '--tls-ca', cert.certFile);
  assert.is((await trusted.exited(25_000)).code, 0, trusted.stderr());
  const ok = JSON.parse(trusted.stdout().trim());
  assert.equal(ok.errors, {});
  assert.ok(ok.connect.handshakeMs.count >= 6);
});

it('plain TCP against the TLS port: nothing measured, and the line asks whether the server speaks TLS', async () => {
  const plain = run();
  assert.is((await plain.exited(25_000)).code, 1);
  assert.match(plain.stderr().trim().split('\n').at(-1) ?? '', /^chatpulse loadgen: no message was sent or received, so nothing was measured \(errors: connection_closed ×\d+.*\) — the server closed every connection before its first line: does it speak TLS\? \(add --tls\) Or another protocol than chatpulse\?$/);
});

it('--tls-ca: one trust context per CA, shared by every client (building one per client sat inside its connect time)', async () => {
  const pem = `${cert.cert}\n`; // a CA of this test alone: no context cached for it yet
  const built = tls.createSecureContext;
  let contexts = 0;
  tls.createSecureContext = (o) => {
    contexts++;
    return built(o);
  };
  try {
    const sockets = Array.from({ length: 5 }, () => dial({ host: '127.0.0.1', port: h.chatPort, tls: true, tlsCa: pem }).socket as tls.TLSSocket);
    await Promise.all(sockets.map((sock) => new Promise((resolve, reject) => sock.once('secureConnect', resolve).once('error', reject))));
    for (const sock of sockets) sock.destroy();
  } finally {
    tls.createSecureContext = built;
  }
  assert.is(contexts, 1, 'five clients, one context');
  assert.ok(trustContext(pem) === trustContext(pem));
});

it('without --report-token the dashboard refuses the reports and the loadgen says why', async () => {
  const before = h.hub.http.gate.refused().token;
  const accepted = h.hub.dashboard.stats().ingest.accepted;
  const p = run('--tls', '--tls-insecure', '--report', `${h.httpUrl.replace('http:', 'ws:')}/ingest`);
  assert.is((await p.exited(25_000)).code, 0, p.stderr());
  assert.match(p.stderr(), /401 \(the dashboard wants a token: --report-token\)/);
  assert.ok(h.hub.http.gate.refused().token > before);
  assert.is(h.hub.dashboard.stats().ingest.accepted, accepted);
});

it('flag misuse exits 2 with one line', async () => {
  for (const [args, re] of [
    [['--tls-insecure'], /--tls-insecure needs --tls/],
    [['--tls-ca', cert.certFile], /--tls-ca needs --tls/],
    [['--report-token', 'x'.repeat(20)], /--report-token needs --report/],
    [['--tls', '--tls-ca', `${tmp.dir}/none.pem`], /--tls-ca: cannot read/],
  ] as const) {
    const p = runCli(['loadgen', ...args]);
    assert.is((await p.exited()).code, 2, p.stderr());
    assert.match(p.stderr().trim(), re);
    assert.is(p.stderr().trim().split('\n').length, 1);
  }
});

s.run();
