import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QUEUE_MAX, SendKind, SendQueue } from '../../loadgen/send-queue.js';

/** The queue's entries, oldest first, as [due, kind, target]. */
function entries(q: SendQueue): [number, SendKind, number][] {
  return Array.from({ length: q.length }, (_, i) => [q.due(i), q.kind(i), q.target(i)]);
}

test('keeps messages oldest first with their due times, kinds and PM targets unchanged', () => {
  const q = new SendQueue();
  assert.ok(q.push(1000.25, SendKind.Room, 0));
  assert.ok(q.push(1003.5, SendKind.Pm, 17));
  assert.ok(q.push(1007, SendKind.Room, 0));
  assert.equal(entries(q), [[1000.25, SendKind.Room, 0], [1003.5, SendKind.Pm, 17], [1007, SendKind.Room, 0]]);
});

test('sent(n) forgets exactly the n oldest; sent(0) nothing', () => {
  const q = new SendQueue();
  q.push(1, SendKind.Room, 0);
  q.push(2, SendKind.Pm, 5);
  q.push(3, SendKind.Pm, 6);
  q.sent(0);
  assert.is(q.length, 3);
  q.sent(2);
  assert.equal(entries(q), [[3, SendKind.Pm, 6]]);
  q.push(4, SendKind.Room, 0);
  assert.equal(entries(q), [[3, SendKind.Pm, 6], [4, SendKind.Room, 0]], 'new entries go after the ones still waiting');
});

test('past its bound a message is refused and the queue is unchanged', () => {
  const q = new SendQueue(3);
  for (const due of [10, 20, 30]) assert.ok(q.push(due, SendKind.Room, 0));
  assert.not.ok(q.push(40, SendKind.Pm, 9));
  assert.equal(entries(q).map((e) => e[0]), [10, 20, 30]);
  q.sent(1);
  assert.ok(q.push(40, SendKind.Pm, 9), 'room again once one was written');
  assert.equal(entries(q).map((e) => e[0]), [20, 30, 40]);
});

test('the default bound is QUEUE_MAX (1000)', () => {
  const q = new SendQueue();
  assert.is(QUEUE_MAX, 1000);
  for (let i = 0; i < 1000; i++) assert.ok(q.push(i, SendKind.Room, 0));
  assert.not.ok(q.push(1000, SendKind.Room, 0));
  assert.is(q.length, 1000);
});

test('clear() empties it', () => {
  const q = new SendQueue();
  q.push(1, SendKind.Pm, 2);
  q.clear();
  assert.is(q.length, 0);
  q.push(5, SendKind.Room, 0);
  assert.equal(entries(q), [[5, SendKind.Room, 0]]);
});

test.run();
