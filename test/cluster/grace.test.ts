import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Redis } from 'ioredis';
import { startChatServer, type ChatServer } from '../../server/index.js';
import { killLeftovers, startServerProcess } from '../helpers/cli.js';
import { LineClient, sleep } from '../helpers/line-client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const redisBin = findTool('redis-server', 'redis-server');
const TTL = 1200;
const BACK = '* Welcome back, zed. Rooms restored: #main, #dev, #ops; active room: #dev';

let redis: RedisProcess;
let peek: Redis | undefined;
const clients: LineClient[] = [];
const dirs: { cleanup(): void }[] = [];
const servers: ChatServer[] = [];

/** `chatpulse server` in its own process, with its own results folder (so its own SQLite store). */
async function node(id: string, grace: string) {
  const tmp = tempDir();
  dirs.push(tmp);
  return startServerProcess([
    '--results-dir', tmp.dir, '--redis', redis.url, '--node-id', id, '--presence-ttl', `${TTL}ms`, '--grace', grace, '--no-metrics',
  ]);
}

async function login(port: number, nick: string) {
  const c = await LineClient.login(port, nick);
  clients.push(c);
  return c;
}

/** zed in #main, #dev and #ops, with #dev active again, on `port`. */
async function zedInRooms(port: number) {
  const z = await login(port, 'zed');
  await z.ask('/join dev', '* zed joined #dev');
  await z.ask('/join ops', '* zed joined #ops');
  await z.ask('/join dev', '* #dev is now your active room');
  return z;
}

/** Two nodes: zed in its rooms on n1, and wat in #dev on n2, who has seen zed join there. */
async function zedWatched() {
  const [n1, n2] = [await node('n1', '60s'), await node('n2', '60s')];
  const w = await login(n2.chatPort, 'wat');
  await w.ask('/join dev', '* wat joined #dev');
  const z = await zedInRooms(n1.chatPort);
  await w.waitFor('* zed joined #dev');
  return { n1, n2, w, z };
}

/** Waits for a line on a node's stderr (where its redis: lines go). */
async function logged(proc: { stderr(): string }, re: RegExp, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!re.test(proc.stderr())) {
    if (Date.now() > end) throw new Error(`no ${re} on stderr:\n${proc.stderr()}`);
    await sleep(20);
  }
}

/** Logs in as `nick` on `port` until the cluster lets it (a dead node's claim expires); the welcome line and when. */
async function loginOnceFree(port: number, nick: string, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const c = await LineClient.connect(port);
    clients.push(c);
    const answer = await c.ask(`/nick ${nick}`, (l) => l.startsWith('* Welcome,') || l.startsWith('* Welcome back') || l.startsWith('!'));
    if (!answer.startsWith('!')) return { c, answer, at: Date.now() };
    assert.is(answer, `! nickname '${nick}' is taken`);
    c.close();
    if (Date.now() > end) throw new Error(`'${nick}' still taken after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function waitValue(key: string, want: string | null, timeoutMs = 3000) {
  const r = peek as Redis;
  const end = Date.now() + timeoutMs;
  let got = await r.get(key);
  while (got !== want && Date.now() < end) {
    await sleep(20);
    got = await r.get(key);
  }
  assert.is(got, want, key);
}

const killed = needing(suite('grace records in redis'), redisBin);
killed.before.each(async () => {
  redis = await startRedis(redisBin as string);
  peek = new Redis(redis.url);
});
killed.after.each(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close(300);
  await killLeftovers();
  peek?.disconnect();
  await redis?.stop();
  for (const d of dirs.splice(0)) d.cleanup();
});

killed('kill -9 a node: its user reconnects through another node within the presence TTL, rooms and active room restored', async () => {
  const [n1, n2] = [await node('n1', '60s'), await node('n2', '60s')];
  const z = await zedInRooms(n1.chatPort);
  // Kept current while connected: a killed node never runs its disconnect path.
  await waitValue('chatpulse:grace:zed', '{"rooms":["main","dev","ops"],"active":"dev"}');
  const ttl = await (peek as Redis).pttl('chatpulse:grace:zed');
  assert.ok(ttl > 60_000 && ttl <= 60_000 + TTL, `expires grace + presence TTL after the last heartbeat: ${ttl}`);
  n1.proc.child.kill('SIGKILL');
  await n1.proc.exited();
  const killedAt = Date.now();
  z.close();
  const back = await loginOnceFree(n2.chatPort, 'zed', TTL * 4);
  assert.ok(back.at - killedAt < TTL + 1000, `the dead node's claim was released within the presence TTL: ${back.at - killedAt} ms`);
  assert.is(back.answer, BACK);
  back.c.send('made it');
  await back.c.waitFor('[dev] You: made it');
  await waitValue('chatpulse:grace:zed', '{"rooms":["main","dev","ops"],"active":"dev"}', 100);
  // Taken once: the node restoring it writes it anew for its own user (another login is refused anyway).
  const other = await LineClient.connect(n2.chatPort);
  clients.push(other);
  assert.is(await other.ask('/nick zed', /^!/), "! nickname 'zed' is taken");
});

killed('kill -9 a node: once its presence expires the other nodes tell their members its users left', async () => {
  const { n1, n2, w, z } = await zedWatched();
  n1.proc.child.kill('SIGKILL');
  await n1.proc.exited();
  z.close();
  // A clean leave would have said it at once; a killed node says nothing, so its silence does, after the TTL.
  await w.waitFor('* zed left #dev', TTL * 4);
  assert.is(w.lines.filter((l) => l === '* zed left #dev').length, 1, 'once');
  assert.match(await w.ask('/users dev', /^\* users in #dev/), /^\* users in #dev \(1\): wat$/);
  // zed comes back through n2: joined again (a line after the leave), and no late leave follows.
  const afterLeave = w.lines.length;
  const back = await loginOnceFree(n2.chatPort, 'zed', TTL * 4);
  assert.match(back.answer, /^\* Welcome back, zed\. Rooms restored: #main, #dev, #ops/, `${back.answer} (n2: ${n2.proc.stderr()})`);
  await w.waitFor('* zed joined #dev', 3000, afterLeave);
  await sleep(TTL * 2);
  assert.is(w.lines.filter((l) => l === '* zed left #dev').length, 1, 'no leave for a user who is back');
});

killed('Redis hanging longer than the presence TTL: nodes serve locally and say so, nobody is told anyone left, nothing arrives late', async () => {
  const { n1, w, z } = await zedWatched();
  redis.child.kill('SIGSTOP');
  // The connection stays open: only the node's own heartbeat not coming back tells it Redis hangs.
  await logged(n1.proc, /redis: 127\.0\.0\.1:\d+ not answering for \d+ ms; serving local clients only until it does/, TTL * 4);
  z.send('during the hang');
  await z.waitFor('[dev] You: during the hang');
  await sleep(TTL);
  redis.child.kill('SIGCONT');
  await logged(n1.proc, /redis: 127\.0\.0\.1:\d+ answering again as node n1/, TTL * 4);
  await sleep(TTL * 2);
  assert.not.ok(w.lines.includes('* zed left #dev'), w.lines.join('\n'));
  assert.not.ok(w.lines.includes('[dev] zed: during the hang'), 'a line sent while the bus hung stays on its node: not replayed seconds late');
  z.send('after the hang');
  await w.waitFor('[dev] zed: after the hang');
});

killed('a clean quit on one node: the rooms come back through another node, and only once', async () => {
  const [n1, n2] = [await node('n1', '60s'), await node('n2', '60s')];
  const z = await zedInRooms(n1.chatPort);
  z.send('/quit');
  await z.waitClosed();
  await sleep(100);
  const ttl = await (peek as Redis).pttl('chatpulse:grace:zed');
  assert.ok(ttl > 59_000 && ttl <= 60_000, `expires --grace after the disconnect: ${ttl}`);
  const back = await login(n2.chatPort, 'zed');
  assert.ok(back.lines.includes(BACK), back.lines.join('\n'));
  back.send('/quit');
  await back.waitClosed();
  // zed left n2 in the same rooms: that record now; the one n1 wrote was taken and is gone.
  await sleep(100);
  const again = await login(n1.chatPort, 'zed');
  assert.ok(again.lines.includes(BACK), again.lines.join('\n'));
  await waitValue('chatpulse:grace:zed', '{"rooms":["main","dev","ops"],"active":"dev"}');
  again.send('/quit');
  await again.waitClosed();
  await sleep(100);
  await (peek as Redis).del('chatpulse:grace:zed');
  const fresh = await login(n2.chatPort, 'zed');
  assert.ok(fresh.lines.includes('* Welcome, zed. You are in #main. Type /help for the commands.'), fresh.lines.join('\n'));
});

killed('a node stopped with SIGTERM: its user goes on through another node at once, rooms restored', async () => {
  const [n1, n2] = [await node('n1', '60s'), await node('n2', '60s')];
  const z = await zedInRooms(n1.chatPort);
  n1.proc.child.kill('SIGTERM');
  assert.equal(await n1.proc.exited(), { code: 0, signal: null });
  await z.waitFor('* server shutting down; your rooms are kept for the grace period');
  const back = await login(n2.chatPort, 'zed');
  assert.ok(back.lines.includes(BACK), back.lines.join('\n'));
});

killed('a record past --grace is not restored', async () => {
  const [n1, n2] = [await node('n1', '1s'), await node('n2', '1s')];
  const z = await zedInRooms(n1.chatPort);
  await waitValue('chatpulse:grace:zed', '{"rooms":["main","dev","ops"],"active":"dev"}');
  n1.proc.child.kill('SIGKILL');
  await n1.proc.exited();
  z.close();
  // Gone grace + presence TTL after the dead node's last heartbeat.
  await waitValue('chatpulse:grace:zed', null, 1000 + TTL + 1000);
  const late = await loginOnceFree(n2.chatPort, 'zed', TTL * 2);
  assert.is(late.answer, '* Welcome, zed. You are in #main. Type /help for the commands.');
});

killed('Redis down: records go to the node\'s own store, said once in the log; rooms still come back on that node', async () => {
  const log: string[] = [];
  const server = await startChatServer({ port: 0, redis: redis.url, nodeId: 'solo', presenceTtlMs: TTL, log: (l) => log.push(l) });
  servers.push(server);
  await redis.stop();
  const end = Date.now() + 5000;
  while (!log.some((l) => l.includes('lost')) && Date.now() < end) await sleep(20);
  const z = await zedInRooms(server.address.port);
  z.send('/quit');
  await z.waitClosed();
  const back = await login(server.address.port, 'zed');
  assert.ok(back.lines.includes(BACK), back.lines.join('\n'));
  const told = log.filter((l) => l.includes("kept in this node's store"));
  assert.equal(told, ["redis: unreachable, so rooms of disconnected nicknames are kept in this node's store: a reconnect through another node starts in #main until Redis is back"]);
});

killed('a record in Redis is read within bounds (bad room names dropped, an oversized or malformed value ignored) and rewritten if it goes missing', async () => {
  const server = await startChatServer({ port: 0, redis: redis.url, nodeId: 'solo', presenceTtlMs: TTL, maxRoomsPerUser: 3, log: () => {} });
  servers.push(server);
  const r = peek as Redis;
  const rooms = ['dev', 'bad name!', 7, 'ops', 'qa', 'ux', '#hash'];
  await r.set('chatpulse:grace:eve', JSON.stringify({ rooms, active: 'ops' }), 'PX', 60_000);
  await r.set('chatpulse:grace:big', JSON.stringify({ rooms: ['dev'], active: 'dev', pad: 'x'.repeat(70_000) }), 'PX', 60_000);
  await r.set('chatpulse:grace:odd', '{"rooms":"dev"', 'PX', 60_000);
  const eve = await login(server.address.port, 'eve');
  assert.ok(eve.lines.includes('* Welcome back, eve. Rooms restored: #dev, #ops, #qa; active room: #ops'), eve.lines.join('\n'));
  for (const nick of ['big', 'odd']) {
    const c = await login(server.address.port, nick);
    assert.ok(c.lines.includes(`* Welcome, ${nick}. You are in #main. Type /help for the commands.`), c.lines.join('\n'));
    assert.is(await r.exists(`chatpulse:grace:${nick}`), 1, 'rewritten for the connected user');
  }
  // Written back capped too: at most --max-rooms-per-user rooms.
  await eve.ask('/join ux', /^!/);
  await waitValue('chatpulse:grace:eve', '{"rooms":["dev","ops","qa"],"active":"ops"}');
  // Gone while its user is connected (a FLUSHALL, an eviction, a split's rename): a heartbeat or two bring it back.
  await r.del('chatpulse:grace:eve');
  await waitValue('chatpulse:grace:eve', '{"rooms":["dev","ops","qa"],"active":"ops"}', TTL * 2);
});

killed.run();
