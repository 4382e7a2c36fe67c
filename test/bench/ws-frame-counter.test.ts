import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameCounter } from '../../bench/ws-frame-counter.js';

/** Hand-written server frames (FIN set, unmasked), header sizes spelled out byte by byte. */
const text2 = (payload: string) => Buffer.concat([Buffer.from([0x81, payload.length]), Buffer.from(payload)]); // 2-byte header, < 126
const text4 = (n: number) => Buffer.concat([Buffer.from([0x81, 126, n >> 8, n & 0xff]), Buffer.alloc(n, 0x61)]); // 4-byte header
const text10 = (n: number) => Buffer.concat([Buffer.from([0x81, 127, 0, 0, 0, 0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]), Buffer.alloc(n, 0x62)]);
const ping = Buffer.from([0x89, 0]);

/** frames: 2-byte, 4-byte, 10-byte headers, a ping (not a delivery), an empty frame, an ack. */
const stream = Buffer.concat([text2('hello'), text4(300), text10(70_000), ping, text2(''), text2('[r0] You: hi'), text2('[r0] u1: hi')]);
const DATA_FRAMES = 6;

function count(chunks: Buffer[]): FrameCounter {
  const c = new FrameCounter(Buffer.from('[r0] You: '));
  for (const chunk of chunks) c.push(chunk);
  return c;
}

test('counts data frames with 2-, 4- and 10-byte headers in one chunk; control frames are not deliveries', () => {
  const c = count([stream]);
  assert.is(c.frames, DATA_FRAMES);
  assert.is(c.acks, 1);
});

test('the same stream split in two at every offset counts the same', () => {
  for (let at = 0; at <= stream.length; at++) {
    const c = count([stream.subarray(0, at), stream.subarray(at)]);
    if (c.frames !== DATA_FRAMES || c.acks !== 1) assert.unreachable(`split at ${at}: ${c.frames} frames, ${c.acks} acks`);
  }
});

test('one byte at a time around the headers (every header split at every byte)', () => {
  const head = Buffer.concat([text2('ab'), text4(130), text10(3), text2('[r0] You: x')]);
  const c = count([...head].map((b) => Buffer.from([b])));
  assert.is(c.frames, 4);
  assert.is(c.acks, 1);
});

test('a frame is counted only once its payload has fully arrived', () => {
  const f = text4(1000);
  const c = new FrameCounter();
  c.push(f.subarray(0, 500));
  assert.is(c.frames, 0);
  c.push(f.subarray(500));
  assert.is(c.frames, 1);
});

test('an ack prefix longer than the payload, or differing late, is no ack', () => {
  const c = count([text2('[r0] You'), text2('[r0] You! x'), text2('[r1] You: x')]);
  assert.is(c.frames, 3);
  assert.is(c.acks, 0);
});

test('1-byte frames hand their byte over (an Engine.IO ping is answered), split or not', () => {
  const seen: number[] = [];
  const c = new FrameCounter(undefined, (b) => seen.push(b));
  const two = text2('2');
  c.push(Buffer.concat([two, two.subarray(0, 2)]));
  c.push(two.subarray(2));
  assert.equal(seen, [0x32, 0x32]);
  assert.is(c.frames, 2);
});

test.run();
