import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { runLoad } from '../../loadgen/index.js';
import { ChatEvents, startChatServer, type ChatServer } from '../../server/index.js';
import { startRedis } from '../helpers/redis.js';
import { findTool, needing } from '../helpers/require-tool.js';

const redisBin = findTool('redis-server', 'redis-server');
const test = needing(uvuTest, redisBin);

test('one loadgen, two --targets on two nodes sharing Redis: cross-node deliveries accounted, nothing lost', async () => {
  const redis = await startRedis(redisBin as string);
  const nodes: { server: ChatServer; messages: number; connects: number }[] = [];
  try {
    for (const id of ['a', 'b']) {
      const events = new ChatEvents();
      const server = await startChatServer({ port: 0, redis: redis.url, nodeId: id, presenceTtlMs: 1500, events, log: () => {} });
      const node = { server, messages: 0, connects: 0 };
      events.on('message', () => node.messages++);
      events.on('login', () => node.connects++);
      nodes.push(node);
    }
    const [a, b] = nodes as [typeof nodes[0], typeof nodes[0]];
    const s = await runLoad({
      targets: [`127.0.0.1:${a.server.address.port}`, `chatpulse://127.0.0.1:${b.server.address.port}`],
      clients: 16, rooms: 2, rate: 2, duration: 4000, ramp: 1500, pm: 0.1, switch: 0, users: 0, workers: 1, interval: 500, lossTimeout: 2000, seed: 9,
    });
    const m = s.messages;
    assert.equal(s.targets, [`chatpulse://127.0.0.1:${a.server.address.port}`, `chatpulse://127.0.0.1:${b.server.address.port}`]);
    assert.is(s.target, s.targets.join(', '));
    assert.is(a.connects, 8, 'half the clients on node a');
    assert.is(b.connects, 8, 'half on node b');
    assert.ok(a.messages > 0 && b.messages > 0, 'both nodes carried room messages');
    assert.ok(m.sent > 30);
    // Two nodes have no one order: members whose join crossed a message are ambiguous, never lost or extra.
    assert.equal([m.lost, m.unexpected, m.unsent], [0, 0, 0], JSON.stringify(m));
    assert.ok(m.received >= m.expected && m.received <= m.expected + m.ambiguous, JSON.stringify(m));
    // Each room has 4 members per node: a message reaching all 8 must cross nodes.
    assert.ok(m.expected > m.sent * 4, `fan-out spans both nodes (${m.expected} expected for ${m.sent} sent)`);
  } finally {
    for (const n of nodes) await n.server.close(300);
    await redis.stop();
  }
});

test.run();
