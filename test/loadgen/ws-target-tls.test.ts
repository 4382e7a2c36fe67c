/**
 * `wss://` end to end. The hub's HTTP port (where `/chat/ws` lives) speaks plain HTTP only — SECURITY.md
 * says to put a TLS-terminating proxy in front of it — so this test does just that: a node:tls server
 * on port 0 with a throwaway openssl certificate, piping each decrypted connection to the hub's HTTP
 * port. Real TLS, real sockets; the loadgen runs as the CLI a user would type.
 */
import net from 'node:net';
import tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestCert, type TestCert } from '../helpers/tls-cert.js';

const tmp = tempDir('chatpulse-wss-');
const cert = makeTestCert(tmp.dir) as TestCert;
const s = suite('loadgen over wss:// through a TLS-terminating proxy to the hub');
/** Without openssl (outside CI) every test is registered as skipped, so the file still reports. */
const it = cert ? s : s.skip;

let h: Awaited<ReturnType<typeof startTestHub>>;
let proxy: tls.Server;
let proxyPort = 0;
/** TLS sessions the proxy completed: counted here, apart from anything the loadgen reports. */
let secured = 0;
let messages = 0;
let deliveries = 0;
let pms = 0;

s.before(async () => {
  if (!cert) return;
  h = await startTestHub();
  h.hub.events.on('message', (e) => { messages++; deliveries += e.deliveries; });
  h.hub.events.on('pm', () => pms++);
  const httpPort = Number(new URL(h.httpUrl).port);
  proxy = tls.createServer({ cert: cert.cert, key: cert.key }, (front) => {
    secured++;
    const back = net.connect({ host: '127.0.0.1', port: httpPort, noDelay: true });
    front.pipe(back).pipe(front);
    // Either side failing ends both, as a real proxy would; the errors themselves are the test's business.
    front.on('error', () => back.destroy());
    back.on('error', () => front.destroy());
  });
  // A client refusing our certificate aborts its handshake: expected in the no-CA case, not a failure here.
  proxy.on('tlsClientError', () => {});
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyPort = (proxy.address() as net.AddressInfo).port;
});
s.after(async () => {
  if (proxy) await new Promise<void>((r) => proxy.close(() => r()));
  await h?.stop();
  tmp.cleanup();
});

const url = () => `wss://127.0.0.1:${proxyPort}/chat/ws`;
const run = (...extra: string[]) => runCli([
  'loadgen', '--target', url(), '--clients', '8', '--rooms', '2', '--rate', '4', '--duration', '1500ms', '--ramp', '200ms',
  '--pm', '0.1', '--switch', '0.1', '--users', '0', '--workers', '1', '--interval', '250ms', '--loss-timeout', '1000ms', '--seed', '3', '--json', ...extra,
]);

it('--tls-ca trusts the proxy: lost 0, unexpected 0, every client a TLS session and a timed upgrade', async () => {
  const before = { secured, messages, deliveries, pms };
  const p = run('--tls-ca', cert.certFile);
  const { code } = await p.exited(30_000);
  assert.is(code, 0, p.stderr());
  const rec = JSON.parse(p.stdout().trim());
  const m = rec.messages;
  assert.is(rec.target, url());
  assert.ok(m.expected > 50, `enough deliveries (${m.expected})`);
  assert.equal([m.lost, m.unexpected, m.ambiguous, m.duplicated], [0, 0, 0, 0], JSON.stringify(m));
  // What the hub handled and wrote, counted on the server side, matches what crossed the TLS proxy.
  assert.is(m.sent, messages - before.messages + pms - before.pms, 'sent = what the server handled');
  assert.is(m.received, deliveries - before.deliveries + pms - before.pms, 'received = what the server wrote');
  assert.is(secured - before.secured, 8, 'one TLS session per virtual client, through the proxy');
  assert.is(rec.connect.connectMs.count, 8, JSON.stringify(rec.connect));
  assert.is(rec.connect.handshakeMs.count, 8, 'TLS + upgrade timed apart from the TCP connect');
  const { no_such_user: _n, ...errors } = rec.errors as Record<string, number>;
  assert.equal(errors, {});
});

it('without --tls-ca the self-signed certificate is refused: exit 1, one line naming it', async () => {
  const p = run();
  assert.is((await p.exited(30_000)).code, 1, p.stderr());
  assert.is(p.stderr().trim().split('\n').at(-1),
    `chatpulse loadgen: cannot reach ${url()}: WebSocket handshake failed: self-signed certificate (no client connected during the 1.5 s run)`);
  assert.is(JSON.parse(p.stdout()).ok, false, 'with --json, a record saying so');
});

it('--tls-insecure encrypts without checking: works', async () => {
  const before = secured;
  const p = run('--tls-insecure');
  assert.is((await p.exited(30_000)).code, 0, p.stderr());
  const rec = JSON.parse(p.stdout().trim());
  assert.ok(rec.messages.received > 0, JSON.stringify(rec.messages));
  assert.equal([rec.messages.lost, rec.messages.unexpected], [0, 0]);
  assert.is(secured - before, 8);
  assert.is(rec.connect.handshakeMs.count, 8);
});

s.run();
