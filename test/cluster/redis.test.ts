import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatEvents, startChatServer, type ChatServer } from '../../server/index.js';
import { startServerProcess } from '../helpers/cli.js';
import { askUntil, LineClient, sleep } from '../helpers/line-client.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const redisBin = findTool('redis-server', 'redis-server');
const TTL = 1200;

let redis: RedisProcess;
let nodes: { server: ChatServer; events: ChatEvents; log: string[] }[] = [];
const clients: LineClient[] = [];

async function startNode(id: string) {
  const events = new ChatEvents();
  const log: string[] = [];
  const server = await startChatServer({ port: 0, redis: redis.url, nodeId: id, presenceTtlMs: TTL, events, log: (l) => log.push(l) });
  const node = { server, events, log };
  nodes.push(node);
  return node;
}

async function login(node: { server: ChatServer }, nick: string) {
  const c = await LineClient.login(node.server.address.port, nick);
  clients.push(c);
  return c;
}

const cluster = needing(suite('redis cluster'), redisBin);
cluster.before.each(async () => {
  redis = await startRedis(redisBin as string);
});
cluster.after.each(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const n of nodes) await n.server.close(300);
  nodes = [];
  await redis?.stop();
});

cluster('a node that starts late answers /users with the other nodes members at once, not after their next heartbeat', async () => {
  // A long TTL: the next heartbeat (every TTL/4) is seconds away, so only what the new node read at start can say ann is there.
  const slow = { presenceTtlMs: 20_000, log: () => {} };
  const first = await startChatServer({ port: 0, redis: redis.url, nodeId: 'early', ...slow });
  nodes.push({ server: first, events: new ChatEvents(), log: [] });
  const a = await login({ server: first }, 'ann');
  await a.ask('/join dev', '* ann joined #dev');
  await sleep(100); // the join's own frame is long gone: a new node can only learn it from the presence record
  const late = await startChatServer({ port: 0, redis: redis.url, nodeId: 'late', ...slow });
  nodes.push({ server: late, events: new ChatEvents(), log: [] });
  const b = await login({ server: late }, 'bob');
  await b.ask('/join dev', '* bob joined #dev');
  assert.is(await b.ask('/users dev', /^\* users in #dev/), '* users in #dev (2): ann, bob');
  assert.match(await b.ask('/rooms', /^\* rooms/), /dev \(2\)/);
});

cluster('a room message on one node reaches members on every node, once each', async () => {
  const [n1, n2, n3] = [await startNode('n1'), await startNode('n2'), await startNode('n3')];
  const a = await login(n1, 'ann');
  const b = await login(n2, 'bob');
  const c = await login(n3, 'cat');
  for (const x of [a, b, c]) await x.ask('/join dev', /joined #dev$/);
  await askUntil(a, '/users dev', (l) => l === '* users in #dev (3): ann, bob, cat');
  a.send('hello cluster');
  await a.waitFor('[dev] You: hello cluster');
  await b.waitFor('[dev] ann: hello cluster');
  await c.waitFor('[dev] ann: hello cluster');
  await sleep(200);
  for (const x of [b, c]) assert.is(x.lines.filter((l) => l === '[dev] ann: hello cluster').length, 1);
  assert.is(a.lines.filter((l) => l.includes('hello cluster')).length, 1, 'no relay back to the sender');
  const roomsLine = await b.ask('/rooms', /^\* rooms/);
  assert.match(roomsLine, /dev \(3\)/);
  assert.match(roomsLine, /main \(3\)/);
});

cluster('joins on other nodes are announced; PMs reach a nickname on another node', async () => {
  const [n1, n2] = [await startNode('n1'), await startNode('n2')];
  const a = await login(n1, 'ann');
  await a.ask('/join ops', /joined #ops$/);
  const b = await login(n2, 'bob');
  await b.ask('/join ops', /joined #ops$/);
  await a.waitFor('* bob joined #ops');
  await askUntil(b, '/users ops', (l) => l.includes('ann'));
  await b.ask('/pm ann over here', '[PM to ann] over here');
  await a.waitFor('[PM from bob] over here');
  assert.is(await b.ask('/pm nobody hi', /^!/), "! no such user 'nobody'");
});

cluster('a nickname is unique across nodes, and free again once its holder leaves', async () => {
  const [n1, n2] = [await startNode('n1'), await startNode('n2')];
  const a = await login(n1, 'ann');
  const other = await LineClient.connect(n2.server.address.port);
  clients.push(other);
  assert.is(await other.ask('/nick ANN', /^!/), "! nickname 'ANN' is taken");
  // The claim is keyed by the nickname's skeleton: a lookalike held on another node is taken too.
  assert.is(await other.ask('/nick \u0430nn', /^!/), "! nickname '\u0430nn' is taken");
  a.send('/quit');
  await a.waitClosed();
  await sleep(100);
  await other.ask('/nick ann', /^\* Welcome/);
});

cluster('redis restarted mid-run: nodes keep serving locally, log it, and recover', async () => {
  const [n1, n2] = [await startNode('n1'), await startNode('n2')];
  const states: string[] = [];
  n1.events.on('cluster', (e) => states.push(`${e.node}:${e.up ? 'up' : 'down'}`));
  const a = await login(n1, 'ann');
  const a2 = await login(n1, 'amy');
  const b = await login(n2, 'bob');
  await askUntil(a, '/users main', (l) => l.includes('bob'));
  const port = redis.port;
  await redis.stop();
  await sleep(300);
  a.send('during the gap');
  await a2.waitFor('[main] ann: during the gap');
  assert.ok(n1.log.some((l) => l.includes('connection to') && l.includes('lost')), n1.log.join('\n'));
  redis = await startRedis(redisBin as string, port);
  const end = Date.now() + 8000;
  while (!states.includes('n1:up') && Date.now() < end) await sleep(50);
  assert.equal(states.slice(0, 2), ['n1:down', 'n1:up']);
  await askUntil(b, '/users main', (l) => l.includes('ann'), 8000);
  a.send('after the gap');
  await b.waitFor('[main] ann: after the gap', 5000);
  assert.not.ok(b.lines.includes('[main] ann: during the gap'), 'a message sent into the gap is lost, not delayed');
});

cluster('two nodes given the same name still hear each other, and the clash is logged', async () => {
  const [n1, n2] = [await startNode('twin'), await startNode('twin')];
  const a = await login(n1, 'ann');
  const b = await login(n2, 'bob');
  await askUntil(a, '/users main', (l) => l === '* users in #main (2): ann, bob');
  b.send('same name, one room');
  await a.waitFor('[main] bob: same name, one room');
  assert.ok(n1.log.some((l) => l.includes("another node is also named 'twin'")), n1.log.join('\n'));
});

cluster('a nickname let in on two nodes during a Redis outage: the earlier login keeps it, the later is told and renamed', async () => {
  const [n1, n2] = [await startNode('n1'), await startNode('n2')];
  const port = redis.port;
  await redis.stop();
  for (const n of [n1, n2]) {
    const end = Date.now() + 5000;
    while (!n.log.some((l) => l.includes('lost')) && Date.now() < end) await sleep(20);
  }
  const first = await login(n1, 'ann');
  await sleep(5); // a later login by the wall clock, which decides
  const second = await login(n2, 'ANN');
  redis = await startRedis(redisBin as string, port);
  const told = await second.waitFor((l) => l.startsWith('!'), 8000);
  const m = /^! nickname 'ANN' was taken on another node while the cluster was split; you are now '(ANN-[0-9a-z]{4})'; choose another with \/nick$/.exec(told);
  assert.ok(m, told);
  const renamed = (m as RegExpExecArray)[1] as string;
  await second.waitFor(`* ANN is now known as ${renamed}`);
  await askUntil(first, '/users main', (l) => l === `* users in #main (2): ${renamed}, ann`, 8000);
  // A few more heartbeats: the winner is never told, and the name stays with it.
  await sleep(TTL);
  assert.not.ok(first.lines.some((l) => l.startsWith('!')), first.lines.join('\n'));
  assert.is(second.lines.filter((l) => l.startsWith('! nickname')).length, 1, 'told once');
  const third = await LineClient.connect(n2.server.address.port);
  clients.push(third);
  assert.is(await third.ask('/nick ann', /^!/), "! nickname 'ann' is taken");
});

const killed = needing(suite('node killed'), redisBin);
killed.before(async () => {
  redis = await startRedis(redisBin as string);
});
killed.after(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const n of nodes) await n.server.close(300);
  nodes = [];
  await redis?.stop();
});
killed('a killed node\'s users vanish from /users after the presence expiry', async () => {
  const tmp = tempDir();
  try {
    const n1 = await startNode('n1');
    const proc = await startServerProcess(['--results-dir', tmp.dir, '--redis', redis.url, '--node-id', 'doomed', '--presence-ttl', `${TTL}ms`]);
    const z = await LineClient.login(proc.chatPort, 'zed');
    const a = await login(n1, 'ann');
    await askUntil(a, '/users main', (l) => l.includes('zed'));
    proc.proc.child.kill('SIGKILL');
    await proc.proc.exited();
    z.close();
    await askUntil(a, '/users main', (l) => l === '* users in #main (1): ann', TTL * 4);
    const again = await LineClient.connect(n1.server.address.port);
    clients.push(again);
    await again.ask('/nick zed', /^\* Welcome/, 3000);
  } finally {
    tmp.cleanup();
  }
});

cluster.run();
killed.run();
