import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineClient, sleep } from '../helpers/line-client.js';
import { startTestServer } from '../helpers/chat-server.js';

test('twenty clients in four rooms: each sees exactly its room mates\' messages', async () => {
  const srv = await startTestServer();
  let deliveries = 0;
  srv.events.on('message', (e) => (deliveries += e.deliveries));
  const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => LineClient.login(srv.port, `user${i}`)));
  try {
    await Promise.all(clients.map((c, i) => c.ask(`/join room${i % 4}`, `* user${i} joined #room${i % 4}`)));
    await sleep(100);
    const perClient = 5;
    clients.forEach((c, i) => {
      for (let k = 0; k < perClient; k++) c.send(`msg ${k} from ${i}`);
    });
    // Each room has 5 members; everyone gets 4 × 5 messages from others plus 5 echoes.
    await Promise.all(clients.map((c, i) => c.waitFor(`[room${i % 4}] user${(i + 16) % 20}: msg ${perClient - 1} from ${(i + 16) % 20}`, 5000)));
    await sleep(100);
    clients.forEach((c, i) => {
      const room = `[room${i % 4}]`;
      const got = c.lines.filter((l) => l.startsWith('['));
      assert.is(got.filter((l) => l.startsWith(`${room} You: `)).length, perClient, `user${i} echoes`);
      const others = got.filter((l) => !l.includes(' You: '));
      assert.is(others.length, 4 * perClient, `user${i} others`);
      assert.ok(others.every((l) => l.startsWith(room)), `user${i} only its room`);
    });
    assert.is(deliveries, 20 * perClient * 5);
  } finally {
    for (const c of clients) c.close();
    await srv.stop();
  }
});

test.run();
