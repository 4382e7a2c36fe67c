import * as hdr from 'hdr-histogram-js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoadgenTickReport } from '../../loadgen/report.js';
import { ManualClock, RateAverage, TickAggregator, type Snapshot } from '../../metrics/index.js';
import { ChatEvents } from '../../server/index.js';

function setup(opts: { window?: number; metricRooms?: number; releaseAfterTicks?: number; maxLoadgenSources?: number } = {}) {
  const events = new ChatEvents();
  const clock = new ManualClock(1_700_000_000_000);
  const agg = new TickAggregator(events, { clock, intervalMs: 1000, runId: 'r1', ...opts }).start();
  const snaps: Snapshot[] = [];
  agg.onSnapshot((s) => snaps.push(s));
  const say = (room: string, n: number, deliveries = 1) => {
    for (let i = 0; i < n; i++) events.emit('message', { room, nick: 'x', text: 't', deliveries, bytesOut: 10 });
  };
  const members = new Map<string, number>();
  const join = (room: string, n = 1) => {
    for (let i = 0; i < n; i++) {
      members.set(room, (members.get(room) ?? 0) + 1);
      events.emit('join', { nick: 'x', room, members: members.get(room) as number });
    }
  };
  const leave = (room: string, n = 1) => {
    for (let i = 0; i < n; i++) {
      members.set(room, (members.get(room) ?? 0) - 1);
      events.emit('leave', { nick: 'x', room, members: members.get(room) as number });
    }
  };
  const last = () => snaps[snaps.length - 1] as Snapshot;
  const row = (room: string, s = last()) => s.rooms.find((r) => r.room === room);
  return { events, clock, agg, snaps, say, join, leave, last, row };
}

test('moving average: the events of the window over its seconds, fewer ticks while it fills', () => {
  const m = new RateAverage(3);
  assert.is(m.push(8, 1), 8);
  assert.is(m.push(4, 1), 6);
  assert.is(m.push(0, 1), 4);
  assert.is(m.push(6, 1), 10 / 3, 'the oldest tick left the window');
  assert.is(m.push(6, 1), 4);
  assert.is(m.push(3, 0.5), 15 / 2.5, 'a half tick weighs half');
  assert.throws(() => new RateAverage(0), /`window` to be a whole number >= 1, got `0`/);
});

test('MPS divides by the real elapsed time of each tick; the moving average is the messages of the window over its seconds', () => {
  const t = setup({ window: 3 });
  t.join('dev');
  t.say('dev', 10);
  t.clock.advance(1250); // the timer fired 250 ms late
  let r = t.row('dev');
  assert.is(t.last().intervalS, 1.25);
  assert.is(r?.messages, 10);
  assert.is(r?.mps, 8);
  assert.is(r?.mpsAvg, 8);
  t.say('dev', 4);
  t.clock.advance(1000);
  assert.is(t.row('dev')?.mps, 4);
  assert.is(t.row('dev')?.mpsAvg, 14 / 2.25, 'a longer tick weighs more');
  t.clock.advance(1000);
  assert.is(t.row('dev')?.mps, 0);
  assert.is(t.row('dev')?.mpsAvg, 14 / 3.25);
  t.say('dev', 3);
  t.clock.advance(500);
  t.agg.tick(); // a short tick, like the last one on shutdown
  r = t.row('dev');
  assert.is(r?.mps, 6);
  // The window's 7 messages over its 2.5 s, not the mean of 4, 0 and 6 (a short tick's burst weighing as a whole tick).
  assert.is(r?.mpsAvg, 7 / 2.5);
  assert.is(r?.messagesTotal, 17);
  const totals = t.last().totals;
  assert.is(totals.mps, 6);
  assert.is(totals.mpsAvg, 7 / 2.5);
  assert.is(totals.messagesTotal, 17);
  assert.is(t.last().tick, 4);
  assert.is(t.last().elapsedS, 3.75);
  assert.is(t.last().runId, 'r1');
});

test('a room that goes quiet keeps its row at zero and its average decays', () => {
  const t = setup({ window: 2 });
  t.join('a', 2);
  t.join('b');
  t.say('a', 6);
  t.say('b', 2);
  t.clock.advance(1000);
  assert.equal(t.last().rooms.map((r) => r.room), ['a', 'b'], 'busiest first');
  t.say('b', 2);
  t.clock.advance(1000);
  assert.equal(t.row('a'), {
    room: 'a', messages: 0, messagesTotal: 6, mps: 0, mpsAvg: 3, joins: 0, leaves: 0, joinsTotal: 2, leavesTotal: 0, members: 2,
  });
  assert.equal(t.last().rooms.map((r) => r.room), ['b', 'a']);
  t.clock.advance(1000);
  assert.is(t.row('a')?.mpsAvg, 0);
  assert.is(t.row('a')?.members, 2);
});

test('a room that appears mid-run gets a row with its own window', () => {
  const t = setup({ window: 3 });
  t.join('old');
  t.say('old', 3);
  t.clock.advance(1000);
  t.clock.advance(1000);
  assert.is(t.row('new'), undefined);
  t.join('new');
  t.say('new', 9);
  t.clock.advance(1000);
  assert.equal(t.row('new'), {
    room: 'new', messages: 9, messagesTotal: 9, mps: 9, mpsAvg: 9, joins: 1, leaves: 0, joinsTotal: 1, leavesTotal: 0, members: 1,
  });
  t.say('new', 3);
  t.clock.advance(1000);
  assert.is(t.row('new')?.mpsAvg, 6, 'mean of its two ticks, not of the run');
  assert.is(t.row('old')?.mpsAvg, 0);
  assert.is(t.last().totals.members, 2);
});

test('_other: rooms beyond --metric-rooms are summed, busiest first get rows, rows are sticky', () => {
  const t = setup({ metricRooms: 2, releaseAfterTicks: 2 });
  t.join('a', 3); t.join('b', 2); t.join('c', 1); t.join('d', 4);
  t.say('a', 5); t.say('b', 3); t.say('c', 1);
  t.clock.advance(1000);
  assert.equal(t.last().rooms.map((r) => r.room), ['a', 'b', '_other']);
  assert.equal(t.row('_other'), {
    room: '_other', messages: 1, messagesTotal: 1, mps: 1, mpsAvg: 1, joins: 5, leaves: 0, joinsTotal: 5, leavesTotal: 0, members: 5,
  });
  assert.is(t.last().totals.messages, 9);
  assert.is(t.last().totals.members, 10);
  assert.is(t.last().totals.joins, 10);

  // c becomes the busiest, but a and b still have members: they keep their rows.
  t.say('c', 10);
  t.clock.advance(1000);
  assert.equal(t.last().rooms.map((r) => r.room), ['a', 'b', '_other']);
  assert.is(t.row('_other')?.messages, 10);
  assert.is(t.row('_other')?.messagesTotal, 11);

  // b empties; after 2 idle ticks its row goes to the busiest waiting room (c, not d).
  t.leave('b', 2);
  t.clock.advance(1000);
  assert.is(t.row('b')?.members, 0);
  assert.is(t.row('b')?.leaves, 2);
  t.say('c', 1);
  t.clock.advance(1000);
  assert.ok(t.row('b'), 'idle for one tick only');
  t.say('c', 2);
  t.clock.advance(1000);
  assert.equal(t.last().rooms.map((r) => r.room), ['c', 'a', '_other']);
  assert.is(t.row('c')?.messagesTotal, 2, 'counts from when it got its row');
  assert.is(t.row('_other')?.members, 4);
  assert.is(t.row('_other')?.messagesTotal, 12);
});

test('a room that gave its row back and gets one again goes on from its totals: they are the run totals of its name', () => {
  const t = setup({ releaseAfterTicks: 2 });
  t.join('main');
  t.join('dev');
  t.say('dev', 3);
  t.leave('dev');
  t.clock.advance(1000);
  assert.equal([t.row('dev')?.joinsTotal, t.row('dev')?.leavesTotal, t.row('dev')?.messagesTotal], [1, 1, 3]);
  for (let i = 0; i < 3; i++) t.clock.advance(1000);
  assert.is(t.row('dev'), undefined, 'released after 2 idle ticks');
  t.join('Dev'); // another spelling of the same room
  t.say('Dev', 2);
  t.clock.advance(1000);
  const row = t.last().rooms.find((r) => r.room.toLowerCase() === 'dev');
  assert.equal([row?.joins, row?.joinsTotal, row?.leavesTotal, row?.messages, row?.messagesTotal], [1, 2, 1, 2, 5]);
});

test('_other appearing mid-run averages over its own ticks, as a new named row does', () => {
  const t = setup({ metricRooms: 1, window: 5 });
  t.join('a');
  for (let i = 0; i < 4; i++) {
    t.say('a', 2);
    t.clock.advance(1000);
  }
  assert.is(t.row('_other'), undefined, 'no row before a room overflows');
  t.join('b');
  t.say('b', 40);
  t.clock.advance(1000);
  assert.equal([t.row('_other')?.mps, t.row('_other')?.mpsAvg], [40, 40], 'not (0+0+0+0+40)/5 = 8');
  t.say('b', 20);
  t.clock.advance(1000);
  assert.is(t.row('_other')?.mpsAvg, 30);
});

test('10 000 invented rooms: rows and memory stay bounded', () => {
  const t = setup({ metricRooms: 50 });
  for (let i = 0; i < 10_000; i++) {
    const room = `r${(i * 7919) % 10_000}-${i.toString(36)}`;
    t.join(room);
    t.say(room, 1 + (i % 3));
    if (i % 2 === 0) t.leave(room);
  }
  t.clock.advance(1000);
  const s = t.last();
  assert.is(s.rooms.length, 51);
  assert.is(s.rooms.filter((r) => r.room !== '_other').length, 50);
  assert.is(s.rooms.reduce((a, r) => a + r.messages, 0), s.totals.messages);
  assert.is(s.totals.members, 5000);
  for (let i = 0; i < 10_000; i++) if (i % 2 === 1) t.leave(`r${(i * 7919) % 10_000}-${i.toString(36)}`);
  t.clock.advance(1000);
  assert.is(t.agg.trackedRooms, 50, 'empty folded rooms are forgotten; named ones wait for release');
  assert.is(t.last().rooms.length, 51);
});

test('totals: connections, PMs, deliveries, bytes, errors and disconnects by reason', () => {
  const t = setup();
  for (let i = 1; i <= 3; i++) t.events.emit('connect', { connId: i, transport: 'tcp', remote: '127.0.0.1' });
  t.events.emit('pm', { from: 'a', to: 'b' });
  t.say('main', 2, 3);
  t.events.emit('flush', { bytesIn: 100, bytesOut: 300, fanoutSeconds: [0.001] });
  t.events.emit('error', { connId: 1, reason: 'rate_limit' });
  t.events.emit('error', { connId: 1, reason: 'rate_limit' });
  t.events.emit('disconnect', { connId: 2, nick: 'b', reason: 'slow_consumer' });
  t.clock.advance(1000);
  const x = t.last().totals;
  assert.equal(
    [x.connections, x.connectionsTotal, x.privateMessages, x.deliveries, x.bytesIn, x.bytesOut, x.errors],
    [2, 3, 1, 6, 100, 300, 3],
  );
  assert.equal(x.errorsByReason, { rate_limit: 2, slow_consumer: 1 });
  assert.equal(x.disconnectsByReason, { slow_consumer: 1 });
  t.events.emit('disconnect', { connId: 1, nick: 'a', reason: 'quit' });
  t.clock.advance(1000);
  const y = t.last().totals;
  assert.equal([y.connections, y.connectionsTotal, y.deliveries, y.deliveriesTotal, y.errors, y.errorsTotal], [1, 3, 0, 6, 0, 3]);
  assert.equal(y.disconnectsByReason, { slow_consumer: 1, quit: 1 });
});

function report(source: string, p99: number, sent: number): LoadgenTickReport {
  const p = { p50: 1, p90: 2, p99, p999: p99 + 1, max: p99 + 2, count: 10 };
  return {
    type: 'loadgen-tick', source, target: 'chatpulse://127.0.0.1:5555', time: 0, elapsedS: 1, clients: 5, sent, received: sent * 2,
    sentTotal: sent, receivedTotal: sent, expectedTotal: sent, lostTotal: 1, duplicatedTotal: 0, reorderedTotal: 0,
    latencyMs: { corrected: p, uncorrected: p }, errors: {}, saturated: false,
  };
}

test('the hub counts every generator that ever reported, histograms or not, though it keeps only the most recent ones', () => {
  const t = setup({ maxLoadgenSources: 3 });
  for (const source of ['a', 'b', 'c', 'd', 'e', 'a']) t.agg.acceptLoadgenReport(report(source, 10, 1));
  t.clock.advance(1000);
  assert.equal(t.agg.latest?.loadgen.map((r) => r.source), ['d', 'e', 'a']);
  assert.is(t.agg.loadgenSourcesSeen, 5);
  assert.is(t.agg.loadgenLatency(), null, 'none sent histograms: the merged figures count none of them');
});

test('loadgen reports without histograms (older loadgens): latest per source in every snapshot; the totals row sums every report of the tick and keeps the worst percentile', () => {
  const t = setup();
  t.agg.acceptLoadgenReport(report('lg1', 10, 5));
  t.agg.acceptLoadgenReport(report('lg2', 30, 7));
  t.agg.acceptLoadgenReport(report('lg1', 20, 6));
  t.clock.advance(1000);
  assert.equal(t.last().loadgen.map((r) => [r.source, r.sent]), [['lg2', 7], ['lg1', 6]]);
  assert.equal(t.last().totals.loadgen, {
    sources: 2, sent: 18, received: 36, lost: 2, lostTotal: 2, p50Ms: 1, p90Ms: 2, p99Ms: 30, p999Ms: 31, maxMs: 32, samples: 30, merged: false,
  });
  t.clock.advance(1000);
  assert.is(t.last().loadgen.length, 2, 'still the latest per source');
  assert.is(t.last().totals.loadgen, null, 'nobody reported in this tick');
});

/** A histogram of `values` (µs) as the wire wants it, built here with the library, not with the code under test. */
function freshHistogram(values: readonly number[]): hdr.JsHistogram {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 }) as hdr.JsHistogram;
  for (const v of values) h.recordValue(v);
  return h;
}

function withHistograms(source: string, valuesUs: readonly number[], lostTotal: number): LoadgenTickReport {
  const h = freshHistogram(valuesUs);
  const own = { p50: 0, p90: 0, p99: h.getValueAtPercentile(99) / 1000, p999: 0, max: h.maxValue / 1000, count: h.totalCount };
  const b64 = hdr.encodeIntoCompressedBase64(h);
  return { ...report(source, own.p99, valuesUs.length), lostTotal, latencyMs: { corrected: own, uncorrected: own }, histograms: { corrected: b64, uncorrected: b64 } };
}

test('each tick carries the uncorrected p50/p99 of the merged uncorrected histograms beside the corrected ones', () => {
  const t = setup();
  // The schedule slipped: corrected 10 ms, the writes themselves took 1 ms.
  const corrected = freshHistogram(Array(100).fill(10_000));
  const uncorrected = freshHistogram(Array(100).fill(1_000));
  const own = { p50: 10, p90: 10, p99: 10, p999: 10, max: 10, count: 100 };
  t.agg.acceptLoadgenReport({
    ...report('slipping', 10, 100), latencyMs: { corrected: own, uncorrected: { ...own, p50: 1, p99: 1 } },
    histograms: { corrected: hdr.encodeIntoCompressedBase64(corrected), uncorrected: hdr.encodeIntoCompressedBase64(uncorrected) },
  });
  t.clock.advance(1000);
  const l = t.last().totals.loadgen;
  assert.ok(l);
  assert.is(l.p99Ms, corrected.getValueAtPercentile(99) / 1000);
  assert.is(l.p99UncorrectedMs, uncorrected.getValueAtPercentile(99) / 1000);
  assert.is(l.p50UncorrectedMs, uncorrected.getValueAtPercentile(50) / 1000);
  assert.ok(l.p99UncorrectedMs! < 1.01 && l.p99Ms > 9.99, `${l.p99UncorrectedMs} vs ${l.p99Ms}`);
});

test('loadgen reports with histograms: the totals row has the percentiles of one histogram of every delivery, not the worst source\'s', () => {
  const t = setup();
  // Four clients behind a 1.5 s stall, and a generator that made 250× the deliveries at about 2 ms.
  const slow = [1_400_000, 1_500_000, 1_500_000, 1_600_000];
  const fast = Array.from({ length: 1000 }, (_, i) => 1500 + i);
  const a = withHistograms('stalled', slow, 3);
  t.agg.acceptLoadgenReport(a);
  t.agg.acceptLoadgenReport(withHistograms('healthy', fast.slice(0, 600), 0));
  t.agg.acceptLoadgenReport(withHistograms('healthy', fast.slice(600), 2)); // two reports of one source in a tick: both count
  t.clock.advance(1000);
  const all = freshHistogram([...slow, ...fast]);
  const l = t.last().totals.loadgen;
  assert.ok(l);
  assert.is(l.p99Ms, all.getValueAtPercentile(99) / 1000);
  assert.is(l.p50Ms, all.getValueAtPercentile(50) / 1000);
  assert.is(l.p999Ms, all.getValueAtPercentile(99.9) / 1000);
  assert.is(l.maxMs, all.highestEquivalentValue(all.maxValue) / 1000, 'max: the top of its bucket (the encoding keeps buckets)');
  assert.is(l.samples, 1004);
  assert.is(l.merged, true);
  assert.ok(l.p99Ms < 3, `p99 ${l.p99Ms} ms is the healthy majority's`);
  assert.is.not(l.p99Ms, a.latencyMs.corrected.p99, 'not the worst source\'s p99');
  assert.equal([l.sources, l.sent, l.lost, l.lostTotal], [2, 1004, 5, 5]);
  assert.equal(t.last().loadgen.map((r) => [r.source, r.latencyMs.corrected.count, 'histograms' in r]), [['stalled', 4, false], ['healthy', 400, false]],
    'per source figures kept, histograms not carried into snapshots');
  // Lost is per tick: the next report's running total grew by 4.
  t.agg.acceptLoadgenReport(withHistograms('stalled', [], 7));
  t.clock.advance(1000);
  assert.equal([t.last().totals.loadgen?.lost, t.last().totals.loadgen?.lostTotal], [4, 7]);
  const run = t.agg.loadgenLatency();
  assert.is(run?.corrected.p99, all.getValueAtPercentile(99) / 1000, 'whole run: the same merged histogram');
  assert.is(run?.corrected.count, 1004);
});

test('close() makes a last partial tick, stops the timer and the subscriptions, and is idempotent', () => {
  const t = setup();
  t.say('main', 3);
  t.clock.advance(1000);
  t.say('main', 1);
  t.clock.advance(200); // no tick due yet
  assert.is(t.snaps.length, 1);
  const last = t.agg.close();
  assert.is(t.snaps.length, 2);
  assert.is(last?.intervalS, 0.2);
  assert.is(last?.totals.mps, 5);
  assert.is(t.agg.close(), last);
  t.say('main', 5);
  t.clock.advance(5000);
  assert.is(t.snaps.length, 2);
  assert.is(t.events.has('message'), false);
});

test('endWindowAt: the tick nearest the end is the last; close() publishes it with the drain folded in, at its own time', () => {
  const t = setup();
  const start = t.clock.now();
  // The end falls 300 ms after the third tick (timers drift): that tick is the nearest, the last.
  t.agg.endWindowAt(start + 3300);
  t.join('main', 2);
  for (let i = 0; i < 2; i++) {
    t.say('main', 4);
    t.clock.advance(1000);
  }
  assert.is(t.snaps.length, 2);
  t.say('main', 4);
  t.clock.advance(1000);
  assert.is(t.snaps.length, 2, 'the last tick is held, not published');
  // The drain: a late message, the clients leaving, the load generator's final report; seconds pass.
  t.say('main', 1);
  t.leave('main', 2);
  t.events.emit('pm', { from: 'a', to: 'b' });
  t.clock.advance(7000);
  assert.is(t.snaps.length, 2, 'no tick after the window');
  assert.is(t.agg.started, true);
  t.agg.start(); // a held window is not restarted
  t.clock.advance(1000);
  assert.is(t.snaps.length, 2);
  const last = t.agg.close();
  assert.is(t.snaps.length, 3);
  assert.is(last?.tick, 3);
  assert.is(last?.time, start + 3000);
  assert.is(last?.elapsedS, 3);
  assert.is(last?.intervalS, 1);
  assert.is(last?.totals.mps, 5, 'messages ÷ its own length, not the drain\'s');
  assert.is(last?.totals.messages, 5);
  assert.is(last?.totals.messagesTotal, 13);
  assert.is(last?.totals.privateMessagesTotal, 1);
  assert.is(last?.totals.leaves, 2);
  assert.is(t.row('main')?.members, 0);
  assert.is(t.agg.close(), last);
});

test('endWindowAt before the next tick (Ctrl-C): that next tick is the last; a close() before it ticks at once', () => {
  const t = setup();
  const start = t.clock.now();
  t.say('main', 2);
  t.clock.advance(1000);
  t.clock.advance(300);
  t.agg.endWindowAt(t.clock.now());
  t.clock.advance(700);
  t.clock.advance(1000);
  assert.is(t.snaps.length, 1);
  assert.is(t.agg.close()?.time, start + 2000);

  const u = setup();
  const ustart = u.clock.now();
  u.agg.endWindowAt(ustart + 5000);
  u.clock.advance(1000);
  u.clock.advance(400);
  assert.is(u.agg.close()?.time, ustart + 1400, 'closed before the window ended: an ordinary partial tick');
  assert.is(u.snaps.length, 2);
});

test.run();
