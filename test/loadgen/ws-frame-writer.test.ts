/**
 * The load generator's own client frames, read by a real ws server (which refuses an unmasked or
 * malformed frame and invalid UTF-8): every line of a write arrives as one text message, in order.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { maskedTextFrames } from '../../loadgen/ws-frame-writer.js';
import { WsLink } from '../../loadgen/ws-link.js';

test('lines written through a WsLink arrive at a real ws server as text messages, one per line, in order', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  try {
    const serverSide = once(wss, 'connection');
    const link = new WsLink({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/chat/ws` });
    await once(link, 'open');
    assert.ok(link.framesOurselves, 'our frame writer in use (not ws.send, by a silent fallback)');
    const [ws] = (await serverSide) as [WebSocket];
    const got: string[] = [];
    const errors: string[] = [];
    ws.on('message', (data, isBinary) => got.push(`${isBinary ? 'binary:' : ''}${data.toString()}`));
    ws.on('error', (err) => errors.push(err.message));
    const medium = 'm'.repeat(300); // a 16-bit length
    const big = `${'б'.repeat(35_000)}!`; // 70,001 bytes: a 64-bit length
    link.write('/nick a\nüñí 🎉\n\nlast');
    link.write(`${medium}\n`);
    link.write('');
    link.write(`${big}\n`);
    for (let i = 0; i < 100; i++) link.write(`line ${i}\n`);
    const expected = ['/nick a', 'üñí 🎉', '', 'last', medium, big, ...Array.from({ length: 100 }, (_, i) => `line ${i}`)];
    const deadline = Date.now() + 5000;
    while (got.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(errors, [], 'the server found nothing wrong with our frames');
    assert.equal(got, expected);
    link.destroy();
  } finally {
    wss.close();
  }
});

test('every frame masked with its own key: the same line twice is two different byte strings', () => {
  const two = maskedTextFrames('same line\nsame line\n');
  assert.is(two.length, 2 * (2 + 4 + 9));
  assert.is(two[0], 0x81, 'FIN, text');
  assert.is(two[1], 0x80 | 9, 'masked, 9 bytes');
  assert.not.equal(two.subarray(2, 15), two.subarray(17, 30), 'key and masked bytes differ');
  assert.is(maskedTextFrames('').length, 0, 'no line, no frame');
});

test.run();
