import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketServer } from 'ws';
import { LoadOptionsError, parseTarget, resolveLoadOptions, runLoad } from '../../loadgen/index.js';
import { wsCloseKind } from '../../loadgen/ws-link.js';
import { runCli } from '../helpers/cli.js';
import { startTestHub } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp.js';

test('ws:// and wss:// targets: chatpulse over a WebSocket, path kept, /chat/ws when none, 80/443 by default', () => {
  assert.equal(parseTarget('ws://127.0.0.1:8080/chat/ws', 'chatpulse'), { protocol: 'chatpulse', transport: 'ws', host: '127.0.0.1', port: 8080, path: '/chat/ws', namespace: '', params: {} });
  assert.equal(parseTarget('wss://chat.example/x/y', 'chatpulse'), { protocol: 'chatpulse', transport: 'wss', host: 'chat.example', port: 443, path: '/x/y', namespace: '', params: {} });
  assert.equal(parseTarget('ws://[::1]:9', 'chatpulse'), { protocol: 'chatpulse', transport: 'ws', host: '::1', port: 9, path: '/chat/ws', namespace: '', params: {} });
  assert.equal(parseTarget('ws://h/', 'chatpulse'), { protocol: 'chatpulse', transport: 'ws', host: 'h', port: 80, path: '/', namespace: '', params: {} });
  assert.equal(parseTarget('chatpulse://h:1', 'chatpulse'), { protocol: 'chatpulse', transport: 'tcp', host: 'h', port: 1, path: '', namespace: '', params: {} });
  const o = resolveLoadOptions({ targets: ['ws://[::1]:9', 'chatpulse://h:1'] });
  assert.equal(o.targets, ['ws://[::1]:9/chat/ws', 'chatpulse://h:1'], 'canonical, transports may mix in one protocol');
  assert.equal(resolveLoadOptions({ targets: ['wss://h:1/p'], tlsInsecure: true }).targets, ['wss://h:1/p'], '--tls-insecure goes with wss');
});

test('ws targets refused with one line naming the problem', () => {
  for (const [fn, re] of [
    [() => parseTarget('ws://h:1/x', 'irc'), /target 'ws:\/\/h:1\/x' carries chatpulse lines, not irc/],
    [() => parseTarget('ws://h:1/x?a=1', 'chatpulse'), /has a query/],
    [() => parseTarget('ws://h:99999/x', 'chatpulse'), /is not HOST:PORT|port outside/],
    [() => parseTarget('chatpulse://h:1/x', 'chatpulse'), /has more than a host and port/],
    [() => resolveLoadOptions({ targets: ['ws://h:1/x', 'irc://h:2'] }), /targets must all speak one protocol, got chatpulse and irc/],
    [() => resolveLoadOptions({ targets: ['ws://h:1/x'], tls: true }), /tls must be left off with ws:\/\/ or wss:\/\/ targets/],
    [() => resolveLoadOptions({ targets: ['ws://h:1/x'], tlsInsecure: true }), /tlsInsecure must be used with tls or a wss:\/\/ target/],
  ] as [() => unknown, RegExp][]) {
    try {
      fn();
      assert.unreachable(`accepted: ${re}`);
    } catch (err) {
      assert.instance(err, LoadOptionsError);
      assert.match((err as Error).message, re);
    }
  }
});

test("loadgen over the hub's /chat/ws: every delivery the server wrote arrives, lost 0, unexpected 0", async () => {
  const h = await startTestHub();
  let deliveries = 0;
  let pms = 0;
  let messages = 0;
  h.hub.events.on('message', (e) => { messages++; deliveries += e.deliveries; });
  h.hub.events.on('pm', () => pms++);
  try {
    const wsUrl = h.httpUrl.replace('http:', 'ws:');
    const s = await runLoad({ targets: [`${wsUrl}/chat/ws`], clients: 40, rooms: 3, rate: 4, duration: 2500, ramp: 300, pm: 0.1, switch: 0.1, users: 0.05, workers: 1, interval: 500, lossTimeout: 1000, seed: 5 });
    const m = s.messages;
    assert.is(s.target, `${wsUrl}/chat/ws`);
    assert.ok(m.expected > 500, `enough deliveries (${m.expected})`);
    assert.equal([m.lost, m.unexpected, m.ambiguous, m.duplicated], [0, 0, 0, 0], JSON.stringify(m));
    assert.is(m.received, m.expected);
    assert.is(m.sent, messages + pms, 'sent = what the server handled');
    assert.is(m.received, deliveries + pms, 'received = what the server wrote');
    assert.ok(m.pm > 0 && s.commands.join.count > 40, 'PMs sent and rooms switched');
    assert.is(s.latency.corrected.count, m.received);
    assert.is(s.latency.uncorrected.count, m.received);
    assert.ok(s.connect.connectMs.count === 40 && s.connect.handshakeMs.count === 40, 'TCP connect and the upgrade timed apart');
    assert.is(s.errorsTotal - (s.errors.no_such_user ?? 0), 0, JSON.stringify(s.errors));
  } finally {
    await h.stop();
  }
});

test('a closed ws port: exit 1, one line naming the URL and why', async () => {
  const p = runCli(['loadgen', '--target', 'ws://127.0.0.1:1/x', '--clients', '2', '--duration', '1s', '--workers', '1']);
  const { code } = await p.exited(20_000);
  assert.is(code, 1, p.stderr());
  assert.match(p.stderr(), /^chatpulse loadgen: cannot reach ws:\/\/127\.0\.0\.1:1\/x: connection refused \(no client connected/m);
  assert.is(p.stderr().trim().split('\n').length, 1, p.stderr());
});

test('compare one server over TCP and over its /chat/ws in one command: a row for each', async () => {
  const h = await startTestHub();
  const tmp = tempDir();
  try {
    const p = runCli([
      'compare', '--target', `tcp=chatpulse://127.0.0.1:${h.chatPort}`, '--target', `ws=${h.httpUrl.replace('http:', 'ws:')}/chat/ws`,
      '--clients', '16', '--rooms', '2', '--rate', '2', '--duration', '2s', '--ramp', '300ms', '--pm', '0.1', '--switch', '0.05',
      '--workers', '1', '--loss-timeout', '1000ms', '--pause', '100ms', '--seed', '7', '--results-dir', tmp.dir,
    ]);
    const { code } = await p.exited(40_000);
    assert.is(code, 0, p.stderr());
    const dir = /results written to (.*compare-[\dT-]+Z)/.exec(p.stderr())?.[1] as string;
    assert.ok(dir, p.stderr());
    const rows = parse(fs.readFileSync(`${dir}/compare.csv`, 'utf8').slice(1), { columns: true }) as Record<string, string>[];
    assert.equal(rows.map((r) => r.target), ['tcp', 'ws']);
    for (const r of rows) {
      assert.ok(Number(r.sent) > 0 && Number(r.received) > 0, JSON.stringify(r));
      assert.is(r.lost, '0', JSON.stringify(r));
    }
    const json = JSON.parse(fs.readFileSync(`${dir}/compare.json`, 'utf8')) as { targets: { url: string }[] };
    assert.equal(json.targets.map((t) => t.url), [`chatpulse://127.0.0.1:${h.chatPort}`, `${h.httpUrl.replace('http:', 'ws:')}/chat/ws`]);
  } finally {
    tmp.cleanup();
    await h.stop();
  }
});

test('WebSocket close codes as disconnect kinds; a normal close and the codes ws makes up locally name none', () => {
  const got = Object.fromEntries([1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4321].map((c) => [c, wsCloseKind(c)]));
  assert.equal(got, {
    1000: '', 1001: 'server_going_away', 1002: 'ws_protocol_error', 1003: 'ws_unsupported_data', 1005: '', 1006: '',
    1007: 'ws_invalid_data', 1008: 'ws_policy_violation', 1009: 'ws_message_too_big', 1010: 'ws_close_1010',
    1011: 'ws_server_error', 1012: 'ws_service_restart', 1013: 'ws_try_again_later', 1014: 'ws_close_1014',
    3000: 'ws_close_3000', 4321: 'ws_close_4321',
  });
});

/** A ws server on port 0 that greets, logs each client in as the chatpulse server would, then closes with `code`. */
async function closingServer(code: number): Promise<{ url: string; logins: () => number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  let logins = 0;
  wss.on('connection', (ws) => {
    ws.send('* Welcome to chatpulse. Choose a nickname with /nick NAME');
    ws.on('message', (data: Buffer) => {
      const line = data.toString();
      if (!line.startsWith('/nick ')) return;
      logins++;
      ws.send(`* Welcome, ${line.slice(6)}. You are in #main. Type /help for the commands.`);
      ws.close(code, 'test');
    });
  });
  await new Promise<void>((r) => wss.once('listening', r));
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/chat/ws`,
    logins: () => logins,
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => r());
    }),
  };
}

test('a server closing with 1008 after the login: the run counts ws_policy_violation; with 1000 and no goodbye, connection_closed as before', async () => {
  for (const [code, kind, not] of [[1008, 'ws_policy_violation', 'connection_closed'], [1000, 'connection_closed', 'ws_policy_violation']] as const) {
    const srv = await closingServer(code);
    try {
      const s = await runLoad({ targets: [srv.url], clients: 2, rooms: 1, rate: 2, duration: 1000, ramp: 0, workers: 1, interval: 250, lossTimeout: 500, seed: 1 });
      assert.ok(srv.logins() >= 2, `every client logged in (${srv.logins()})`);
      assert.ok((s.errors[kind] ?? 0) >= 2, `${code}: ${JSON.stringify(s.errors)}`);
      assert.is(s.errors[not], undefined, `${code}: ${JSON.stringify(s.errors)}`);
    } finally {
      await srv.close();
    }
  }
});

test.run();
