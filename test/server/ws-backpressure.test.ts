import type net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestHub } from '../helpers/chat-hub.js';
import { LineClient, sleep } from '../helpers/line-client.js';
import { WsLineClient } from '../helpers/ws-client.js';

type Hub = Awaited<ReturnType<typeof startTestHub>>;

/**
 * `mute` (ws) stops reading; `talker` (TCP) then sends ~24 MB to their room — far more than loopback's
 * kernel buffers hold — and waits for its own last echo, so the server has written all it could to
 * mute and holds the rest. `--max-queue` is set high so mute is not cut off as a slow consumer here.
 */
async function backpressured(hub: Hub): Promise<{ mute: WsLineClient; raw: net.Socket; talker: LineClient }> {
  const mute = await WsLineClient.login(`ws://127.0.0.1:${hub.http.address.port}/chat/ws`, 'mute');
  await mute.ask('/join flood', '* mute joined #flood');
  const raw = (mute.ws as unknown as { _socket: net.Socket })._socket;
  raw.pause();
  const talker = await LineClient.login(hub.chat.address.port, 'talker');
  await talker.ask('/join flood', '* talker joined #flood');
  const line = 'y'.repeat(4000);
  for (let round = 0; round < 60; round++) {
    for (let i = 0; i < 100; i++) talker.send(line);
    await sleep(5);
  }
  await talker.ask('filled', '[flood] You: filled', 20_000);
  return { mute, raw, talker };
}

test('a ws client whose socket will not take our output is not read until it drains; then nothing is lost', async () => {
  const hub = await startTestHub({ maxRate: 0, maxQueue: 64 * 1024 * 1024 });
  try {
    const { mute, raw, talker } = await backpressured(hub);
    mute.send('sent while not reading');
    // The marker goes after mute's line, through the same server loop: had mute's frame been read,
    // its fan-out would reach talker no later than the marker's echo.
    await talker.ask('marker', '[flood] You: marker');
    await sleep(200);
    assert.not.ok(talker.lines.includes('[flood] mute: sent while not reading'), 'mute\'s frame was read while its output was stuck');
    raw.resume(); // mute reads again: the server's queue drains, and only then is mute's frame read
    await talker.waitFor('[flood] mute: sent while not reading', 20_000);
    mute.close();
    talker.close();
  } finally {
    await hub.cleanup();
  }
});

test('frames a ws client sent but the server had not read when it vanished are dropped, not fanned out', async () => {
  const hub = await startTestHub({ maxRate: 0, maxQueue: 64 * 1024 * 1024 });
  try {
    const { mute, talker } = await backpressured(hub);
    const gone = new Promise<void>((resolve) => hub.events.on('disconnect', (e) => e.nick === 'mute' && resolve()));
    mute.send('sent just before vanishing');
    await sleep(100); // on the server's side of the loopback by now
    mute.ws.terminate();
    await gone;
    await talker.ask('marker', '[flood] You: marker');
    assert.not.ok(talker.lines.includes('[flood] mute: sent just before vanishing'), 'a dead client\'s unread line reached the room');
    talker.close();
  } finally {
    await hub.cleanup();
  }
});

test.run();
