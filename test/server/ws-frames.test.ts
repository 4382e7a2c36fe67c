import crypto from 'node:crypto';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { LineArena } from '../../server/line-arena.js';
import { framedLength, frameLines } from '../../server/ws-frames.js';

/**
 * Writes `bytes` after a hand-made handshake (in two writes split at `splitAt`, across frame
 * boundaries) and returns what a real `ws` client received: its parser is the judge.
 */
async function receivedBy(bytes: Buffer, frames: number, splitAt: number): Promise<{ text: string; binary: boolean }[]> {
  const server = net.createServer((socket) => {
    socket.once('data', (req) => {
      const key = /sec-websocket-key: (\S+)/i.exec(req.toString())?.[1] ?? '';
      const accept = crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.write(bytes.subarray(0, splitAt));
      setTimeout(() => socket.write(bytes.subarray(splitAt)), 20);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/`);
  const got: { text: string; binary: boolean }[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (data, binary) => {
        got.push({ text: data.toString(), binary });
        if (got.length === frames) resolve();
      });
      ws.on('error', reject);
      setTimeout(() => reject(new Error(`only ${got.length} of ${frames} frames`)), 5000);
    });
  } finally {
    ws.terminate();
    server.close();
  }
  return got;
}

test('every line of a batch is one text frame, at each header size (7-bit, 16-bit, 64-bit lengths)', async () => {
  const long = 'é'.repeat(70_000); // 140 000 bytes: the 8-byte length form
  const lines = ['hi', '', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(65_535), long, 'last'];
  const chunks = [Buffer.from(`${lines[0]}\n${lines[1]}\n${lines[2]}\n`), Buffer.from(`${lines[3]}\n${lines[4]}\n`), Buffer.from(`${lines[5]}\n${lines[6]}`)];
  const bytes = frameLines(chunks);
  const payload = lines.reduce((a, l) => a + Buffer.byteLength(l), 0);
  assert.is(bytes.length, payload + 2 + 2 + 2 + 4 + 4 + 10 + 2, 'headers of 2, 4 and 10 bytes');
  assert.is(framedLength(chunks), bytes.length);
  const got = await receivedBy(bytes, lines.length, 3 + 125 + 1); // split inside the third frame
  assert.equal(got.map((g) => g.text), lines);
  assert.ok(got.every((g) => !g.binary), 'text frames');
});

test('an empty batch is no bytes', () => {
  assert.is(frameLines([]).length, 0);
  assert.is(frameLines([Buffer.alloc(0)]).length, 0);
});

test('a room\'s frame arena: one text frame per message, headers of 2, 4 and 10 bytes, read by a real ws client', async () => {
  const arena = new LineArena();
  const prefix = Buffer.from('[dev] ann: ');
  const frames: Buffer[] = [];
  const texts: string[] = [];
  for (const n of [5, 200, 70_000]) {
    const raw = Buffer.alloc(n, 'x');
    const at = arena.appendFrame(prefix, raw, 1);
    frames.push(Buffer.from(arena.buf.subarray(at, arena.end)));
    texts.push(`[dev] ann: ${'x'.repeat(n)}`);
  }
  // Headers written out by hand from RFC 6455 §5.2: FIN + opcode 1, then the length.
  assert.equal([...frames[0]!.subarray(0, 2)], [0x81, 16]);
  assert.equal([...frames[1]!.subarray(0, 4)], [0x81, 126, 0x00, 211]);
  assert.equal([...frames[2]!.subarray(0, 10)], [0x81, 127, 0, 0, 0, 0, 0x00, 0x01, 0x11, 0x7b]);
  const got = await receivedBy(Buffer.concat(frames), 3, 7);
  assert.equal(got.map((g) => g.text), texts);
  assert.ok(got.every((g) => !g.binary));
});

test.run();
