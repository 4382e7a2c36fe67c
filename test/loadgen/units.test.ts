import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addEncoded, encodeHistogram, newHistogram, percentilesMs } from '../../loadgen/histograms.js';
import { DeliveryLedger } from '../../loadgen/ledger.js';
import { RunAggregate } from '../../loadgen/aggregate.js';
import { WorkerStats } from '../../loadgen/worker-stats.js';
import { decodePayload, encodePayload, newPayload, tagBytes } from '../../loadgen/payload.js';
import { advance, buildPlan, connectAt } from '../../loadgen/plan.js';
import { Prng } from '../../loadgen/prng.js';
import { getProtocol, newProtocolEvent, parseThreshold, resolveLoadOptions, runNickPrefix } from '../../loadgen/index.js';
import { hash as senderHash, ReceiverWindow, Seen } from '../../loadgen/receiver-window.js';
import { holds, measure, ThresholdTracker } from '../../loadgen/thresholds.js';
import { LineDecoder } from '../../server/index.js';
import { intendedTime } from '../../loadgen/send-queue.js';
import { progressLine } from '../../loadgen/progress.js';
import { loadgenTick } from '../helpers/snapshots.js';

test('nickname prefix: lg + 3 random letters when not given, so two runs do not share nicknames; a given one is kept', () => {
  const picks = [0, 25, 7];
  assert.is(runNickPrefix(() => picks.shift() as number), 'lgazh');
  assert.match(resolveLoadOptions({}).nickPrefix, /^lg[a-z]{3}$/);
  assert.match(resolveLoadOptions({ nickPrefix: '' }).nickPrefix, /^lg[a-z]{3}$/);
  assert.is(resolveLoadOptions({ nickPrefix: 'bot' }).nickPrefix, 'bot');
  // It tells this run's members from another's: `lg` would claim `lg1`'s clients, `ｌｇ` is `lg` to an XMPP server.
  for (const [p, why] of [['lg1', 'not ending in a digit'], ['ｌｇ', 'NFKC'], ['ﬁx', 'NFKC'], ['lg1_', 'without _'], ['a_b', 'without _']] as const) {
    assert.throws(() => resolveLoadOptions({ nickPrefix: p }), (e: Error) => e.message.includes(why) && e.message.includes(JSON.stringify(p)), p);
  }
  assert.is(resolveLoadOptions({ nickPrefix: 'zoë-1.a' }).nickPrefix, 'zoë-1.a');
  // Resolved once, in the main thread: the options every worker gets carry the one prefix.
  const o = resolveLoadOptions({});
  assert.is(resolveLoadOptions(o).nickPrefix, o.nickPrefix);
});

test('payload: round trip, padding to --size, and decoding across a chunk split', () => {
  const text = encodePayload('ab0cd', 42, 7, 1_700_000_000_123.456, 1_700_000_000_124.5, 60);
  assert.is(text.length, 60);
  const line = Buffer.from(`[room1] lg3: ${text}\n`);
  const got: Buffer[] = [];
  const dec = new LineDecoder(4096, { onLine: (l) => got.push(Buffer.from(l)), onOverflow: () => {} });
  dec.push(line.subarray(0, 20));
  dec.push(line.subarray(20));
  const p = newPayload();
  const tag = tagBytes('ab0cd');
  assert.ok(decodePayload(got[0] as Buffer, 13, p, tag));
  assert.equal(p, { gid: 42, seq: 7, intendedUs: 1_700_000_000_123_456, writtenUs: 1_700_000_000_124_500 });
  const bad = ['hello', '~1.2.3~', '~1.2.3.4', '~a.2.3.4~', '~1.2.3.4.5~',
    // The head (sender and sequence): each 1–16 digits and a dot, not cut short.
    '~', '~1', '~1.', '~1.2', '~.2.3.4~', '~1..3.4~', '~1x2.3.4~', '~1.2x.3.4~', `~${'1'.repeat(17)}.2.3.4~`, `~1.${'2'.repeat(17)}.3.4~`]
    .map((b) => b.replace('~', '~ab0cd.'))
    // The tag: this run's, whole, then a dot. Another run's messages, or the payload of before tags.
    .concat(['~1.2.3.4~', '~ab0ce.1.2.3.4~', '~ab0c.1.2.3.4~', '~ab0cd1.2.3.4~', '~AB0CD.1.2.3.4~', '~ab0cd', '~ab0cd.']);
  for (const b of bad) assert.not.ok(decodePayload(Buffer.from(b), 0, p, tag), b);
  assert.ok(decodePayload(Buffer.from(`~ab0cd.${'1'.repeat(16)}.${'2'.repeat(16)}.3.4~`), 0, p, tag), '16 digits each');
  assert.equal([p.gid, p.seq], [1111111111111111, 2222222222222222]);
});

test('intended time: due time, or first arrival if later, never after the write (corrected >= uncorrected)', () => {
  assert.is(intendedTime(1000, 0, 1003), 1000, 'a late write is charged from its due time');
  assert.is(intendedTime(1000, 1002, 1003), 1002, 'due before the first login: counts from arrival');
  // The scheduler fires up to 0.5 ms early: such a write was not kept waiting.
  assert.is(intendedTime(1000.4, 0, 1000), 1000);
  assert.is(intendedTime(1000, 1000.3, 1000.1), 1000.1);
});

test('receiver window: senders a stride apart (those of one room: gid % rooms) spread over the table, not onto a few slots', () => {
  for (const stride of [1, 8, 64, 1024]) {
    const slots = new Set(Array.from({ length: 64 }, (_, i) => senderHash(3 + i * stride) & 127));
    // 64 keys into 128 slots at random fill ~50 distinct slots; a hash keeping the low bits fills 128 / stride.
    assert.ok(slots.size >= 40, `stride ${stride}: ${slots.size} distinct slots of 128`);
  }
});

test('worker health: the median tick is the steady state; the mean counts the ramp and the tail', () => {
  const run = new RunAggregate(1000, 1000);
  const stats = new WorkerStats(0);
  // A ramp tick, three busy ones, a quiet last one: busy 20, 90, 95, 92, 30 %.
  const elus = [0.2, 0.9, 0.95, 0.92, 0.3];
  elus.forEach((elu, i) => run.mergeTick(i + 1, [stats.drainTick(i + 1, { elu, lagP99Ms: i, lagMaxMs: i })], 1000 * (i + 1)));
  const [w] = run.health();
  assert.equal({ mean: w?.eluMean, median: w?.eluMedian, max: w?.eluMax, lagMedian: w?.lagP99MedianMs }, { mean: 0.654, median: 0.9, max: 0.95, lagMedian: 2 });
});

test('worker health: idle drain ticks after the schedule are not load; a saturated one is', () => {
  const run = new RunAggregate(1000, 1000);
  const stats = new WorkerStats(0);
  const tick = (i: number, elu: number, scheduled: boolean) => run.mergeTick(i, [stats.drainTick(i, { elu, lagP99Ms: 1, lagMaxMs: 1 })], 1000 * i, false, scheduled);
  // 20 scheduled ticks, one of them saturated (5 %: still trusted), then two idle drain ticks.
  for (let i = 1; i <= 20; i++) tick(i, i === 10 ? 0.97 : 0.8, true);
  tick(21, 0.02, false);
  tick(22, 0.01, false);
  const [w] = run.health();
  assert.equal({ ticks: run.ticks, saturated: run.saturatedTicks, mean: w?.eluMean }, { ticks: 20, saturated: 1, mean: 0.809 }, 'the drain ticks change nothing');
  // A drain tick spent on a backlog is load: it counts (2 of 21 saturated: no longer trusted).
  tick(23, 0.95, false);
  assert.equal({ ticks: run.ticks, saturated: run.saturatedTicks }, { ticks: 21, saturated: 2 });
});

test('receiver window: new, duplicate, reordered', () => {
  const w = new ReceiverWindow();
  assert.is(w.check(1, 1), Seen.New);
  assert.is(w.check(1, 3), Seen.New);
  assert.is(w.check(1, 3), Seen.Duplicate);
  assert.is(w.check(1, 2), Seen.Reordered);
  assert.is(w.check(1, 2), Seen.Duplicate);
  assert.is(w.check(1, 1), Seen.Duplicate);
  assert.is(w.check(2, 1), Seen.New, 'senders are kept apart');
  assert.is(w.check(1, 40), Seen.New);
  assert.is(w.check(1, 3), Seen.Reordered, 'beyond the window: reordered, not a duplicate');
  assert.is(w.check(1, 39), Seen.Reordered);
});

test('receiver window: a thousand senders, and senders a hostile payload makes up, are each kept apart', () => {
  const w = new ReceiverWindow();
  // Past the first table's size (it grows), and senders that differ only above bit 32.
  const senders = [...Array.from({ length: 1000 }, (_, i) => i), 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, 7 * 2 ** 40];
  for (const s of senders) assert.is(w.check(s, 5), Seen.New, `sender ${s}, first message`);
  for (const s of senders) assert.is(w.check(s, 5), Seen.Duplicate, `sender ${s}, the same again`);
  for (const s of senders) assert.is(w.check(s, 3), Seen.Reordered, `sender ${s}, an older one`);
  for (const s of senders) assert.is(w.check(s, 3), Seen.Duplicate, `sender ${s}, the older one again`);
  for (const s of senders) assert.is(w.check(s, 5 + 32), Seen.New, `sender ${s}, 32 ahead`);
  // 32 ahead: the old high (5) is the window's last bit, 3 has slid out of it.
  for (const s of senders) assert.is(w.check(s, 5), Seen.Duplicate, `sender ${s}, the old high at the window's edge`);
  for (const s of senders) assert.is(w.check(s, 4), Seen.Reordered, `sender ${s}, beyond the window`);
});

test('prng and plan: same seed same numbers; Poisson gaps average 1/rate; phases bend time', () => {
  const a = new Prng(5, 1, 1);
  const b = new Prng(5, 1, 1);
  const c = new Prng(5, 2, 1);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.equal(xs, Array.from({ length: 5 }, () => b.next()));
  assert.not.equal(xs, Array.from({ length: 5 }, () => c.next()));
  let sum = 0;
  const r = new Prng(9);
  for (let i = 0; i < 20000; i++) sum += r.exp();
  assert.ok(Math.abs(sum / 20000 - 1) < 0.03, `mean gap ${sum / 20000}`);

  const plan = buildPlan(resolveLoadOptions({ clients: 10, rate: 2, duration: 10_000, ramp: 1000 }));
  assert.is(connectAt(plan, 0), 50);
  assert.is(connectAt(plan, 9), 950);
  assert.is(advance(plan, 0, 1), 500, 'one unit at 2/s takes 0.5 s');
  assert.is(advance(plan, 9900, 1), Infinity, 'past the end');
  const spiky = buildPlan(resolveLoadOptions({ scenario: { phases: [{ type: 'steady', duration: 1000, rate: 1 }, { type: 'spike', duration: 1000, rate: 10 }] } }));
  assert.is(spiky.duration, 2000);
  assert.is(advance(spiky, 500, 1), 1050, '0.5 units at 1/s, then 0.5 at 10/s');
});

test('thresholds: parsing, units, verdicts', () => {
  assert.equal(parseThreshold('p99<50ms'), { expr: 'p99<50ms', metric: 'p99', op: '<', limit: 50, windowMs: 0 });
  assert.is(parseThreshold('p999 <= 1.5s').limit, 1500);
  assert.is(parseThreshold('max<250us').limit, 0.25);
  assert.is(parseThreshold('loss<0.1%').limit, 0.1);
  assert.is(parseThreshold('errors<10 over 10s').windowMs, 10_000);
  for (const bad of ['p98<1ms', 'loss<5ms', 'errors<3%', 'p99<5%', 'p99 < 5ms over soon', 'p99']) assert.throws(() => parseThreshold(bad), /bad threshold/);
  assert.throws(() => parseThreshold('p99 < 5'), /a latency needs its unit, ms, s or us/, 'no unit: 5 ms or 5 s is not guessed');
  assert.throws(() => parseThreshold('loss<200%'), /loss is a percentage from 0 to 100/, 'a gate that cannot fail');
  assert.is(parseThreshold('loss<=100%').limit, 100);
  assert.throws(() => parseThreshold('loss<5'), /bad threshold 'loss<5': loss is a percentage: write it with %, like 'loss<5%'/, '5 % or 5 deliveries: not guessed');
  assert.ok(holds({ op: '<', limit: 5 }, 4.9));
  assert.not.ok(holds({ op: '<', limit: 5 }, 5));
  const h = newHistogram();
  for (let i = 1; i <= 1000; i++) h.recordValue(i * 1000);
  assert.is(measure('loss', { latency: h, lost: 1, expected: 1000, errors: 0 }), 0.1);
  assert.ok(Math.abs(measure('p99', { latency: h, lost: 0, expected: 0, errors: 0 }) - 990) < 1);
});

test('thresholds on nothing measured fail with no value; idle windows are not judged; the window said is the one judged', () => {
  const empty = { latency: newHistogram(), lost: 0, expected: 0, errors: 0 };
  const none = new ThresholdTracker(['p99<50ms', 'max<1ms', 'loss<1%', 'errors<10'].map(parseThreshold), 1000).results(empty);
  assert.equal(none.map((r) => [r.ok, r.value]), [[false, null], [false, null], [false, null], [true, 0]], 'a latency or loss gate does not pass on zero samples');
  // Ticks of 1 s: two idle, then two with 10 ms deliveries and one with a 90 ms one.
  const tick = (ms: number[], expected = ms.length, due = ms.length) => {
    const latency = newHistogram();
    for (const v of ms) latency.recordValue(v * 1000);
    return { latency, lost: 0, settledExpected: expected, errors: 0, due };
  };
  const t = new ThresholdTracker(['p99<50ms over 2s', 'loss<1% over 2s', 'p99<50ms over 1h', 'p99<50ms over 1ms'].map(parseThreshold), 1000);
  for (const f of [tick([]), tick([]), tick([10]), tick([10]), tick([90])]) t.addTick(f);
  const run = { latency: newHistogram(), lost: 0, expected: 3, errors: 0 };
  for (const v of [10, 10, 90]) run.latency.recordValue(v * 1000);
  const [w2, loss, hour, tiny] = t.results(run);
  assert.equal([w2?.ok, Math.round(w2?.value ?? 0), w2?.window], [false, 90, '2s'], 'the worst measured window (to the histogram precision)');
  assert.equal([loss?.ok, loss?.value], [true, 0], 'idle windows neither pass nor fail it');
  assert.equal([Math.round(hour?.value ?? 0), hour?.window], [90, 'run'], 'a window longer than the run: the run, and it says so');
  assert.equal([tiny?.window], ['1s'], 'a window shorter than a tick is one tick, and says so');
  // An outage: messages written (or due and not written) in a window with no delivery fails a latency gate.
  const outage = new ThresholdTracker(['p99<50ms over 2s', 'p99>1ms over 2s'].map(parseThreshold), 1000);
  for (const f of [tick([10]), tick([10]), tick([], 0, 5), tick([], 0, 5)]) outage.addTick(f);
  assert.equal(outage.results(run).map((r) => [r.ok, r.value]), [[false, null], [false, null]], 'no delivery in a window of due ones');
  // A pause shorter than the latency gate: messages fall due in a window with no delivery, then arrive
  // late in the next — the stall is in their latency (400 ms here), not an outage of the window before.
  const paused = new ThresholdTracker(['p99<2s over 1s'].map(parseThreshold), 1000);
  for (const f of [tick([10]), tick([], 0, 6), tick([400, 10])]) paused.addTick(f);
  assert.equal(paused.results(run).map((r) => [r.ok, Math.round(r.value ?? -1)]), [[true, 400]], 'held: the late ones came');
  // The drain after the schedule: nothing falls due while the last messages settle (as lost or not):
  // those windows are not judged, however many messages they settle.
  const drained = new ThresholdTracker(['p99<50ms over 2s'].map(parseThreshold), 1000);
  for (const f of [tick([10]), tick([10]), tick([], 40, 0), tick([], 40, 0), tick([], 40, 0)]) drained.addTick(f);
  assert.equal(drained.results(run).map((r) => [r.ok, Math.round(r.value ?? -1), r.window]), [[true, 10, '2s']], 'the drain is no outage');
  // Messages due and never written (the server died half-way): the deliveries that went were all on
  // time and none lost, yet no loss or latency gate passes; errors are counted anyway.
  const died = new ThresholdTracker(['loss<1%', 'p99<50ms', 'p99<50ms over 2s', 'errors<10'].map(parseThreshold), 1000);
  for (const f of [tick([10]), tick([10]), tick([10])]) died.addTick(f);
  const after = died.results({ ...run, unsent: 134 });
  assert.equal(after.map((r) => [r.ok, Math.round(r.value ?? -1)]), [[false, 0], [false, 90], [false, 10], [true, 0]]);
  assert.is(after[0]?.note, '134 messages fell due and were never written (unsent): it judges only what went');
  assert.is(after[3]?.note, undefined);
  assert.equal(died.results({ ...run, unsent: 0 }).map((r) => r.ok), [true, false, true, true], 'none unsent: judged on the figures alone');
});

test('progress line: the ticks after the schedule say they drain, not that they are its last second', () => {
  assert.match(progressLine(loadgenTick({ elapsedS: 7.02 }), 8000, 1000), /^\[   7s\/8s\] clients /);
  assert.match(progressLine(loadgenTick({ elapsedS: 8.01 }), 8000, 1000), /^\[   8s\/8s\] clients /, 'the tick that ends the schedule');
  assert.match(progressLine(loadgenTick({ elapsedS: 9.01 }), 8000, 1000), /^\[draining\/8s\] clients /);
  assert.match(progressLine(loadgenTick({ elapsedS: 8.26 }), 8000, 250), /^\[draining\/8s\]/, 'a drain tick of a 250 ms interval');
});

test('histograms merge by adding counts: percentiles of the merge equal those of one histogram of everything', () => {
  const one = newHistogram();
  const parts = [newHistogram(), newHistogram(), newHistogram()];
  const r = new Prng(3);
  for (let i = 0; i < 30000; i++) {
    const v = Math.round(r.exp() * 5000 * (1 + (i % 3) * 10));
    one.recordValue(v);
    (parts[i % 3] as ReturnType<typeof newHistogram>).recordValue(v);
  }
  const merged = newHistogram();
  for (const p of parts) addEncoded(merged, encodeHistogram(p));
  const { max: mMax, ...m } = percentilesMs(merged);
  const { max: oMax, ...o } = percentilesMs(one);
  assert.equal(m, o);
  // Decoding rebuilds max from counts: the top of its bucket, within HdrHistogram's 3 digits.
  assert.ok(Math.abs(mMax - oMax) / oMax < 0.001, `max ${mMax} vs ${oMax}`);
  const averaged = parts.map((p) => percentilesMs(p).p99).reduce((a, b) => a + b) / 3;
  assert.ok(Math.abs(averaged - percentilesMs(one).p99) > 1, 'averaging percentiles would have been wrong');
});

test('ledger: lost, unexpected, retracted PMs, receipts before records', () => {
  const l = new DeliveryLedger(1000, 0);
  const key = (g: number, s: number) => g * 4294967296 + s;
  l.addReceipts(Float64Array.from([key(1, 1), 2]), 0); // from another worker, before the sender's record
  // Records: gid, seq, expected, ambiguous, written ms.
  l.addSent(Float64Array.from([1, 1, 3, 0, 0, 1, 2, 2, 0, 0, 2, 1, 1, 0, 0]));
  l.addReceipts(Float64Array.from([key(1, 2), 3]), 10);
  l.addSent(Float64Array.from([2, 1, -1, 0, 0])); // PM to nobody: expected becomes 0
  assert.is(l.unsettled(), 1);
  assert.equal(l.settle(500), { expected: 0, lost: 0, unexpected: 0, ambiguous: 0 }, 'nothing before the timeout');
  assert.equal(l.settle(1500), { expected: 5, lost: 1, unexpected: 1, ambiguous: 0 });
  assert.is(l.expectedTotal, 5);
  assert.is(l.pending, 0);
});

test('chatpulse adapter: the lines of DESIGN §3 become typed events', () => {
  const s = getProtocol('chatpulse').session();
  assert.is(s.login('lg1'), '/nick lg1\n');
  const ev = newProtocolEvent();
  const parse = (line: string) => (s.parse(Buffer.from(line), ev), { ...ev });
  assert.is(parse('[room1] bob: hi').kind, 'message');
  assert.is(parse('[room1] bob: hi').textStart, 13);
  assert.ok(parse('[room1] You: ~1.2.3.4~').self);
  assert.is(parse('[PM from bob] yo').kind, 'pm');
  assert.is(parse('[PM to bob] yo').kind, 'pmEcho');
  assert.is(parse('* Welcome to chatpulse. Choose a nickname with /nick NAME').kind, 'hello');
  assert.equal(parse('* Welcome, lg1. You are in #main. Type /help for the commands.').rooms, ['main']);
  assert.equal(parse('* Welcome back, lg1. Rooms restored: #a, #b; active room: #b').rooms, ['a', 'b']);
  const j = parse('* lg1 joined #room2');
  assert.ok(j.kind === 'joined' && j.self && j.room === 'room2');
  assert.not.ok(parse('* bob left #room2').self);
  assert.equal(parse('* users in #room2 (2): bob, lg1').nicks, ['bob', 'lg1']);
  assert.is(parse("! nickname 'lg1' is taken").errorKind, 'nick_taken');
  assert.is(parse('! rate limit: at most 50 lines per second; excess dropped').errorKind, 'rate_limit');
  assert.is(parse('! rate limit: at most 50 lines per second; excess dropped').kind, 'error', 'the connection stays');
  // The last line before the server closes: the close is then counted once, as this kind.
  const cut = parse('! reading too slowly: over 1MiB of output waiting (slow consumer, --max-queue); what did not fit was dropped; closing the connection');
  assert.equal([cut.kind, cut.errorKind], ['closing', 'slow_consumer']);
  const idle = parse('! nothing received for 5m (idle timeout); closing the connection');
  assert.equal([idle.kind, idle.errorKind], ['closing', 'idle_timeout']);
  assert.is(parse('* [room1] 14:03:05 bob: history').kind, 'system', 'history is never a delivery');
  assert.is(parse('garbage').kind, 'ignore');
});

test.run();
