import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { startServerProcess, type CliProcess } from '../helpers/cli.js';
import { askUntil, LineClient, sleep } from '../helpers/line-client.js';
import { parseExposition } from '../helpers/prom-text.js';
import { startRedis, type RedisProcess } from '../helpers/redis.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const redisBin = findTool('redis-server', 'redis-server');
const test = needing(uvuTest, redisBin);

// Every earlier cluster test passed --node-id; the CLI without it named every node '' and each
// node dropped the others' frames as its own.
test('two CLI nodes started without --node-id, both on port 0, form one cluster with distinct node names', async () => {
  const redis: RedisProcess = await startRedis(redisBin as string);
  const dirs = [tempDir(), tempDir()];
  const procs: CliProcess[] = [];
  const clients: LineClient[] = [];
  try {
    const nodes = [];
    for (const d of dirs) {
      const n = await startServerProcess(['--results-dir', d.dir, '--redis', redis.url, '--presence-ttl', '1200ms', '--interval', '200ms']);
      procs.push(n.proc);
      nodes.push(n);
    }
    const [n1, n2] = nodes as [typeof nodes[0], typeof nodes[0]];
    for (const n of [n1, n2]) {
      // The documented default: <host>:<port>, with the port actually bound.
      const end = Date.now() + 5000;
      while (!n.proc.stderr().includes('as node') && Date.now() < end) await sleep(20);
      assert.match(n.proc.stderr(), `as node 127.0.0.1:${n.chatPort}\n`);
    }
    const a = await LineClient.login(n1.chatPort, 'ann');
    const b = await LineClient.login(n2.chatPort, 'bob');
    clients.push(a, b);
    await askUntil(a, '/users main', (l) => l === '* users in #main (2): ann, bob');
    await askUntil(b, '/users main', (l) => l === '* users in #main (2): ann, bob');
    a.send('hello from n1');
    await b.waitFor('[main] ann: hello from n1');
    await b.ask('/pm ann psst', '[PM to ann] psst');
    await a.waitFor('[PM from bob] psst');
    const labels: string[] = [];
    for (const n of [n1, n2]) {
      const text = await (await fetch(`http://127.0.0.1:${n.httpPort}/metrics`)).text();
      const up = parseExposition(text).series('chat_redis_up');
      assert.is(up.length, 1);
      labels.push(up[0]?.labels.node ?? '');
    }
    assert.equal(labels, [`127.0.0.1:${n1.chatPort}`, `127.0.0.1:${n2.chatPort}`]);
    assert.is.not(labels[0], labels[1]);
  } finally {
    for (const c of clients) c.close();
    for (const p of procs) {
      p.child.kill('SIGTERM');
      await p.exited().catch(() => p.child.kill('SIGKILL'));
    }
    await redis.stop();
    for (const d of dirs) d.cleanup();
  }
});

test.run();
