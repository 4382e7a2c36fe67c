import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, startTestHub } from '../helpers/hub.js';
import { LineClient, sleep } from '../helpers/line-client.js';
import { startTestServer, type TestServer } from '../helpers/chat-server.js';
import { parseExposition } from '../helpers/prom-text.js';

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
  const echoes = () => a.lines.slice(from).filter((l) => l.startsWith('[main] You: ')).length;
  await eventually(() => (echoes() + reasons.filter((r) => r === 'rate_limit').length === 12 ? true : undefined), 'all 12 lines answered or dropped');
  const got = a.lines.slice(from);
  assert.is(got.filter((l) => l.startsWith('[main] You: ')).length, 5);
  assert.equal(got.filter((l) => l.startsWith('!')), ['! rate limit: at most 5 lines per second; excess dropped']);
  assert.is(reasons.filter((r) => r === 'rate_limit').length, 7, 'every dropped line counted');
  wallMs += 1000;
  await a.ask('later', '[main] You: later');
});

rate('lines spread over a second and a half, one write each: --max-rate per second get through, the rest dropped', async () => {
  // Twice the limit, spread over the server's clock, each line in its own write (so in its own read): a
  // limiter that forgets its count between reads, or allows far more than the limit, lets most through.
  const a = await login('ann');
  wallMs += 1000; // a fresh one-second window
  const from = a.lines.length;
  const echoes = () => a.lines.slice(from).filter((l) => l.startsWith('[main] You: s')).length;
  const dropped = () => reasons.filter((r) => r === 'rate_limit').length;
  const n = 30; // one line every 50 ms: 20 in the first second, 10 in the next
  for (let i = 0; i < n; i++) {
    a.send(`s${i}`);
    await eventually(() => (echoes() + dropped() === i + 1 ? true : undefined), `line ${i} answered or dropped`);
    wallMs += 50;
  }
  assert.is(echoes(), 10, 'five in each of the two windows');
  assert.is(dropped(), 20, 'every dropped line counted');
  const warnings = a.lines.slice(from).filter((l) => l.startsWith('! rate limit'));
  assert.is(warnings.length, 2, 'one warning per window');
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

const restore = limited('rooms restored at the room limit', { maxRooms: 4 });

restore('rooms a limit keeps out on return are named in one line, not left out of the welcome unexplained', async () => {
  const a = await login('lim');
  await a.ask('/join s1', '* lim joined #s1');
  await a.ask('/join s2', '* lim joined #s2');
  a.send('/quit');
  await a.waitClosed();
  // Its rooms are gone with it (nobody else was in them); another user fills the server to 4 rooms.
  const b = await login('other');
  await b.ask('/join t1', '* other joined #t1');
  await b.ask('/join t2', '* other joined #t2');
  await b.ask('/join t3', '* other joined #t3');
  const again = await login('lim');
  await again.waitFor(/^! server room limit reached/);
  assert.ok(again.lines.includes('* Welcome back, lim. Rooms restored: #main; active room: #main'), again.lines.join(' | '));
  assert.ok(again.lines.includes('! server room limit reached: at most 4 rooms; not restored on your return: #s1, #s2 (join them again when there is room)'),
    again.lines.join(' | '));
  assert.ok(reasons.includes('server_room_limit'));
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

const burst = limited('a burst to fast readers', { maxRate: 0, maxQueue: 64 * 1024 });

burst('a burst of long lines within every limit reaches every reader that keeps reading; nobody is cut off', async () => {
  // Each sender's one write is 40 lines of ~1.8 KB: a turn of up to ~144 KB for every member, over
  // twice --max-queue (64 KiB here), which the readers — all reading — take at once.
  const readers = [await login('r1'), await login('r2'), await login('r3')];
  const senders = [await login('s1'), await login('s2')];
  for (const r of readers) await r.ask('/users', '* users in #main (5): r1, r2, r3, s1, s2');
  const text = 'y'.repeat(1800);
  for (const [k, s] of senders.entries()) s.socket.write(Array.from({ length: 40 }, (_, i) => `${k}.${i} ${text}\n`).join(''));
  for (const r of readers) {
    for (const [k, nick] of ['s1', 's2'].entries()) await r.waitFor(`[main] ${nick}: ${k}.39 ${text}`, 5000);
    assert.is(r.lines.filter((l) => l.startsWith('[main] s')).length, 80);
  }
  assert.equal(reasons.filter((x) => x.includes('slow')), []);
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

const tcpSlow = suite('slow TCP reader, counted');
let hub: Awaited<ReturnType<typeof startTestHub>> | undefined;
tcpSlow.after.each(async () => {
  for (const c of clients.splice(0)) c.close();
  await hub?.stop();
  hub = undefined;
});

tcpSlow('a TCP member that never reads while others flood its room: cut off as a slow consumer and counted', async () => {
  // Each turn hands the reader well under --max-queue, so only what piles up in the socket (Node's
  // buffer once the kernel's is full) can exceed it: the cut must count that backlog, not one batch.
  hub = await startTestHub({ maxRate: 0, maxQueue: 64 * 1024 });
  const port = hub.chatPort;
  const sloth = await LineClient.login(port, 'sloth');
  clients.push(sloth);
  sloth.socket.pause();
  const flooders = await Promise.all(['f1', 'f2'].map((n) => LineClient.login(port, n)));
  clients.push(...flooders);
  const disconnects: string[] = [];
  hub.hub.events.on('disconnect', (e) => disconnects.push(e.reason));
  const text = 'x'.repeat(1000);
  const rounds = 2000;
  // 8 lines of ~1 KB per write, the next write only after its echo: ~16 KB a turn, a quarter of the limit.
  for (let round = 0; round < rounds && !disconnects.includes('slow_consumer'); round++) {
    await Promise.all(flooders.map((f, k) =>
      f.ask(Array.from({ length: 8 }, (_, i) => `${round} ${k} ${i} ${text}`).join('\n'), `[main] You: ${round} ${k} 7 ${text}`, 10_000)));
  }
  assert.ok(disconnects.includes('slow_consumer'), `no slow-consumer cut after ${rounds * 16} KB: ${disconnects.join(',')}`);
  sloth.socket.resume();
  await sloth.waitClosed(10_000);
  // Told why, after what the server had already handed its socket: the last line names the limit.
  assert.is(sloth.lines.at(-1), '! reading too slowly: over 64KiB of output waiting (slow consumer, --max-queue); what did not fit was dropped; closing the connection');
  const slowCuts = async () => parseExposition(await (await fetch(`${hub?.httpUrl}/metrics`)).text()).value('chat_slow_consumer_disconnects_total');
  await eventually(async () => ((await slowCuts()) === 1 ? true : undefined), 'chat_slow_consumer_disconnects_total 1');
  await flooders[0]?.ask('still here', '[main] You: still here'); // the others keep chatting
});

lines.run();
announce.run();
rate.run();
tcpSlow.run();
burst.run();
restore.run();
rooms.run();
slow.run();
