import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LineArena } from '../../server/line-arena.js';
import { WriteCoalescer } from '../../server/write-coalescer.js';
import { LineClient } from '../helpers/line-client.js';
import { Recorder } from '../helpers/recording-connection.js';
import { startTestServer } from '../helpers/chat-server.js';

test('line arena: lines back to back, bytes never overwritten, a buffer that fills within a turn doubles', () => {
  const arena = new LineArena();
  const prefix = Buffer.from('[r] a: ');
  const handedOut: { buf: Buffer; at: number; text: string }[] = [];
  const sizes = new Set<number>();
  for (let i = 0; i < 3000; i++) {
    const text = `message ${i} ü`;
    const at = arena.append(prefix, Buffer.from(text), 1);
    handedOut.push({ buf: arena.buf, at, text });
    sizes.add(arena.buf.length);
  }
  for (const { buf, at, text } of handedOut) {
    const len = prefix.length + Buffer.byteLength(text) + 1;
    assert.is(buf.toString('utf8', at, at + len), `[r] a: ${text}\n`);
  }
  assert.equal([...sizes].sort((a, b) => a - b), [1024, 2048, 4096, 8192, 16384, 32768, 65536], 'doubles up to 64 KiB');
  // Consecutive lines in one buffer are adjacent: what makes a member's turn one slice.
  const [a, b] = handedOut as [{ buf: Buffer; at: number; text: string }, { buf: Buffer; at: number; text: string }];
  assert.ok(a.buf === b.buf, 'the first two lines share the first buffer');
  assert.is(b.at, a.at + prefix.length + Buffer.byteLength(a.text) + 1);
  // A room that went quiet is back to a small buffer from its next line on (its big one held nothing unsent).
  assert.is(arena.buf.length, 65536);
  arena.append(prefix, Buffer.from('after a pause'), 200);
  assert.is(arena.buf.length, 1024);
  // A room that slows down (a 1000-byte line a turn, then one every 20 turns) gets smaller buffers.
  for (let turn = 300; turn < 3000; turn++) arena.append(prefix, Buffer.alloc(1000, 120), turn);
  const busy = arena.buf.length;
  assert.ok(busy >= 4 * 1000, `${busy} bytes hold fewer than 4 turns`);
  for (let turn = 3000; turn < 100_000; turn += 20) arena.append(prefix, Buffer.alloc(1000, 120), turn);
  assert.ok(arena.buf.length < busy, `${arena.buf.length} after ${busy}`);
});

test('line arena: a busy room\'s turns mostly sit in one buffer (one slice per member per turn)', () => {
  const arena = new LineArena();
  const prefix = Buffer.from('[r] a: ');
  const line = Buffer.alloc(60, 120);
  let split = 0;
  const turns = 2000;
  for (let turn = 0; turn < turns; turn++) {
    // 150 lines a turn (~10 KB), as a room of 50 at capacity over /chat/ws.
    arena.append(prefix, line, turn);
    const start = arena.buf;
    for (let i = 1; i < 150; i++) arena.append(prefix, line, turn);
    if (arena.buf !== start) split++;
  }
  assert.ok(split / turns < 0.25, `${split} of ${turns} turns span two buffers`);
  assert.is(arena.buf.length, 65536);
});

test('queued connection: adjacent slices become one chunk; a gap, another buffer or a plain line starts a new one', () => {
  const coalescer = new WriteCoalescer();
  const conn = new Recorder(coalescer, false);
  const buf = Buffer.from('a\nb\nc\nd\n');
  const other = Buffer.from('x\ny\n');
  conn.sendSlice(buf, 0, 2);
  conn.sendSlice(buf, 2, 4);
  conn.sendSlice(buf, 6, 8); // skips c: a new run
  conn.sendSlice(other, 0, 2);
  conn.send(Buffer.from('pm\n'));
  conn.sendSlice(other, 2, 4);
  assert.is(conn.queuedBytes(), 13);
  coalescer.flushNow();
  assert.equal(conn.batches.map((b) => b.map((c) => c.toString())), [['a\nb\n', 'd\n', 'x\n', 'pm\n', 'y\n']]);
  assert.is(conn.queuedBytes(), 0);
});

test('bursts bigger than an arena, from two senders at once, reach every member whole and in order', async () => {
  const srv = await startTestServer({ maxRate: 0, maxQueue: 64 * 1024 * 1024 });
  const clients = await Promise.all(['ann', 'bob', 'cat'].map((n) => LineClient.login(srv.port, n)));
  const [ann, bob, cat] = clients as [LineClient, LineClient, LineClient];
  try {
    const n = 2000; // ~50 KB per sender per write, ~100 KB per turn: several arenas
    const burst = (who: string) => Array.from({ length: n }, (_, i) => `${who} ${i} ${'é'.repeat(i % 7)}.\n`).join('');
    ann.socket.write(burst('ann'));
    bob.socket.write(burst('bob'));
    cat.send('/pm ann mid-burst');
    await Promise.all([
      ann.waitFor(`[main] bob: bob ${n - 1} ${'é'.repeat((n - 1) % 7)}.`, 10_000),
      bob.waitFor(`[main] ann: ann ${n - 1} ${'é'.repeat((n - 1) % 7)}.`, 10_000),
      cat.waitFor(`[main] bob: bob ${n - 1} ${'é'.repeat((n - 1) % 7)}.`, 10_000),
      cat.waitFor(`[main] ann: ann ${n - 1} ${'é'.repeat((n - 1) % 7)}.`, 10_000),
      ann.waitFor(`[main] You: ann ${n - 1} ${'é'.repeat((n - 1) % 7)}.`, 10_000),
    ]);
    const expect = (from: string, as: string) => Array.from({ length: n }, (_, i) => `[main] ${as}: ${from} ${i} ${'é'.repeat(i % 7)}.`);
    const room = (c: LineClient, as: string) => c.lines.filter((l) => l.startsWith(`[main] ${as}: `));
    assert.equal(room(cat, 'ann'), expect('ann', 'ann'));
    assert.equal(room(cat, 'bob'), expect('bob', 'bob'));
    assert.equal(room(ann, 'bob'), expect('bob', 'bob'));
    assert.equal(room(ann, 'You'), expect('ann', 'You'));
    assert.equal(room(bob, 'ann'), expect('ann', 'ann'));
    assert.equal(room(bob, 'You'), expect('bob', 'You'));
    assert.ok(ann.lines.includes('[PM from cat] mid-burst'));
  } finally {
    for (const c of clients) c.close();
    await srv.stop();
  }
});

test.run();
