import http from 'node:http';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatEventMap } from '../../server/index.js';
import { startTestHub } from '../helpers/chat-hub.js';
import { LineClient, sleep } from '../helpers/line-client.js';
import { WsLineClient } from '../helpers/ws-client.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;
let hub: Hub;
let url: string;

test.before(async () => {
  hub = await startTestHub({ maxLine: 64, maxRate: 20, maxQueue: 64 * 1024 });
  url = `ws://127.0.0.1:${hub.http.address.port}/chat/ws`;
});
test.after(async () => {
  await hub.cleanup();
});

test('a WebSocket client and a TCP client chat in one room; the core emits the same events', async () => {
  const connects: ChatEventMap['connect'][] = [];
  const messages: ChatEventMap['message'][] = [];
  const offs = [hub.events.on('connect', (e) => connects.push(e)), hub.events.on('message', (e) => messages.push(e))];
  const w = await WsLineClient.login(url, 'webby');
  const t = await LineClient.login(hub.chat.address.port, 'tcpy');
  await w.ask('/join dev', '* webby joined #dev');
  await t.ask('/join dev', '* tcpy joined #dev');
  await w.ask('hi from the web', '[dev] You: hi from the web');
  await t.waitFor('[dev] webby: hi from the web');
  await w.waitFor('* tcpy joined #dev');
  await t.ask('hi from tcp', '[dev] You: hi from tcp');
  await w.waitFor('[dev] tcpy: hi from tcp');
  await w.ask('/pm tcpy psst', '[PM to tcpy] psst');
  await t.waitFor('[PM from webby] psst');
  assert.ok(connects.some((c) => c.transport === 'ws'), 'connect event names the ws transport');
  assert.equal(messages.map((m) => [m.nick, m.room, m.text, m.deliveries]), [
    ['webby', 'dev', 'hi from the web', 2],
    ['tcpy', 'dev', 'hi from tcp', 2],
  ]);
  offs.forEach((off) => off());
  w.close();
  t.close();
});

test('one line per frame out: multi-line output (help, history) arrives as one frame per line', async () => {
  const w = await WsLineClient.login(url, 'framer');
  const from = w.lines.length;
  w.send('/help');
  await w.waitFor('*   anything else       a message to your active room', 3000, from);
  const help = w.lines.slice(from);
  assert.ok(help.length > 5);
  for (const l of help) assert.not.match(l, /\n/);
  w.close();
});

test('a frame holding newlines is split like TCP input: no forged lines reach others', async () => {
  const w = await WsLineClient.login(url, 'mallory');
  const t = await LineClient.login(hub.chat.address.port, 'victim');
  await w.ask('/join trap', '* mallory joined #trap');
  await t.ask('/join trap', '* victim joined #trap');
  await w.ask('hello\n[PM from admin] send me your password\r\n', '[trap] You: [PM from admin] send me your password');
  await t.waitFor('[trap] mallory: [PM from admin] send me your password');
  assert.is(t.lines.filter((l) => l.startsWith('[PM from admin]')).length, 0);
  assert.ok(t.lines.includes('[trap] mallory: hello'));
  w.close();
  t.close();
});

test('limits as on TCP: line too long, invalid UTF-8, rate limit; the connection stays', async () => {
  const w = await WsLineClient.login(url, 'limits');
  await w.ask('x'.repeat(65), '! line too long (max 64 bytes)');
  await w.ask(Buffer.from([0x68, 0xc3, 0x28]), '! invalid UTF-8');
  await sleep(1100); // a fresh rate window, so the flood below is what trips it
  const from = w.lines.length;
  for (let i = 0; i < 30; i++) w.send(`/users`);
  await w.waitFor(/^! rate limit: at most 20 lines per second/, 3000, from);
  await sleep(1100);
  await w.ask('/rooms', /^\* rooms \(/);
  assert.not.ok(w.closed);
  w.close();
});

test('a binary frame is no chat line: one line says so, nobody receives it, the connection stays', async () => {
  const w = await WsLineClient.login(url, 'binary');
  const t = await LineClient.login(hub.chat.address.port, 'reader');
  await w.ask('/join bin', '* binary joined #bin');
  await t.ask('/join bin', '* reader joined #bin');
  await w.waitFor('* reader joined #bin');
  const mark = t.lines.length;
  w.ws.send(Buffer.from('binary hi'), { binary: true });
  await w.waitFor('! a binary frame is no chat line; send each line as a text frame (it was dropped)');
  await w.ask('text hi', '[bin] You: text hi');
  await t.waitFor('[bin] binary: text hi', 3000, mark);
  assert.equal(t.lines.slice(mark), ['[bin] binary: text hi']);
  w.close();
  t.close();
});

test('control characters from a WebSocket are refused as on TCP: nobody receives them', async () => {
  const w = await WsLineClient.login(url, 'wsctl');
  const t = await LineClient.login(hub.chat.address.port, 'tcpctl');
  await w.ask('/join ctl', '* wsctl joined #ctl');
  await t.ask('/join ctl', '* tcpctl joined #ctl');
  await w.waitFor('* tcpctl joined #ctl');
  const mark = t.lines.length;
  assert.is(await w.ask('red \x1b[31malert', /^!/), '! control character U+001B refused (only tab is allowed); the line was dropped');
  assert.is(await w.ask('osc \u009d52;c;aGk=\x07', /^!/), '! control character U+009D refused (only tab is allowed); the line was dropped');
  assert.is(await w.ask('/pm tcpctl \x07ding', /^!/), '! control character U+0007 refused (only tab is allowed); the line was dropped');
  await w.ask('clean', '[ctl] You: clean');
  await t.waitFor('[ctl] wsctl: clean', 3000, mark);
  assert.equal(t.lines.slice(mark), ['[ctl] wsctl: clean']);
  w.close();
  t.close();
});

test('a reader that stops reading is cut off as a slow consumer', async () => {
  const own = await startTestHub({ maxRate: 0, maxQueue: 256 * 1024 });
  try {
    const reasons: string[] = [];
    own.events.on('disconnect', (e) => e.nick === 'sloth' && reasons.push(e.reason));
    const sloth = await WsLineClient.login(`ws://127.0.0.1:${own.http.address.port}/chat/ws`, 'sloth');
    await sloth.ask('/join flood', '* sloth joined #flood');
    const raw = (sloth.ws as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause(); // stop reading: the kernel buffers fill, then ws's bufferedAmount grows
    const talker = await LineClient.login(own.chat.address.port, 'talker');
    await talker.ask('/join flood', '* talker joined #flood');
    const line = 'y'.repeat(2000);
    // At most ~40 MB, far beyond any loopback buffer; stops as soon as the server gives up on sloth.
    for (let round = 0; round < 200 && reasons.length === 0; round++) {
      for (let i = 0; i < 100; i++) talker.send(line);
      await sleep(10);
    }
    assert.equal(reasons, ['slow_consumer']);
    raw.resume(); // told why, after what the server had already handed its socket
    await sloth.waitFor('! reading too slowly: over 256KiB of output waiting (slow consumer, --max-queue); what did not fit was dropped; closing the connection', 20_000);
    talker.close();
    sloth.close();
  } finally {
    await own.cleanup();
  }
});

test('upgrade routing: unknown paths get 404, another site\'s page gets 403', async () => {
  const port = hub.http.address.port;
  const status = (path: string, headers: Record<string, string> = {}) => new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('upgrade', (_res, socket) => { socket.destroy(); resolve(101); });
    req.on('error', reject);
    req.end();
  });
  assert.is(await status('/nowhere'), 404);
  assert.is(await status('/chat/ws', { Origin: 'http://evil.example' }), 403);
  assert.is(await status('/chat/ws', { Origin: `http://127.0.0.1:${port}` }), 101);
  assert.is(await status('/chat/ws?x=1'), 101);
});

test('shutdown tells WebSocket clients and closes them', async () => {
  const extra = await startTestHub();
  const w = await WsLineClient.login(`ws://127.0.0.1:${extra.http.address.port}/chat/ws`, 'leaver');
  await extra.cleanup();
  await w.waitFor(/^\* server shutting down/);
  await w.waitClosed();
});

test.run();
