import net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ClientSocket } from '../../loadgen/client-socket.js';
import { ConnectAttempt } from '../../loadgen/connect-attempt.js';

/** A loopback server on port 0 that hands each accepted socket to the test, closed after each test. */
let server: net.Server;
let port = 0;
let accepted: net.Socket[] = [];
/** Every accepted socket, handed out or not: destroyed after each test, so that a failed one cannot keep the server open. */
let all: net.Socket[] = [];
let waiting: ((s: net.Socket) => void) | undefined;

const t = suite('ClientSocket');
t.before.each(async () => {
  accepted = [];
  all = [];
  server = net.createServer((s) => {
    accepted.push(s);
    all.push(s);
    waiting?.(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
t.after.each(async () => {
  for (const s of all) s.destroy();
  await new Promise((r) => server.close(r));
});

function peer(): Promise<net.Socket> {
  const s = accepted.shift();
  return s ? Promise.resolve(s) : new Promise((r) => (waiting = (x) => ((waiting = undefined), accepted.shift(), r(x))));
}

/** A ClientSocket whose handlers log what happens; `closed` resolves with (wasOpen, fault). */
function client() {
  const log: string[] = [];
  const data: string[] = [];
  let closed!: (v: [boolean, string]) => void;
  const done = new Promise<[boolean, string]>((r) => (closed = r));
  let opened!: () => void;
  const open = new Promise<void>((r) => (opened = r));
  const rec = { recordValue: () => {} };
  const sock = new ClientSocket({
    opened: () => (log.push('opened'), opened()),
    data: (chunk) => void data.push(chunk.toString()),
    line: (l) => void data.push(`${l.toString()}\n`),
    drained: () => void log.push('drained'),
    closed: (wasOpen, fault) => closed([wasOpen, fault]),
  }, new ConnectAttempt(() => Date.now(), { connect: rec, handshake: rec, firstLine: rec }));
  /** Dials; returns the socket, whose `write` calls are logged in `writes`. */
  const writes: string[] = [];
  const dial = (p = port) => {
    const socket = net.connect({ host: '127.0.0.1', port: p });
    const write = socket.write.bind(socket) as (d: string | Uint8Array) => boolean;
    socket.write = ((d: string | Uint8Array) => (writes.push(Buffer.from(d).toString()), write(d))) as typeof socket.write;
    sock.open({ socket, readyEvent: 'connect', handshake: '', framed: false }, Date.now());
    return socket;
  };
  return { sock, log, data, open, done, dial, writes };
}

/** A client dialed and open, and the server's side of its connection. */
async function connected() {
  const c = client();
  c.dial();
  await c.open;
  return { c, s: await peer() };
}

function readAll(s: net.Socket): Promise<string> {
  let text = '';
  s.on('data', (d) => (text += d));
  return new Promise((r) => s.on('end', () => r(text)));
}

t('opens, writes, reads; the server closing is a fault named connection_closed', async () => {
  const { c, s } = await connected();
  const got = new Promise<string>((r) => s.once('data', (d) => r(d.toString())));
  c.sock.write('');
  c.sock.write('hello\n');
  assert.is(await got, 'hello\n');
  s.end('welcome\n');
  assert.equal(await c.done, [true, 'connection_closed']);
  assert.equal(c.data, ['welcome\n']);
  assert.equal(c.log, ['opened']);
});

t('what the server said before closing names the fault better than the reset: its kind, else server_closed', async () => {
  const cases = [['kicked', 'bye', 'kicked'], ['', 'going down', 'server_closed'], ['', '', 'connection_reset']] as const;
  for (const [kind, text, fault] of cases) {
    const c = client();
    c.dial();
    await c.open;
    c.sock.serverClosing(kind, text);
    (await peer()).resetAndDestroy();
    assert.equal(await c.done, [true, fault]);
  }
});

t('nothing listening: connect_failed named by the socket error, never opened', async () => {
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
  const freePort = (free.address() as net.AddressInfo).port;
  await new Promise((r) => free.close(r));
  const c = client();
  c.dial(freePort);
  assert.equal(await c.done, [false, 'connect_refused']);
  assert.equal(c.log, []);
});

t('drop and close are ours: no fault; close says goodbye and ends', async () => {
  const a = client();
  a.dial();
  await a.open;
  await peer();
  a.sock.drop();
  assert.equal(await a.done, [true, '']);

  const b = client();
  b.dial();
  await b.open;
  const s = await peer();
  const heard = readAll(s);
  const closing = b.sock.close(5000, 'QUIT\n');
  assert.is(await heard, 'QUIT\n');
  s.end();
  await closing;
  assert.equal(await b.done, [true, '']);
  await b.sock.close(5000, 'again');
});

t('backpressure: backedUp once a write is refused, cleared by drain before drained runs', async () => {
  const { c, s } = await connected();
  s.pause();
  const big = 'x'.repeat(256 * 1024);
  let writes = 0;
  while (!c.sock.backedUp && writes < 1000) {
    c.sock.write(big);
    writes++;
  }
  assert.ok(c.sock.backedUp, `never backed up after ${writes} writes`);
  const drained = new Promise<boolean>((r) => {
    const h = setInterval(() => {
      if (c.log.includes('drained')) {
        clearInterval(h);
        r(c.sock.backedUp);
      }
    }, 5);
  });
  s.resume();
  assert.is(await drained, false);
  c.sock.drop();
  await c.done;
});

t('held: text writes go out as one, bytes keep their place, a goodbye comes after what was held', async () => {
  const { c, s } = await connected();
  const got = readAll(s);
  c.sock.hold();
  c.sock.write('a\n');
  c.sock.write('b\n');
  c.sock.write(Buffer.from('X\n'));
  c.sock.write('c\n');
  assert.equal(c.writes, ['a\nb\n', 'X\n'], 'the text before the bytes, joined, then the bytes');
  c.sock.release();
  c.sock.write('d\n');
  assert.equal(c.writes, ['a\nb\n', 'X\n', 'c\n', 'd\n'], 'released: the rest, then writes go straight out again');
  c.sock.hold();
  c.sock.write('e\n');
  const closed = c.sock.close(500, 'bye\n');
  assert.is(await got, 'a\nb\nX\nc\nd\ne\nbye\n');
  await closed;
});

t('held: a drop writes what was held first; a socketful is written at once, so a full socket shows', async () => {
  const { c, s } = await connected();
  const got = readAll(s);
  c.sock.hold();
  c.sock.write('before the drop\n');
  c.sock.drop();
  assert.is(await got, 'before the drop\n', 'written before the connection was cut, as unheld');
  await c.done;

  const { c: d, s: t2 } = await connected();
  t2.pause();
  d.sock.hold();
  const chunk = 'y'.repeat(4096);
  let writes = 0;
  while (!d.sock.backedUp && writes < 20_000) {
    d.sock.write(chunk);
    writes++;
  }
  assert.ok(d.sock.backedUp, `held writes never showed the full socket after ${writes} writes`);
  d.sock.drop();
  await d.done;
});

t('held text does not outlive its connection: a new one does not get it', async () => {
  const { c, s: first } = await connected();
  const gotFirst = readAll(first);
  c.sock.hold();
  c.sock.write('for the first connection\n');
  const old = c.writes.length;
  c.dial();
  const second = await peer();
  const gotSecond = readAll(second);
  await new Promise((r) => setTimeout(r, 50));
  c.sock.write('fresh\n');
  c.sock.release();
  assert.equal(c.writes.slice(old), ['fresh\n']);
  await c.sock.close(500, '');
  first.end();
  assert.is(await gotSecond, 'fresh\n');
  assert.is(await gotFirst, '');
});

t.run();
