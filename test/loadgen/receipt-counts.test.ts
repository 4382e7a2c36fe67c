/**
 * The worker's receipt table against plain counting: every (sender, sequence) received is counted
 * once per receipt, across growth and across ticks, whatever the keys.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReceiptCounts } from '../../loadgen/receipt-counts.js';
import { Prng } from '../../loadgen/prng.js';

function asPairs(flat: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as number, flat[i + 1] as number]);
  return out.sort((a, b) => a[0] - b[0]);
}

test('a few receipts: each message with how many times it came', () => {
  const r = new ReceiptCounts();
  r.add(3, 1);
  r.add(3, 1);
  r.add(3, 2);
  r.add(0, 0); // a hostile payload's key 0 is a key like any other
  r.add(3, 1);
  assert.is(r.size, 3);
  assert.equal(asPairs(r.take()), [[0, 1], [3 * 4294967296 + 1, 3], [3 * 4294967296 + 2, 1]]);
  assert.is(r.size, 0);
  assert.equal(asPairs(r.take()), [], 'taken: empty');
  r.add(3, 1);
  assert.equal(asPairs(r.take()), [[3 * 4294967296 + 1, 1]], 'the next tick starts from zero');
});

test('50,000 messages × up to 5 receipts, in random order, through several growths: the same counts as a Map', () => {
  const rng = new Prng(7, 1, 1);
  const r = new ReceiptCounts();
  const expected = new Map<number, number>();
  for (let n = 0; n < 150_000; n++) {
    const gid = Math.floor(rng.next() * 400);
    const seq = 1 + Math.floor(rng.next() * 125);
    r.add(gid, seq);
    const key = gid * 4294967296 + seq;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  const got = asPairs(r.take());
  assert.is(got.length, expected.size);
  assert.equal(got, [...expected].sort((a, b) => a[0] - b[0]));
});

test.run();
