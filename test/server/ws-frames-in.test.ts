/**
 * What the server reads from a `/chat/ws` client, frame by frame off the raw socket: whole masked text
 * frames are read by the server itself (protocol/ws-frame-reader.ts); pings, fragments, close and every
 * frame ws must refuse still go to ws, in order. A raw client writes the frames by hand here (RFC 6455
 * §5.2–5.3), a TCP member of the room shows what was fanned out.
 */
import http from 'node:http';
import type net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebSocket, WebSocketServer } from 'ws';
import { upgrade } from '../../bench/ws-client.js';
import { createChatWebSocketServer } from '../../server/index.js';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';
import { LineClient, sleep } from '../helpers/line-client.js';

const MAX_LINE = 64;
let srv: TestServer;
let web: http.Server;
let wss: WebSocketServer;
let webPort = 0;
/** The server side of each upgraded socket, and its ws, in order. */
const serverSockets: net.Socket[] = [];
const serverWs: WebSocket[] = [];

test.before(async () => {
  srv = await startTestServer({ maxLine: MAX_LINE, maxRate: 0 });
  wss = createChatWebSocketServer(srv.server);
  wss.on('connection', (ws, req: http.IncomingMessage) => {
    serverSockets.push(req.socket as net.Socket);
    serverWs.push(ws);
  });
  web = http.createServer((_req, res) => res.writeHead(426).end());
  web.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webPort = (web.address() as net.AddressInfo).port;
});
test.after(async () => {
  web.closeAllConnections();
  web.close();
  await srv.stop();
});

/** A client frame: FIN and RSV bits in `b0` with the opcode, the payload masked with `key` (none: unmasked). */
function frame(b0: number, payload: string | Buffer, key: number[] | null = [0x37, 0x0a, 0xc4, 0x5d]): Buffer {
  const body = Buffer.from(payload);
  const n = body.length;
  const maskBit = key ? 0x80 : 0;
  const head = n < 126 ? [b0, maskBit | n] : n < 65536 ? [b0, maskBit | 126, n >> 8, n & 255] : [b0, maskBit | 127, 0, 0, 0, 0, n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255];
  if (key) for (let i = 0; i < n; i++) body[i] = (body[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([Buffer.from(head), Buffer.from(key ?? []), body]);
}
const text = (s: string, key?: number[] | null) => frame(0x81, s, key);

/** A raw client past the upgrade: the server's frames as [opcode, payload] as they come. */
class RawClient {
  readonly frames: Array<[number, Buffer]> = [];
  #buf = Buffer.alloc(0);
  written = 0;
  constructor(readonly socket: net.Socket, rest: Buffer) {
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', () => {});
    this.#read(rest);
  }

  static async open(): Promise<RawClient> {
    const up = await upgrade(webPort, '/chat/ws');
    return new RawClient(up.socket, up.rest);
  }

  #read(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    for (;;) {
      const b = this.#buf;
      if (b.length < 2) return;
      const len7 = (b[1] as number) & 0x7f;
      const head = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      const n = len7 === 126 ? b.readUInt16BE(2) : len7 === 127 ? b.readUInt32BE(6) : len7;
      if (b.length < head + n) return;
      this.frames.push([(b[0] as number) & 0x0f, b.subarray(head, head + n)]);
      this.#buf = b.subarray(head + n);
    }
  }

  write(bytes: Buffer): void {
    this.written += bytes.length;
    this.socket.write(bytes);
  }

  texts(): string[] {
    return this.frames.filter(([op]) => op === 1).map(([, p]) => p.toString('utf8'));
  }

  async waitFor(what: (f: [number, Buffer]) => boolean, ms = 5000): Promise<[number, Buffer]> {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) {
      const f = this.frames.find(what);
      if (f) return f;
    }
    throw new Error(`no such frame; got ${JSON.stringify(this.frames.map(([op, p]) => [op, p.toString()]))}`);
  }

  /** The close code of the server's close frame. */
  async closeCode(): Promise<number> {
    const [, p] = await this.waitFor(([op]) => op === 8);
    return p.readUInt16BE(0);
  }

  async login(nick: string, room: string): Promise<void> {
    this.write(text(`/nick ${nick}`));
    this.write(text(`/join ${room}`));
    await this.waitFor(([op, p]) => op === 1 && p.toString() === `* ${nick} joined #${room}`);
  }
}

async function member(nick: string, room: string): Promise<LineClient> {
  const c = await LineClient.login(srv.port, nick);
  await c.ask(`/join ${room}`, `* ${nick} joined #${room}`);
  return c;
}

test('the server reads whole text frames off the socket itself (ws\'s own data listener is gone)', async () => {
  const raw = await RawClient.open();
  await raw.login('lister', 'lst');
  const names = (serverSockets.at(-1) as net.Socket).listeners('data').map((f) => f.name);
  assert.not.ok(names.includes('socketOnData'), `ws still reads the socket: ${names.join(', ')}`);
  assert.equal(names.length, 1);
  raw.socket.destroy();
});

test('frames in any split: every line reaches the room whole and in order, a ping is answered, a fragmented message is one line', async () => {
  const watcher = await member('watcher', 'in');
  const raw = await RawClient.open();
  await raw.login('rawa', 'in');
  const stream = Buffer.concat([
    text('one'),
    frame(0x89, 'ping?'),
    text('two\r\n'), // a trailing CR LF is allowed
    frame(0x01, 'fr'), // a fragmented message: ws puts it together
    frame(0x89, 'mid'), // a ping between fragments is allowed
    frame(0x80, 'ag'),
    text('x'.repeat(MAX_LINE)), // the longest line allowed
    text('y'.repeat(200)), // a 16-bit length, too long a line: refused, the connection stays
    text('line\nforged'), // split as TCP input is: two lines, nobody gets a forged one
    text('', [0, 0, 0, 0]),
    text('último'),
  ]);
  const expected = ['one', 'two', 'frag', 'x'.repeat(MAX_LINE), 'line', 'forged', 'último'].map((t) => `[in] rawa: ${t}`);
  const splits = [[], [1, 7, 8, 20, 33, 70], Array.from({ length: stream.length - 1 }, (_, i) => i + 1)];
  for (const cuts of splits) {
    let at = 0;
    for (const cut of cuts) {
      raw.write(stream.subarray(at, cut));
      at = cut;
      if (cuts.length > 1) await sleep(1); // each part its own read
    }
    raw.write(stream.subarray(at));
    raw.write(text('end'));
    await watcher.waitFor('[in] rawa: end');
    const got = watcher.lines.filter((l) => l.startsWith('[in] rawa: '));
    assert.equal(got, [...expected, '[in] rawa: end'], `cut at ${cuts.join(',')}`);
    watcher.lines.length = 0;
  }
  assert.equal(raw.frames.filter(([op, p]) => op === 10 && p.toString() === 'ping?').length, 3);
  assert.equal(raw.frames.filter(([op, p]) => op === 10 && p.toString() === 'mid').length, 3);
  assert.equal(raw.texts().filter((t) => t.startsWith('! line too long')).length, 3);
  raw.socket.destroy();
  watcher.close();
});

test('bytes in: everything a client wrote after the upgrade, frame headers included, once', async () => {
  let bytesIn = 0;
  const off = srv.events.on('flush', (e) => (bytesIn += e.bytesIn));
  try {
    const watcher = await member('counter', 'cnt');
    const raw = await RawClient.open();
    await raw.login('rawc', 'cnt');
    raw.write(Buffer.concat([text('a'.repeat(10)), frame(0x01, 'fr'), frame(0x80, 'ag'), text('b'.repeat(300))]));
    raw.write(text('done'));
    await watcher.waitFor('[cnt] rawc: done');
    await sleep(50);
    // The watcher's own two lines over TCP: '/nick counter\n' and '/join cnt\n'.
    assert.equal(bytesIn, raw.written + '/nick counter\n/join cnt\n'.length);
    raw.socket.destroy();
    watcher.close();
  } finally {
    off();
  }
});

test('a client that vanishes while the server holds part of its frame and is not reading: a plain close, nothing delivered', async () => {
  const watcher = await member('closer', 'vanish');
  const raw = await RawClient.open();
  await raw.login('rawv', 'vanish');
  const ws = serverWs.at(-1) as WebSocket;
  const reasons: string[] = [];
  const off = srv.events.on('disconnect', (e) => e.nick === 'rawv' && reasons.push(e.reason));
  try {
    // The rest of this frame, read from its middle, starts with 'A' (0x41: RSV1 set, which ws refuses
    // as an error) and holds what looks like a ping and a text frame to a parser.
    const inner = Buffer.concat([Buffer.from([0x89, 0x80, 0, 0, 0, 0, 0x81, 0x86, 0, 0, 0, 0]), Buffer.from('smuggl')]);
    const big = text(`${'A'.repeat(40)}${inner.toString('latin1')}`, [0, 0, 0, 0]);
    raw.write(big.subarray(0, 30)); // header, key and 24 bytes: held by the server
    await sleep(100);
    ws.pause(); // as the server does while this client's output is backed up
    raw.write(Buffer.concat([big.subarray(30), text('after')]));
    await sleep(100);
    raw.socket.resetAndDestroy();
    for (let i = 0; i < 100 && reasons.length === 0; i++) await sleep(10);
    assert.equal(reasons, ['closed']);
    await watcher.ask('/users', (l) => l.includes('closer'));
    assert.equal(watcher.lines.filter((l) => l.startsWith('[vanish] rawv:')), []);
  } finally {
    off();
    watcher.close();
  }
});

test('a whole frame over maxPayload, in any split: dropped unread and answered as a long line over TCP; the connection stays', async () => {
  const watcher = await member('sizer', 'big');
  const raw = await RawClient.open();
  await raw.login('rawbig', 'big');
  const maxPayload = MAX_LINE * 4 + 1024;
  const stream = Buffer.concat([
    text('before'),
    text('z'.repeat(maxPayload + 1)), // a 16-bit length, one byte over
    text('mid'),
    frame(0x82, Buffer.alloc(70_000, 1)), // binary, a 64-bit length
    text(`${'w'.repeat(70_000)}\nforged`), // a \n inside does not make a line of its tail
    text('after'),
  ]);
  // Whole; one byte of the big frame's header alone; cut inside its header and payload; inside the 64-bit length.
  const bigAt = text('before').length;
  const binAt = bigAt + text('z'.repeat(maxPayload + 1)).length + text('mid').length;
  const splits = [[], [bigAt + 1], [bigAt + 1, bigAt + 3, bigAt + 500, bigAt + 9000], [binAt + 2, binAt + 5, binAt + 40_000]];
  for (const cuts of splits) {
    raw.frames.length = 0;
    let at = 0;
    for (const cut of cuts) {
      raw.write(stream.subarray(at, cut));
      at = cut;
      await sleep(5); // each part its own read
    }
    raw.write(stream.subarray(at));
    await watcher.waitFor('[big] rawbig: after');
    const got = watcher.lines.filter((l) => l.startsWith('[big] rawbig: '));
    assert.equal(got, ['before', 'mid', 'after'].map((t) => `[big] rawbig: ${t}`), `cut at ${cuts.join(',')}`);
    watcher.lines.length = 0;
    const refusals = raw.texts().filter((t) => t.startsWith('! '));
    assert.equal(refusals.length, 3, refusals.join(' | '));
    assert.ok(refusals[0]?.startsWith(`! line too long (max ${MAX_LINE} bytes)`), refusals[0]);
    assert.ok(refusals[1]?.includes('binary'), refusals[1]);
    assert.ok(refusals[2]?.startsWith('! line too long'), refusals[2]);
  }
  assert.not.ok(raw.frames.some(([op]) => op === 8), 'the server closed the connection');
  raw.socket.destroy();
  watcher.close();
});

let hostileRun = 0;
for (const [name, bad, code] of [
  ['an unmasked frame', text('unmasked', null), 1002],
  ['a frame with RSV1 set (no extension agreed)', frame(0xc1, 'compressed?'), 1002],
  ['a text frame inside a fragmented message', Buffer.concat([frame(0x01, 'part'), text('inside')]), 1002],
  ['a fragmented message over maxPayload', Buffer.concat([frame(0x01, 'z'.repeat(MAX_LINE * 16)), frame(0x80, 'z'.repeat(MAX_LINE * 16))]), 1009],
  ['a close frame', frame(0x88, Buffer.from([0x03, 0xe8])), 1000],
  ['/quit (the server closes)', text('/quit'), 1000],
] as const) {
  test(`${name}: ws answers with close ${code}; nothing of it or after it reaches the room; the server keeps serving`, async () => {
    // Fresh nicks each time: a nick that just left is held for its owner a while.
    const k = ++hostileRun;
    const watcher = await member(`guard${k}`, 'hostile');
    const raw = await RawClient.open();
    await raw.login(`rawh${k}`, 'hostile');
    raw.write(Buffer.concat([text('before'), bad, text('after')]));
    assert.is(await raw.closeCode(), code);
    await watcher.waitFor(`[hostile] rawh${k}: before`);
    const next = await RawClient.open();
    await next.login(`rawn${k}`, 'hostile');
    next.write(text('still serving'));
    await watcher.waitFor(`[hostile] rawn${k}: still serving`);
    assert.equal(watcher.lines.filter((l) => l.startsWith(`[hostile] rawh${k}:`)), [`[hostile] rawh${k}: before`]);
    raw.socket.destroy();
    next.socket.destroy();
    watcher.close();
    await sleep(20);
  });
}

test.run();
