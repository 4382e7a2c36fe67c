import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSpec, formatSummary, loadSpec, newProtocolEvent, parseTarget, resolveLoadOptions, runLoad, splitTargetSpec, SpecError, targetUrl, type ProtocolEvent, type ProtocolSpec } from '../../loadgen/index.js';
import { specSocketIoProtocol } from '../../loadgen/protocols/spec-socketio.js';
import { encodePayload } from '../../loadgen/payload.js';
import { killLeftovers, ROOT, runCli } from '../helpers/cli.js';
import { startExampleApp } from '../helpers/example-app.js';
import { tempDir } from '../helpers/temp.js';
import { makeTestCert } from '../helpers/tls-cert.js';

const EXAMPLE = path.join(ROOT, 'examples/socketio-chat');
const readSpec = (name: string): ProtocolSpec => loadSpec(fs.readFileSync(path.join(EXAMPLE, name), 'utf8'), name);
const good = () => JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'spec.json'), 'utf8'));

test.after.each(killLeftovers);

// --- the wire: Engine.IO 4 / Socket.IO 5 packets, written out by hand from the protocol documents ---

function parser(spec: ProtocolSpec, namespace = '/') {
  const s = specSocketIoProtocol(spec).session({ namespace });
  const ev = newProtocolEvent();
  const parse = (frame: string): ProtocolEvent => {
    s.parse(Buffer.from(frame), ev);
    return ev;
  };
  return { s, parse, ev };
}

test('frames: CONNECT carries the auth; events are 42["name",payload]; a namespace prefixes both', () => {
  const { s } = parser(readSpec('spec.json'));
  assert.is(s.login('ann'), '40{"nick":"ann"}\n', 'the nickname in the handshake auth; nothing else before the ack');
  assert.is(s.join('r1'), '42["join",{"room":"r1"}]\n');
  assert.is(s.say('r1', 'a "b"'), '42["say",{"room":"r1","text":"a \\"b\\""}]\n');
  assert.is(s.pm('bob', 'x'), '42["pm",{"to":"bob","text":"x"}]\n');
  assert.is(s.members('r2'), '42["users",{"room":"r2"}]\n');
  const ns = parser(readSpec('spec.json'), '/chat').s;
  assert.is(ns.login('ann'), '40/chat,{"nick":"ann"}\n');
  assert.is(ns.say('r1', 'x'), '42/chat,["say",{"room":"r1","text":"x"}]\n');
  const noAuth = good();
  delete noAuth.auth;
  assert.is(parser(checkSpec(noAuth)).s.login('ann'), '40{"nick":"ann"}\n', 'no send.login, no auth: {nick} by default');
  const custom = good();
  custom.auth = { token: 't-{nick}', v: 2 };
  assert.is(parser(checkSpec(custom)).s.login('ann'), '40{"token":"t-ann","v":2}\n');
});

test('a login event waits for the CONNECT ack (a server closes a connection that sends events first)', () => {
  const { s, parse } = parser(readSpec('spec-alt.json'));
  assert.is(s.login('ann'), '40\n', 'send.login and no auth: a bare CONNECT');
  assert.equal([parse('0{"sid":"a","pingInterval":25000}').kind], ['ignore']);
  const ack = parse('40{"sid":"b"}');
  assert.equal([ack.kind, ack.text], ['reply', '42["hello",{"user":{"name":"ann"}}]\n']);
  assert.is(parse('40{"sid":"b"}').kind, 'ignore', 'released once');
  assert.is(s.login('ann_2'), '42["hello",{"user":{"name":"ann_2"}}]\n', 'a retried login is the event alone');
});

test('server packets become events: ping answered, events typed, refusals and disconnects end the session', () => {
  const { s, parse, ev: e } = parser(readSpec('spec.json'), '/chat');
  const ev = () => e;
  s.login('me');
  assert.equal([parse('2').kind, ev().text], ['reply', '3\n']);
  assert.equal([parse('2probe').kind, ev().text], ['reply', '3probe\n']);
  assert.equal([parse('1').kind, ev().errorKind], ['closing', 'server_closed']);
  assert.is(parse('3').kind, 'ignore');
  assert.is(parse('6').kind, 'ignore');
  const text = encodePayload('ab0cd', 7, 8, 1000, 1001, 40);
  const raw = `42/chat,["message",${JSON.stringify({ room: 'r1', from: 'me', text })}]`;
  assert.equal([parse(raw).kind, ev().self, raw.slice(ev().textStart, ev().textStart + text.length)], ['message', true, text]);
  assert.equal([parse(`42["message",${JSON.stringify({ room: 'r1', from: 'bob', text })}]`).kind, ev().self], ['message', false], 'no namespace prefix');
  assert.equal([parse(`42/chat,17["pm",${JSON.stringify({ from: 'bob', text })}]`).kind, ev().self], ['pm', false], 'an ack id before the array');
  assert.equal([parse('42/chat,["joined",{"room":"r1","nick":"me"}]').kind, ev().room, ev().self], ['joined', 'r1', true]);
  assert.equal([parse('42/chat,["users",{"room":"r1","nicks":["me","bob"]}]').kind, ev().nicks], ['members', ['me', 'bob']]);
  assert.equal([parse('42/chat,["error",{"code":"no_such_user","nick":"zed","text":"no"}]').kind, ev().errorKind, ev().nick], ['error', 'no_such_user', 'zed']);
  assert.equal([parse('44/chat,{"message":"nick_taken"}').kind, ev().errorKind], ['ended', 'nick_taken']);
  assert.equal([parse('44{"message":"Not authorized!"}').kind, ev().errorKind, ev().text], ['ended', 'connect_error', 'Not authorized!']);
  assert.equal([parse('41/chat,').kind, ev().errorKind], ['ended', 'server_disconnect']);
  for (const junk of ['42/chat,["typing",{}]', '42{"not":"an array"}', '42[broken', '43/chat,1[]', '451-["x",{"_placeholder":true,"num":0}]', '\u0000\u0001', '']) {
    assert.is(parse(junk).kind, 'unknown', junk);
  }
});

// --- targets and specs --------------------------------------------------------------------------

test('socketio:// targets: namespace from the path, Engine.IO path from ?path=, canonical URL parses back', () => {
  const t = parseTarget('socketio://127.0.0.1:3000', 'chatpulse');
  assert.equal(t, { protocol: 'socketio', transport: 'ws', host: '127.0.0.1', port: 3000, path: '/socket.io/', namespace: '/', params: {} });
  const ns = parseTarget('socketio://h:1/chat/?path=/rt/io/', 'chatpulse');
  assert.equal([ns.namespace, ns.path, ns.port], ['/chat', '/rt/io/', 1]);
  assert.is(targetUrl(ns), 'socketio://h:1/chat?path=%2Frt%2Fio%2F');
  assert.equal(parseTarget(targetUrl(ns), 'chatpulse'), ns);
  assert.is(targetUrl(t), 'socketio://127.0.0.1:3000');
  assert.is(parseTarget('socketio://h', 'irc').port, 80);
  assert.throws(() => parseTarget('socketio://h:1?transport=polling', 'chatpulse'), /has a query other than \?path=/);
  assert.throws(() => parseTarget('socketio://h:1?path=rel', 'chatpulse'), /\?path= that is not an absolute URL path/);
  assert.throws(() => parseTarget('socketio://h:1?spec=x.json', 'chatpulse'), /carries \?spec=/);
  assert.equal(splitTargetSpec('socketio://h:1/ns?spec=a%20b.json&path=/x/'), { url: 'socketio://h:1/ns?path=/x/', specFile: 'a b.json' }, 'the rest as typed');
  assert.equal(splitTargetSpec('wsjson://h:1/chat?spec=s.json'), { url: 'wsjson://h:1/chat', specFile: 's.json' });
  assert.equal(splitTargetSpec('irc://h:1'), { url: 'irc://h:1', specFile: '' });
});

test('specs: transport must fit the target; Socket.IO has no eventField; auth only for Socket.IO', () => {
  const spec = readSpec('spec.json');
  const o = resolveLoadOptions({ targets: ['socketio://127.0.0.1:3000/chat'], spec });
  assert.equal([o.protocol, o.targets], ['socketio', ['socketio://127.0.0.1:3000/chat']]);
  assert.equal(resolveLoadOptions(o).targets, o.targets, 'resolving twice (workers) keeps it');
  assert.is(resolveLoadOptions({ protocol: 'socketio', host: '127.0.0.1', port: 3000, spec }).targets[0], 'socketio://127.0.0.1:3000', '--protocol socketio with --host/--port');
  assert.throws(() => resolveLoadOptions({ targets: ['wsjson://h:1/c'], spec }), /^spec: transport "socketio" is for socketio:\/\/ targets, not wsjson:\/\/ \(which takes "websocket"\)$/);
  assert.throws(() => resolveLoadOptions({ targets: ['socketio://h:1'] }), /^spec is required with a socketio:\/\/ target/);
  assert.ok(resolveLoadOptions({ targets: ['socketio://h:1'], spec, tls: true }).tls, '--tls: Socket.IO over wss');
  const cases: [(s: any) => unknown, RegExp][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    [(s) => { s.eventField = 'op'; }, /^eventField is for transport "websocket"/],
    [(s) => { s.auth = 'nick'; }, /^auth must be an object/],
    [(s) => { s.transport = 'websocket'; }, /^auth is for transport "socketio"/],
    [(s) => { delete s.receive.joined.nick; }, /^receive\.joined\.nick is required$/],
  ];
  for (const [mutate, re] of cases) {
    const s = good();
    mutate(s);
    assert.throws(() => checkSpec(s), (e: Error) => e instanceof SpecError && re.test(e.message) && !e.message.includes('\n'), String(re));
  }
});

test('CLI: bad spec or spec/target mismatch exits 2 with one line; ?spec= and --spec naming two files too', async () => {
  const cases: [string[], RegExp][] = [
    [['--target', 'socketio://127.0.0.1:9', '--spec', path.join(ROOT, 'examples/ws-json-chat/spec.json')], /spec: transport "websocket" is for wsjson:\/\/ targets, not socketio:\/\//],
    [['--target', `socketio://127.0.0.1:9?spec=${path.join(EXAMPLE, 'spec.json')}`, '--spec', path.join(EXAMPLE, 'spec-alt.json')], /one run speaks one app: --spec and \?spec= name 2 files/],
    [['--target', 'socketio://127.0.0.1:9?spec=/nonexistent/s.json'], /\?spec=: cannot read '\/nonexistent\/s\.json': ENOENT/],
    [['--target', 'socketio://127.0.0.1:9?trans=x'], /has a query other than \?path=/],
    [['--target', `socketio://127.0.0.1:9?spec=${path.join(ROOT, 'package.json')}`], /\?spec=\S*package\.json: transport is required/],
  ];
  for (const [args, re] of cases) {
    const p = runCli(['loadgen', '--duration', '1s', ...args]);
    const { code } = await p.exited(20_000);
    assert.is(code, 2, `${args.join(' ')}: ${p.stderr()}`);
    const lines = p.stderr().trim().split('\n').filter((l) => !/^\s*$/.test(l) && !/--help/.test(l));
    assert.is(lines.length, 1, p.stderr());
    assert.match(lines[0] as string, re);
  }
});

// --- against the example app (the real socket.io package) ---------------------------------------

const load = { clients: 40, rooms: 3, rate: 4, duration: 2500, ramp: 300, pm: 0.1, switch: 0.1, users: 0.05, workers: 1, interval: 500, lossTimeout: 1500, seed: 5 };

for (const [dialect, specFile, flags] of [['auth nickname', 'spec.json', []], ['alt (login event, nested keys, other names)', 'spec-alt.json', ['--dialect', 'alt']]] as const) {
  test(`Socket.IO example, ${dialect}: 40 clients switching rooms and PMs, lost 0, unexpected 0, received = what the app delivered`, async () => {
    const app = await startExampleApp('socketio-chat', flags);
    try {
      const s = await runLoad({ ...load, targets: [app.url], spec: readSpec(specFile) });
      const m = s.messages;
      const did = await app.stop();
      assert.is(s.protocol, 'socketio');
      assert.ok(m.expected > 500, `enough deliveries (${m.expected})`);
      assert.equal([m.lost, m.unexpected, m.ambiguous, m.duplicated], [0, 0, 0, 0], JSON.stringify(m));
      assert.is(m.received, m.expected);
      assert.is(m.received, did.delivered, 'received = what the app says it delivered');
      assert.ok(m.pm > 0 && s.commands.join.count > 40, 'PMs sent and rooms switched');
      assert.equal(s.errors, {}, 'no errors, no unknown events');
      assert.is(s.clients.reconnects, 0);
      assert.ok(s.latency.corrected.count === m.received && s.latency.corrected.p50 > 0 && s.latency.uncorrected.p50 > 0);
      assert.match(formatSummary(s), /\n {2}ws handshake /);
    } finally {
      await app.stop().catch(() => undefined);
    }
  });
}

test('Socket.IO example dropping every 10th delivery: loss 10 % ± 1 %, every drop the app made counted', async () => {
  const app = await startExampleApp('socketio-chat', ['--drop-every', '10']);
  try {
    const s = await runLoad({ ...load, switch: 0, lossTimeout: 1000, targets: [app.url], spec: readSpec('spec.json') });
    const m = s.messages;
    const did = await app.stop();
    assert.ok(m.expected > 500, `enough deliveries (${m.expected})`);
    assert.ok(m.lossPercent >= 9 && m.lossPercent <= 11, `loss ${m.lossPercent}%`);
    assert.is(m.unexpected, 0);
    assert.ok(m.lost <= did.dropped && did.dropped <= m.lost + m.ambiguous, `lost ${m.lost}, ambiguous ${m.ambiguous}, app dropped ${did.dropped}`);
    assert.is(m.received, did.delivered);
  } finally {
    await app.stop().catch(() => undefined);
  }
});

test('a taken nickname (refused in the handshake) is retried on a new connection under another name', async () => {
  const app = await startExampleApp('socketio-chat');
  const squatter = await import('ws').then(({ default: WebSocket }) => new WebSocket(`ws://127.0.0.1:${app.port}/socket.io/?EIO=4&transport=websocket`));
  try {
    await new Promise<void>((resolve, reject) => {
      squatter.once('error', reject);
      squatter.on('message', (d) => {
        const f = String(d);
        if (f.startsWith('0')) squatter.send('40{"nick":"sq1"}');
        if (f.startsWith('42["welcome"')) resolve();
      });
    });
    const s = await runLoad({ ...load, clients: 3, switch: 0, pm: 0, nickPrefix: 'sq', targets: [app.url], spec: readSpec('spec.json') });
    assert.is(s.errors.nick_taken, 1, JSON.stringify(s.errors));
    assert.is(s.clients.peak, 3, 'client 1 got in under another name');
    assert.equal([s.messages.lost, s.messages.unexpected], [0, 0]);
  } finally {
    squatter.terminate();
    await app.stop().catch(() => undefined);
  }
});

test('Socket.IO over TLS (--tls, wss): the certificate checked against --tls-ca; a wrong one is named, not reached', async () => {
  const tmp = tempDir('sio-tls');
  const cert = makeTestCert(tmp.dir);
  if (!cert) return tmp.cleanup();
  const app = await startExampleApp('socketio-chat', ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile]);
  try {
    const spec = readSpec('spec.json');
    const s = await runLoad({ ...load, clients: 10, pm: 0, switch: 0, targets: [app.url], spec, tls: true, tlsCa: cert.cert.toString() });
    assert.equal([s.messages.lost, s.messages.unexpected, s.errorsTotal], [0, 0, 0], JSON.stringify(s.errors));
    assert.ok(s.messages.received > 100 && s.messages.received === s.messages.expected);
    assert.is(s.connect.handshakeMs.count, 10, 'one TLS + upgrade handshake per client');
    const other = makeTestCert(tmp.dir, 'other') as NonNullable<ReturnType<typeof makeTestCert>>;
    await runLoad({ ...load, clients: 2, duration: 1500, pm: 0, switch: 0, targets: [app.url], spec, tls: true, tlsCa: other.cert.toString() }).then(
      () => assert.unreachable('a certificate from another CA was accepted'),
      (err: Error) => assert.match(err.message, /cannot reach socketio:\/\/127\.0\.0\.1:\d+: WebSocket handshake failed: self-signed certificate/),
    );
  } finally {
    await app.stop().catch(() => undefined);
    tmp.cleanup();
  }
});

test.run();
