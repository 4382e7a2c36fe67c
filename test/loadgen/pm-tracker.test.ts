import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PmTracker } from '../../loadgen/pm-tracker.js';

/** Three PMs: seq 4 to lgX1 at 100, seq 7 to lgX2 at 150, seq 9 to lgX3 at 210. */
function three(): PmTracker {
  const t = new PmTracker();
  t.sent(4, 'lgX1', 100);
  t.sent(7, 'lgX2', 150);
  t.sent(9, 'lgX3', 210);
  return t;
}

test('an echo answers the oldest PM: its write time, then the next one', () => {
  const t = three();
  assert.is(t.echoed(), 100);
  assert.is(t.echoed(), 150);
  assert.is(t.length, 1);
  assert.is(t.echoed(), 210);
  assert.ok(Number.isNaN(t.echoed()), 'nothing pending: NaN, nothing recorded');
  assert.is(t.length, 0);
});

test('refused by name (any case): removes that PM and returns its sequence to retract', () => {
  const t = three();
  assert.is(t.refused('LGx2'), 7);
  assert.is(t.length, 2);
  assert.is(t.echoed(), 100, 'the others stay, in order');
  assert.is(t.echoed(), 210);
});

test('refused without a name: the oldest; by an unknown name: nothing', () => {
  const t = three();
  assert.is(t.refused('somebody'), -1);
  assert.is(t.length, 3);
  assert.is(t.refused(''), 4);
  assert.is(t.echoed(), 150);
  assert.is(new PmTracker().refused(''), -1);
  assert.is(new PmTracker().refused('lgX1'), -1);
});

test('two PMs to one name: a refusal takes the older', () => {
  const t = new PmTracker();
  t.sent(3, 'lgX5', 10);
  t.sent(5, 'lgX6', 20);
  t.sent(8, 'lgX5', 30);
  assert.is(t.refused('lgx5'), 3);
  assert.is(t.refused('lgx5'), 8);
  assert.is(t.refused('lgx5'), -1);
});

test('expire (protocols without PM echo): forgets those written before the bound, keeps the rest', () => {
  const t = three();
  t.expire(100);
  assert.is(t.length, 3, 'written at the bound is not before it');
  t.expire(150.5);
  assert.is(t.length, 1);
  assert.is(t.refused(''), 9);
  t.expire(1e9);
  assert.is(t.length, 0);
});

test('clear: a dropped connection answers nothing any more', () => {
  const t = three();
  t.clear();
  assert.is(t.length, 0);
  assert.is(t.refused(''), -1);
  t.sent(11, 'lgX4', 300);
  assert.is(t.echoed(), 300);
});

test.run();
