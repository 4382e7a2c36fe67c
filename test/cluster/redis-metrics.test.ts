import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, startTestHub } from '../helpers/hub.js';
import { LineClient, sleep } from '../helpers/line-client.js';
import { parseExposition } from '../helpers/prom-text.js';
import { startRedis } from '../helpers/redis.js';
import { findTool, needing } from '../helpers/require-tool.js';

const redisBin = findTool('redis-server', 'redis-server');
const test = needing(uvuTest, redisBin);

async function scrape(url: string) {
  return parseExposition(await (await fetch(`${url}/metrics`)).text()).samples;
}

test('each node labels its series with its node name, counts relayed deliveries, and shows redis up/down', async () => {
  const redis = await startRedis(redisBin as string);
  const n1 = await startTestHub({ redis: redis.url, nodeId: 'n1', presenceTtl: 1000, interval: 200 });
  const n2 = await startTestHub({ redis: redis.url, nodeId: 'n2', presenceTtl: 1000, interval: 200 });
  const clients: LineClient[] = [];
  try {
    const a = await LineClient.login(n1.chatPort, 'ann');
    const b = await LineClient.login(n2.chatPort, 'bob');
    clients.push(a, b);
    for (let i = 0; i < 50 && !(await a.ask('/users', /^\* users/)).includes('bob'); i++) await sleep(50);
    for (let i = 0; i < 5; i++) b.send(`from n2 ${i}`);
    await a.waitFor('[main] bob: from n2 4');
    // /metrics reads the latest tick: wait (bounded) until a tick has counted the five deliveries.
    const m1 = await eventually(async () => {
      const m = await scrape(n1.httpUrl);
      return m.find((x) => x.name === 'chat_deliveries_total')?.value === 5 ? m : undefined;
    }, 'five relayed deliveries counted on n1');
    const up = m1.find((s) => s.name === 'chat_redis_up');
    assert.equal(up?.labels, { node: 'n1' });
    assert.is(up?.value, 1);
    const messages = m1.filter((s) => s.name === 'chat_messages_total').reduce((sum, s) => sum + s.value, 0);
    assert.is(messages, 0, 'relayed messages are not counted as messages on the receiving node');
    const deliveries = m1.find((s) => s.name === 'chat_deliveries_total');
    assert.is(deliveries?.labels.node, 'n1');
    assert.is(deliveries?.value, 5, 'five relayed lines written to ann');
    const sent = (m: Awaited<ReturnType<typeof scrape>>) => m.filter((x) => x.name === 'chat_messages_total').reduce((sum, x) => sum + x.value, 0);
    await eventually(async () => (sent(await scrape(n2.httpUrl)) === 5 ? true : undefined), 'five messages counted on n2, where they were sent');
    await redis.stop();
    await eventually(async () => ((await scrape(n1.httpUrl)).find((x) => x.name === 'chat_redis_up')?.value === 0 ? true : undefined), 'chat_redis_up 0 after redis stopped');
  } finally {
    for (const c of clients) c.close();
    await n1.stop();
    await n2.stop();
    await redis.stop();
  }
});

test.run();
