import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LineClient, sleep } from '../helpers/line-client.js';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';

let srv: TestServer;
const clients: LineClient[] = [];
const reasons: string[] = [];

function limited(name: string, opts: Parameters<typeof startTestServer>[0]) {
  const s = suite(name);
  s.before.each(async () => {
    srv = await startTestServer(opts);
    reasons.length = 0;
    srv.events.on('error', (e) => reasons.push(e.reason));
    srv.events.on('disconnect', (e) => reasons.push(`disconnect:${e.reason}`));
  });
  s.after.each(async () => {
    for (const c of clients.splice(0)) c.close();
    await srv.stop();
  });
  return s;
}

async function login(nick: string) {
  const c = await LineClient.login(srv.port, nick);
  clients.push(c);
  return c;
}

const lines = limited('line limits', {});

lines('a line over 4096 bytes is refused and the connection kept', async () => {
  const a = await login('ann');
  assert.is(await a.ask('x'.repeat(5000), /^!/), '! line too long (max 4096 bytes)');
  await a.ask('short', '[main] You: short');
  const exact = 'é'.repeat(2048); // 4096 bytes exactly
  await a.ask(exact, `[main] You: ${exact}`);
  assert.equal(reasons, ['line_too_long']);
});

lines('invalid UTF-8 is refused with one line; characters split across writes are fine', async () => {
  const a = await login('ann');
  const from = a.lines.length;
  a.socket.write(Buffer.from([0x68, 0xff, 0xfe, 0x0a]));
  assert.is(await a.waitFor(/^!/, 3000, from), '! invalid UTF-8');
  const word = Buffer.from('добро-пожаловать\n');
  for (let i = 0; i < word.length; i++) {
    a.socket.write(word.subarray(i, i + 1));
    await sleep(1);
  }
  await a.waitFor('[main] You: добро-пожаловать');
  // A bad line among good ones in one read: only it is refused, its neighbours go through.
  const mark = a.lines.length;
  a.socket.write(Buffer.concat([Buffer.from('one\ntwo\n'), Buffer.from([0x62, 0xc3, 0x28, 0x0a]), Buffer.from('three\nfour\n')]));
  await a.waitFor('[main] You: four', 3000, mark);
  assert.equal(a.lines.slice(mark), ['[main] You: one', '[main] You: two', '! invalid UTF-8', '[main] You: three', '[main] You: four']);
});

/** The server's wall clock: a rate window turns when the test moves it, not after a real second. */
let wallMs = 1_000_000;
const rate = limited('rate limit', { maxRate: 5, now: () => wallMs });

rate('more lines than --max-rate in a second: excess dropped, one warning, counted', async () => {
  const a = await login('ann');
  wallMs += 1000; // a fresh one-second window
  const from = a.lines.length;
  a.socket.write(Array.from({ length: 12 }, (_, i) => `m${i}`).join('\n') + '\n');
  await a.waitFor(/^! rate limit/, 3000, from);
  await sleep(200);
  const got = a.lines.slice(from);
  assert.is(got.filter((l) => l.startsWith('[main] You: ')).length, 5);
  assert.equal(got.filter((l) => l.startsWith('!')), ['! rate limit: at most 5 lines per second; excess dropped']);
  assert.is(reasons.filter((r) => r === 'rate_limit').length, 7, 'every dropped line counted');
  wallMs += 1000;
  await a.ask('later', '[main] You: later');
});

const rooms = limited('room limits', { maxRoomsPerUser: 3, maxRooms: 4 });

rooms('rooms per user and rooms in all are bounded with an error naming the limit', async () => {
  const a = await login('ann');
  await a.ask('/join r1', '* ann joined #r1');
  await a.ask('/join r2', '* ann joined #r2');
  assert.is(await a.ask('/join r3', /^!/), '! room limit reached: at most 3 rooms per user');
  const b = await login('bob');
  await b.ask('/join r3', '* bob joined #r3');
  assert.is(await b.ask('/join r4', /^!/), '! server room limit reached: at most 4 rooms');
  assert.is(await b.ask('/join r1', /^\* bob joined/), '* bob joined #r1', 'existing rooms still joinable');
  assert.is(await b.ask('/join bad/name', /^!/), "! invalid room name 'bad/name': use only letters, digits, _ - .");
});

const slow = limited('slow reader', { maxRate: 0, maxQueue: 64 * 1024 });

slow('a reader that stops reading is cut off with a reason; the others keep going', async () => {
  const other = await login('other');
  const sloth = await login('sloth');
  await other.waitFor('* sloth joined #main');
  sloth.socket.pause();
  // Each /help is ~900 bytes of output for 6 bytes of input: the server's queue for sloth grows
  // past the kernel buffers and then past --max-queue (64 KiB here).
  for (let i = 0; i < 200 && !reasons.includes('disconnect:slow_consumer'); i++) {
    sloth.socket.write('/help\n'.repeat(500));
    await sleep(5);
  }
  for (let i = 0; i < 100 && !reasons.includes('disconnect:slow_consumer'); i++) await sleep(20);
  assert.ok(reasons.includes('disconnect:slow_consumer'), `reasons: ${reasons.slice(-5).join(',')}`);
  await other.waitFor('* sloth left #main');
  await other.ask('/users', '* users in #main (1): other');
});

const announce = limited('announce limit', { announceLimit: 2 });

announce('joins are announced to everyone only while a room is small; the joiner is always told', async () => {
  const a = await login('ann');
  const b = await login('bob');
  await a.waitFor('* bob joined #main');
  const from = a.lines.length;
  const c = await login('cat');
  await c.waitFor('* cat joined #main');
  await a.ask('/users', '* users in #main (3): ann, bob, cat');
  assert.not.ok(a.lines.slice(from).includes('* cat joined #main'), 'third member not announced to others');
  c.send('/quit');
  await c.waitClosed();
  for (let i = 0; i < 50 && (await b.ask('/users', /^\* users/)) !== '* users in #main (2): ann, bob'; i++) await sleep(20);
  assert.is(await b.ask('/users', /^\* users/), '* users in #main (2): ann, bob');
  assert.not.ok(b.lines.includes('* cat left #main'));
});

lines.run();
announce.run();
rate.run();
rooms.run();
slow.run();
