import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Inbox } from '../../loadgen/inbox.js';
import { encodePayload, tagBytes } from '../../loadgen/payload.js';
import { WorkerStats } from '../../loadgen/worker-stats.js';

/** Records latencies as given (exact µs) instead of into histograms. */
class SpyStats extends WorkerStats {
  readonly lat: [number, number][] = [];
  override latency(correctedUs: number, uncorrectedUs: number): void {
    this.lat.push([correctedUs, uncorrectedUs]);
  }
}

/** This run's tag, as the payloads carry it. */
const TAG = 'run01';

/** Client gid 7, loss timeout 2 s, a manual clock; own echoes listed as [seq, now]. */
function setup() {
  const clock = { t: 10_000 };
  const stats = new SpyStats(0);
  const echoes: [number, number][] = [];
  const inbox = new Inbox(7, tagBytes(TAG), stats, 2000, () => clock.t, (seq, now) => void echoes.push([seq, now]));
  return { clock, stats, echoes, inbox };
}

/** A line `[main] x: <payload>` and where its text starts. */
function line(gid: number, seq: number, intendedMs: number, writtenMs: number): [Buffer, number] {
  const prefix = '[main] x: ';
  return [Buffer.from(prefix + encodePayload(TAG, gid, seq, intendedMs, writtenMs, 40)), prefix.length];
}

const health = { elu: 0, lagP99Ms: 0, lagMaxMs: 0 };

test('a delivery: latency from intended and from written, receipt logged; duplicates and reorders counted', () => {
  const { clock, stats, inbox } = setup();
  clock.t = 10_003;
  inbox.receive(...line(3, 2, 9_990, 10_001), false);
  inbox.receive(...line(3, 1, 9_990, 10_000), false);
  inbox.receive(...line(3, 1, 9_990, 10_000), false);
  assert.is(stats.received, 2);
  assert.is(stats.reordered, 1);
  assert.is(stats.duplicated, 1);
  assert.is(stats.late, 0);
  assert.equal(stats.lat, [[13_000, 2000], [13_000, 3000]], 'the duplicate is not measured');
  const tick = stats.drainTick(1, health);
  assert.is(tick.receipts.length, 4, 'two receipts: (key, count) pairs');
  assert.equal([tick.receipts[1], tick.receipts[3]], [1, 1]);
});

test('later than the loss timeout: late, no receipt', () => {
  const { clock, stats, inbox } = setup();
  clock.t = 12_001;
  inbox.receive(...line(3, 1, 10_000, 10_000), false);
  clock.t = 12_002;
  inbox.receive(...line(3, 2, 10_002, 10_002), false);
  assert.is(stats.late, 1);
  assert.is(stats.received, 2);
  assert.is(stats.drainTick(1, health).receipts.length, 2);
});

test('own echoes go to ownEcho first (seq, now); not when another gid or not marked self; chat is ignored', () => {
  const { clock, stats, echoes, inbox } = setup();
  clock.t = 10_500;
  inbox.receive(...line(7, 4, 10_000, 10_000), true);
  inbox.receive(...line(7, 5, 10_000, 10_000), false);
  inbox.receive(...line(8, 6, 10_000, 10_000), true);
  inbox.receive(Buffer.from('[main] x: hello ~7.1~'), 10, true);
  assert.equal(echoes, [[4, 10_500]]);
  assert.is(stats.received, 3);
});

test('members in one worker share a message: each copy measured from its times, one receipt per member, in lines where they lie', () => {
  const { clock, stats } = setup();
  const members = [1, 2, 3].map((gid) => new Inbox(gid, tagBytes(TAG), stats, 2000, () => clock.t, () => {}));
  // Each copy in a bigger read buffer, as the decoder hands it over: `[start, end)` of the read.
  const [one, at] = line(9, 4, 10_000, 10_002);
  const read = Buffer.concat([Buffer.from('[main] z: ~run01.9.3.1.1~\n'), one, Buffer.from('\n[main] z: ~run01.9.5.')]);
  const start = read.indexOf(one);
  clock.t = 10_010;
  for (const m of members) m.receive(read, start + at, false, start + one.length);
  clock.t = 10_020;
  members[0]?.receive(read, start + at, false, start + one.length); // a duplicate to member 1
  assert.is(stats.received, 3);
  assert.is(stats.duplicated, 1);
  assert.equal(stats.lat, [[10_000, 8000], [10_000, 8000], [10_000, 8000]], 'every copy from intended 10,000 and written 10,002 ms');
  const receipts = stats.drainTick(1, health).receipts;
  assert.equal([...receipts], [9 * 4294967296 + 4, 3], 'one message, three receipts');
});

test('a copy cut short or lengthened on the way is read on its own (and refused); one with the same shape takes the first copy\'s times', () => {
  const { clock, stats } = setup();
  const [a, b, c, d] = [1, 2, 3, 4].map((gid) => new Inbox(gid, tagBytes(TAG), stats, 2000, () => clock.t, () => {}));
  const [good, at] = line(9, 4, 10_000, 10_002);
  clock.t = 10_010;
  a?.receive(good, at, false);
  const text = good.toString('utf8', at);
  const cut = Buffer.from(`[main] x: ${text.slice(0, text.indexOf('.', 9) + 1)}`); // `~run01.9.4.` and nothing after
  b?.receive(cut, 10, false);
  const close = text.indexOf('~', 1);
  const longer = Buffer.from(`[main] x: ${text.slice(0, close)}x${text.slice(close)}`); // a byte more, not a digit: no payload
  c?.receive(longer, 10, false);
  const [otherTimes, at2] = line(9, 4, 10_005, 10_006); // same message, same shape, other digits
  d?.receive(otherTimes, at2, false);
  assert.is(stats.received, 2, 'the first copy and the one of the same shape');
  assert.equal(stats.lat, [[10_000, 8000], [10_000, 8000]], "the sender's times, as the first copy read them");
  assert.equal([...stats.drainTick(1, health).receipts], [9 * 4294967296 + 4, 2]);
});

test('another run in the room: its messages, numbered like ours, are not measured, counted or remembered', () => {
  const { clock, stats, inbox } = setup();
  clock.t = 10_010;
  const theirs = (seq: number) => Buffer.from(`[main] rb3: ${encodePayload('run02', 3, seq, 10_000, 10_000, 40)}`);
  inbox.receive(theirs(1), 12, false);
  inbox.receive(theirs(1), 12, false);
  inbox.receive(theirs(2), 12, false);
  assert.equal([stats.received, stats.duplicated, stats.reordered, stats.lat.length], [0, 0, 0, 0]);
  assert.equal([...stats.drainTick(1, health).receipts], [], 'no receipt for the ledger');
  inbox.receive(...line(3, 2, 10_000, 10_000), false);
  inbox.receive(...line(3, 1, 10_000, 10_000), false);
  assert.equal([stats.received, stats.duplicated, stats.reordered], [2, 0, 1], 'ours from the same sender and numbers: new, not duplicates');
});

test('a message seen only too late reports no receipt; the next tick reads its times again', () => {
  const { clock, stats, inbox } = setup();
  clock.t = 13_000;
  inbox.receive(...line(3, 1, 10_000, 10_000), false);
  assert.is(stats.late, 1);
  assert.equal([...stats.drainTick(1, health).receipts], [], 'late: nothing to settle');
  const other = new Inbox(8, tagBytes(TAG), stats, 2000, () => clock.t, () => {});
  clock.t = 10_500;
  other.receive(...line(3, 1, 10_100, 10_200), false);
  assert.equal(stats.lat.at(-1), [400_000, 300_000], 'times read from this copy');
});

test.run();
