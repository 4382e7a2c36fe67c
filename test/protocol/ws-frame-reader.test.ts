/**
 * The WebSocket frame reader of the load generator and the server: whole text frames handed over where they lie, as lines,
 * every other frame passed on whole and in order (to ws's receiver, in the real link), at every
 * split of the input, and an oversized frame hands the rest of the connection over.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { takeOverFrames, WsFrameReader } from '../../protocol/ws-frame-reader.js';
import { WsLink } from '../../loadgen/ws-link.js';

/** A server frame (unmasked) by RFC 6455 §5.2, written out by hand here. */
function frame(b0: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([b0, n]) : n < 65536 ? Buffer.from([b0, 126, n >> 8, n & 255]) : Buffer.from([b0, 127, 0, 0, 0, 0, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
  return Buffer.concat([head, payload]);
}

const text = (s: string) => frame(0x81, Buffer.from(s, 'utf8'));
const long = 'x'.repeat(300); // a 16-bit length
const stream = Buffer.concat([
  text('[main] a: hello'),
  frame(0x89, Buffer.from('ping!')), // ping: ws answers it
  text(''),
  text(`[main] b: ${long}`),
  frame(0x01, Buffer.from('frag-')), // a fragmented message: first part…
  text('inside a fragmented message'), // …a text frame here is ws's protocol error to find, not ours
  frame(0x80, Buffer.from('end')), // …its final part
  text('[main] c: привет'),
  text('two\r\nlines'), // split at `\n` as the line decoder split ws's messages (the line decoder drops the `\r`)
  text('0123456789'), // its length byte is 0x0A, a newline's: not a line break
  text('ends\n'), // a `\n` at the very end ends the last line: no empty line after it
  frame(0x88, Buffer.from([0x03, 0xf0])), // close 1008
]);

/**
 * What the reader does with `chunks`: text lines, and the frames passed on (hex), in order. `masked`:
 * on a server's side; each chunk is pushed as a copy, since a masked read is unmasked in place.
 */
function read(chunks: Buffer[], maxFast = 1 << 20, masked = false): string[] {
  const out: string[] = [];
  const r = new WsFrameReader(
    (buf, start, end) => out.push(`text:${buf.toString('utf8', start, end)}`),
    (bytes) => {
      out.push(`other:${bytes.toString('hex')}`);
      return true;
    },
    maxFast,
    masked,
  );
  for (const c of chunks) r.push(Buffer.from(c));
  return out;
}

const readMasked = (chunks: Buffer[]): string[] => read(chunks, 1 << 20, true);

const expected = [
  'text:[main] a: hello',
  `other:${frame(0x89, Buffer.from('ping!')).toString('hex')}`,
  'text:',
  `text:[main] b: ${long}`,
  `other:${frame(0x01, Buffer.from('frag-')).toString('hex')}`,
  `other:${text('inside a fragmented message').toString('hex')}`,
  `other:${frame(0x80, Buffer.from('end')).toString('hex')}`,
  'text:[main] c: привет',
  'text:two\r',
  'text:lines',
  'text:0123456789',
  'text:ends',
  `other:${frame(0x88, Buffer.from([0x03, 0xf0])).toString('hex')}`,
];

test('one read: text frames as lines, the rest passed on whole, in order', () => {
  assert.equal(read([stream]), expected);
});

test('split at every byte (two reads), and one byte per read: the same', () => {
  for (let i = 1; i < stream.length; i++) assert.equal(read([stream.subarray(0, i), stream.subarray(i)]), expected, `split at ${i}`);
  assert.equal(read([...stream].map((b) => Buffer.from([b]))), expected);
});

test('newRead: true for the first text frame of each read only', () => {
  const flags: boolean[] = [];
  const r = new WsFrameReader((_b, _s, _e, newRead) => flags.push(newRead), () => true, 1 << 20);
  r.push(Buffer.concat([text('a'), text('b'), text('c')]));
  r.push(text('d'));
  assert.equal(flags, [true, false, false, true]);
});

test('a frame over maxFast: it and everything after go to ws as they come', () => {
  const big = frame(0x81, Buffer.alloc(70_000, 0x61)); // a 64-bit length
  const after = text('later');
  const out = read([Buffer.concat([text('first'), big.subarray(0, 100)]), big.subarray(100), after], 65_536);
  assert.equal(out, ['text:first', `other:${big.subarray(0, 100).toString('hex')}`, `other:${big.subarray(100).toString('hex')}`, `other:${after.toString('hex')}`]);
});

test('a masked frame (a server must not send one) goes to ws, which refuses it', () => {
  const masked = Buffer.from([0x81, 0x82, 1, 2, 3, 4, 0x61 ^ 1, 0x62 ^ 2]);
  assert.equal(read([masked]), [`other:${masked.toString('hex')}`]);
});

/**
 * The same frames as a client sends them (RFC 6455 §5.3): mask bit set, a 4-byte key after the length,
 * the payload XORed with it — written out by hand here. Keys vary per frame and include 0x0A bytes.
 */
function masked(unmasked: Buffer, seed: number): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  let k = seed;
  while (at < unmasked.length) {
    const b1 = unmasked[at + 1] as number;
    const head = (b1 & 0x7f) < 126 ? 2 : (b1 & 0x7f) === 126 ? 4 : 10;
    const n = (b1 & 0x7f) < 126 ? b1 & 0x7f : (b1 & 0x7f) === 126 ? unmasked.readUInt16BE(at + 2) : unmasked.readUInt32BE(at + 6);
    const key = Buffer.from([k & 255, 0x0a, (k * 7) & 255, (k * 13 + 10) & 255]);
    k += 37;
    const payload = Buffer.from(unmasked.subarray(at + head, at + head + n));
    for (let i = 0; i < n; i++) payload[i] = (payload[i] as number) ^ (key[i % 4] as number);
    const header = Buffer.from(unmasked.subarray(at, at + head));
    header[1] = (header[1] as number) | 0x80;
    out.push(header, key, payload);
    at += head + n;
  }
  return Buffer.concat(out);
}


test('masked (a server reading its clients): the same lines at every split, one byte per read; the rest passed on still masked', () => {
  const clientStream = masked(stream, 3);
  // What goes to ws is the client's bytes as they came: the same frames, masked.
  const expectedMasked = expected.map((line) => {
    if (!line.startsWith('other:')) return line;
    const bytes = Buffer.from(line.slice(6), 'hex');
    const at = stream.indexOf(bytes);
    const prefix = masked(stream.subarray(0, at), 3).length;
    return `other:${clientStream.subarray(prefix, prefix + bytes.length + 4).toString('hex')}`;
  });
  assert.equal(readMasked([clientStream]), expectedMasked);
  for (let i = 1; i < clientStream.length; i++) {
    assert.equal(readMasked([clientStream.subarray(0, i), clientStream.subarray(i)]), expectedMasked, `split at ${i}`);
  }
  assert.equal(readMasked([...clientStream].map((b) => Buffer.from([b]))), expectedMasked);
});

test('masked: every payload length 0–300 with varied keys unmasks to its text; an unmasked frame from a client goes to ws', () => {
  for (let n = 0; n <= 300; n++) {
    const body = Array.from({ length: n }, (_, i) => String.fromCharCode(0x21 + ((i * 7 + n) % 90))).join('');
    assert.equal(readMasked([masked(text(body), n)]), [`text:${body}`], `length ${n}`);
  }
  const plain = text('unmasked from a client');
  assert.equal(readMasked([plain]), [`other:${plain.toString('hex')}`]);
});

test('masked: a masked byte that reads 0x0A (a newline\'s) in a later frame of the read splits nothing', () => {
  const first = Buffer.from([0x81, 0x85, 1, 2, 3, 4, ...Buffer.from('first').map((b, i) => b ^ [1, 2, 3, 4][i % 4]!)]);
  // 'A' (0x41) under the key byte 0x4B is 0x0A on the wire.
  const second = Buffer.from([0x81, 0x84, 0x4b, 0x4b, 0x4b, 0x4b, 0x0a, 0x0a, 0x0a, 0x0a]);
  assert.equal(readMasked([Buffer.concat([first, second])]), ['text:first', 'text:AAAA']);
});

test('masked: a read of many frames with no newline anywhere is not searched to its end per frame', () => {
  // 2,000 frames of 26 bytes whose masked bytes hold no 0x0A: a search per frame to the end of the
  // read would scan ~64 MB here. The reader finds a client's newlines while unmasking, within each
  // frame, and calls no read-wide search at all; this spy on Buffer#indexOf (what such a search would
  // use, as an earlier version did) guards against one coming back. A search past a frame's end by
  // the reader's own loop shows as wrong lines in the every-split test above.
  const key = [0x11, 0x22, 0x33, 0x44];
  const one = masked(text('A'.repeat(26)), 0);
  const frames: Buffer[] = [];
  for (let i = 0; i < 2000; i++) {
    const f = Buffer.from(one);
    f.set(key, 2);
    for (let j = 0; j < 26; j++) f[6 + j] = 0x41 ^ (key[j % 4] as number);
    frames.push(f);
  }
  const read = Buffer.concat(frames);
  let scanned = 0;
  const original = Buffer.prototype.indexOf;
  Buffer.prototype.indexOf = function (this: Buffer, value: never, from?: never, enc?: never) {
    const at = original.call(this, value, from, enc);
    scanned += (at < 0 ? this.length : at) - (typeof from === 'number' ? from : 0);
    return at;
  } as typeof original;
  let lines = 0;
  try {
    new WsFrameReader(() => lines++, () => true, 1 << 20, true).push(read);
  } finally {
    Buffer.prototype.indexOf = original;
  }
  assert.is(lines, 2000);
  assert.is(scanned, 0, `${scanned} bytes searched by Buffer#indexOf in a read of ${read.length}`);
});

test('a client frame of printable ASCII only is handed over as plain (checked while unmasking); any other byte, at any place, is not', () => {
  const plainOf = (payload: Buffer): boolean[] => {
    const flags: boolean[] = [];
    new WsFrameReader((_b, _s, _e, _newRead, plain) => flags.push(plain), () => true, 1 << 20, true).push(masked(frame(0x81, payload), 5));
    return flags;
  };
  for (let b = 0; b < 256; b++) {
    const printable = b >= 0x20 && b <= 0x7e;
    // Each place of the 4-byte unmasking loop, and the tail after it.
    for (let at = 0; at < 7; at++) {
      const payload = Buffer.from('abcdefg');
      payload[at] = b;
      const flags = plainOf(payload);
      if (b === 10) assert.equal(flags, at === 6 ? [false] : [false, false], `a newline at ${at}: split, not plain`);
      else assert.equal(flags, [printable], `byte 0x${b.toString(16)} at ${at}`);
    }
  }
  assert.equal(plainOf(Buffer.alloc(0)), [true], 'an empty frame holds nothing to refuse');
  assert.equal(plainOf(Buffer.from('Grüße')), [false], 'UTF-8 is for the chat core to check');
});

test('takeOverFrames: only with the ws it knows — synchronous events, no extension', async () => {
  const cases = [
    [{ perMessageDeflate: false }, {}, true],
    [{ perMessageDeflate: false, allowSynchronousEvents: false }, {}, false],
    [{ perMessageDeflate: true }, { perMessageDeflate: true }, false], // permessage-deflate agreed
  ] as const;
  const WebSocket = (await import('ws')).default;
  for (const [serverOpts, clientOpts, expected] of cases) {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', ...serverOpts });
    let client: InstanceType<typeof WebSocket> | undefined;
    try {
      await once(wss, 'listening');
      const took = new Promise<boolean>((resolve) => wss.on('connection', (ws, req) => resolve(takeOverFrames(ws, req.socket, { text: () => {}, maxFast: 1024, masked: true }))));
      client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, clientOpts);
      client.on('error', () => {});
      assert.is(await took, expected, JSON.stringify(serverOpts));
    } finally {
      client?.terminate();
      wss.close();
    }
  }
});

test('through a real WsLink against a real ws server: lines in order, a ping answered, a fragmented message whole, the close code kept', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  try {
    const port = (wss.address() as AddressInfo).port;
    const serverSide = once(wss, 'connection');
    const link = new WsLink({ url: `ws://127.0.0.1:${port}/chat/ws` });
    const lines: string[] = [];
    link.onLines((buf, start, end) => lines.push(buf.toString('utf8', start, end)));
    await once(link, 'open');
    assert.ok(link.framesOurselves, 'the frame reader took over (not ws, by a silent fallback)');
    const [ws] = (await serverSide) as [import('ws').WebSocket];
    for (let i = 0; i < 200; i++) ws.send(`[main] s: line ${i}`);
    const pong = once(ws, 'pong');
    ws.ping(Buffer.from('are you there'));
    const [payload] = (await pong) as [Buffer];
    assert.is(payload.toString(), 'are you there', 'the ping answered by ws, through our reader');
    ws.send('two\nlines');
    ws.send('frag', { fin: false });
    ws.send('mented\nand more', { fin: true });
    ws.send('[main] s: after');
    const closed = once(link, 'close');
    ws.close(1008, 'policy');
    await closed;
    assert.equal(lines, [...Array.from({ length: 200 }, (_, i) => `[main] s: line ${i}`), 'two', 'lines', 'fragmented', 'and more', '[main] s: after']);
    assert.is(link.closeKind, 'ws_policy_violation');
  } finally {
    wss.close();
  }
});

test('once ws takes no more (other returns false), nothing more is read: not the rest of that read, nor later ones', () => {
  const out: string[] = [];
  const r = new WsFrameReader((buf, start, end) => out.push(buf.toString('utf8', start, end)), (bytes) => bytes[0] !== 0x88, 1 << 20);
  const close = frame(0x88, Buffer.from([0x03, 0xe8]));
  r.push(Buffer.concat([text('before'), close, text('after')]));
  r.push(text('later'));
  assert.equal(out, ['before']);
  const split = new WsFrameReader((buf, start, end) => out.push(buf.toString('utf8', start, end)), (bytes) => bytes[0] !== 0x88, 1 << 20);
  const both = Buffer.concat([close, text('after')]);
  split.push(both.subarray(0, 3)); // the close frame held, then finished by the next read
  split.push(both.subarray(3));
  assert.equal(out, ['before'], 'a held close frame stops the read that completes it');
});

test('nothing after a close frame from a real server, even in the same read', async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  try {
    const port = (wss.address() as AddressInfo).port;
    // (A frame ws refuses is stopped the same way, by the receiver's state; ws itself then throws
    // its error a second time as an uncaught exception, with or without this reader: not tested here.)
    for (const [what, first] of [['a close frame', frame(0x88, Buffer.from([0x03, 0xe8]))]] as const) {
      const serverSide = once(wss, 'connection');
      const link = new WsLink({ url: `ws://127.0.0.1:${port}/chat/ws` });
      link.on('error', () => {});
      const lines: string[] = [];
      link.onLines((buf, start, end) => lines.push(buf.toString('utf8', start, end)));
      await once(link, 'open');
      assert.ok(link.framesOurselves);
      const [, req] = (await serverSide) as [unknown, import('node:http').IncomingMessage];
      const closed = once(link, 'close');
      // Raw bytes on the server's socket: one read holding a text frame, then `first`, then another.
      req.socket.write(Buffer.concat([text('before'), first, text('after')]));
      await closed;
      assert.equal(lines, ['before'], what);
    }
  } finally {
    wss.close();
  }
});

test.run();
