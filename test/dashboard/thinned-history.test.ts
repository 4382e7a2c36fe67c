import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ThinnedHistory } from '../../dashboard/index.js';

test('keeps everything until full', () => {
  const r = new ThinnedHistory<number>(4);
  for (let i = 0; i < 4; i++) r.push(i);
  assert.equal(r.items(), [0, 1, 2, 3]);
  assert.is(r.thinned, false);
});

test('thins to every other item, doubling the stride, and always keeps the newest', () => {
  const r = new ThinnedHistory<number>(4);
  for (let i = 0; i <= 4; i++) r.push(i);
  assert.equal(r.items(), [0, 2, 4]);
  assert.is(r.thinned, true);
  r.push(5);
  assert.equal(r.items(), [0, 2, 4, 5]);
  r.push(6);
  assert.equal(r.items(), [0, 2, 4, 6]);
  r.push(7);
  r.push(8);
  assert.equal(r.items(), [0, 4, 8]);
  for (let i = 9; i < 1000; i++) r.push(i);
  const items = r.items();
  assert.ok(items.length <= 5, `bounded: ${items.length}`);
  assert.is(items[0], 0, 'still starts at the run start');
  assert.is(items[items.length - 1], 999, 'newest kept');
  assert.is(r.size, 1000);
});

test('clear starts over; bad sizes are refused', () => {
  const r = new ThinnedHistory<number>(2);
  for (let i = 0; i < 10; i++) r.push(i);
  r.clear();
  assert.equal(r.items(), []);
  r.push(7);
  assert.equal(r.items(), [7]);
  assert.throws(() => new ThinnedHistory(1), /maxItems must be an integer >= 2, got 1/);
});

test.run();
