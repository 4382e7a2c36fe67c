// Delivery accounting decided from what each client saw in order: the settle rule, the room view's
// windows, and own messages decided by their echo (exact), by a window (no echo), or abandoned.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeliveryLedger, settleOne } from '../../loadgen/ledger.js';
import { RoomMoves } from '../../loadgen/room-moves.js';
import { WorkerStats } from '../../loadgen/worker-stats.js';
import { RoomView, type Expectation } from '../../loadgen/room-view.js';
import { OwnMessages, READ_MARGIN_MS, type OwnMessagesMode } from '../../loadgen/own-messages.js';
import { runNickIndex, runTag } from '../../loadgen/run-identity.js';
import { MemberOutages } from '../../loadgen/member-outages.js';

test('settle: short is lost, within the ambiguous recipients is neither, beyond them is unexpected', () => {
  assert.equal(settleOne(5, 0, 4), { expected: 5, lost: 1, unexpected: 0, ambiguous: 0 });
  assert.equal(settleOne(5, 2, 5), { expected: 5, lost: 0, unexpected: 0, ambiguous: 2 });
  assert.equal(settleOne(5, 2, 7), { expected: 5, lost: 0, unexpected: 0, ambiguous: 2 });
  assert.equal(settleOne(5, 2, 8), { expected: 5, lost: 0, unexpected: 1, ambiguous: 2 });
  assert.equal(settleOne(5, 2, 3), { expected: 5, lost: 2, unexpected: 0, ambiguous: 2 });
  // The sender never said what it expected (its record never came): what was seen is ambiguous.
  assert.equal(settleOne(-1, 0, 3), { expected: 0, lost: 0, unexpected: 0, ambiguous: 3 });
  // Wholly ambiguous (its sender dropped with it in flight): a recipient the sender never saw join
  // (on another node, as the sender's died) is no unexpected delivery.
  assert.equal(settleOne(0, -1, 11), { expected: 0, lost: 0, unexpected: 0, ambiguous: 11 });
  assert.equal(settleOne(0, -1, 0), { expected: 0, lost: 0, unexpected: 0, ambiguous: 0 });
});

test('ledger: a run that ends before a message\'s loss timeout leaves its missing recipients unjudged', () => {
  const l = new DeliveryLedger(1000, 0);
  l.addSent(Float64Array.from([1, 1, 4, 0, 0, 1, 2, 4, 0, 900])); // gid, seq, expected, ambiguous, written
  l.addReceipts(Float64Array.from([1 * 4294967296 + 1, 3, 1 * 4294967296 + 2, 2]), 950);
  // At 1500 message 1 is due (one recipient missing: lost); message 2 (due at 1900) is not yet.
  assert.equal(l.settle(1500, true), { expected: 6, lost: 1, unexpected: 0, ambiguous: 2 });
  assert.is(l.expectedTotal, 6);
  assert.is(l.lostTotal, 1);
  // The slack waits for other workers' receipts; once the run is over a message past its loss timeout is judged.
  const slack = new DeliveryLedger(1000, 500);
  slack.addSent(Float64Array.from([1, 1, 2, 0, 0]));
  slack.addReceipts(Float64Array.from([1 * 4294967296 + 1, 1]), 10);
  assert.equal(slack.settle(1200, true), { expected: 2, lost: 1, unexpected: 0, ambiguous: 0 });
});

test('ledger: 250,000 messages through a few seconds of loss window — every one settled once, the totals exact', () => {
  const l = new DeliveryLedger(1000, 0);
  const perTick = 5000;
  const ticks = 50;
  let seq = 0;
  let late: number[] = [];
  for (let t = 0; t < ticks; t++) {
    const now = t * 100;
    const sent: number[] = [];
    const early: number[] = [];
    // Most receipts come a tick after their messages (other workers' ticks), after older messages settled.
    l.addReceipts(Float64Array.from(late), now);
    late = [];
    for (let i = 0; i < perTick; i++) {
      seq++;
      const gid = seq % 3;
      // Every 10th message one recipient short (lost); every 10th + 5 two over, one of them ambiguous.
      const ambiguous = seq % 10 === 5 ? 1 : 0;
      const seen = seq % 10 === 0 ? 3 : seq % 10 === 5 ? 6 : 4;
      sent.push(gid, seq, 4, ambiguous, now);
      // Every 7th receipt reaches the ledger before its sender's record (another worker's tick).
      (seq % 7 === 0 ? early : late).push(gid * 4294967296 + seq, seen);
    }
    l.addReceipts(Float64Array.from(early), now);
    l.addSent(Float64Array.from(sent));
    l.settle(now);
    // 1000 ms of loss window at 100 ms a tick: at most 11 ticks of messages wait at any time.
    assert.ok(l.pending <= 11 * perTick, `${l.pending} pending at tick ${t}`);
  }
  // The last 10 ticks (written after 3,900 ms) wait for their deadline; their short ones still wait for a recipient.
  assert.is(l.pending, 10 * perTick);
  l.addReceipts(Float64Array.from(late), ticks * 100);
  assert.is(l.unsettled(), perTick);
  l.settle(ticks * 100 + 1000);
  assert.is(l.pending, 0);
  const n = ticks * perTick;
  assert.is(l.expectedTotal, 4 * n);
  assert.is(l.lostTotal, n / 10);
  assert.is(l.unexpectedTotal, n / 10);
  assert.is(l.ambiguousTotal, n / 10);
});

test('ledger: after a burst settles, what is left is still found and settled right', () => {
  const l = new DeliveryLedger(1000, 0);
  const burst: number[] = [];
  for (let seq = 1; seq <= 100_000; seq++) burst.push(1, seq, 2, 0, 0);
  l.addSent(Float64Array.from(burst));
  l.addSent(Float64Array.from([2, 1, 3, 0, 5000])); // due at 6000
  l.addReceipts(Float64Array.from([...Array.from({ length: 100_000 }, (_, i) => [1 * 4294967296 + i + 1, 2]).flat(), 2 * 4294967296 + 1, 1]), 0);
  assert.equal(l.settle(1000), { expected: 200_000, lost: 0, unexpected: 0, ambiguous: 0 });
  assert.is(l.pending, 1);
  l.addReceipts(Float64Array.from([2 * 4294967296 + 1, 1]), 5500); // its second recipient, after the table shrank
  assert.equal(l.settle(6000), { expected: 3, lost: 1, unexpected: 0, ambiguous: 0 });
  assert.is(l.pending, 0);
});

test('ledger: a receipt no sender reported, even one from a mangled 16-digit gid, is counted ambiguous', () => {
  const l = new DeliveryLedger(1000, 0);
  l.addReceipts(Float64Array.from([9_999_999 * 4294967296 + 42, 3, 7 * 4294967296 + 1, 2]), 0);
  l.settle(2000);
  assert.is(l.ambiguousTotal, 5);
  assert.is(l.pending, 0);
});

function view(members: string[]): RoomView {
  const v = new RoomView();
  v.reset('room1', 'me');
  v.replace(members, 'me');
  return v;
}

test('room view: joins and leaves inside the window are ambiguous and leave the certain count', () => {
  const v = view(['a', 'b', 'c']); // me + 3
  v.joined('x', 1000); // before the window
  v.joined('d', 2100); // inside
  v.left('a', 2200); // inside
  v.joined('e', 3500); // after
  // Counted at 2000 (before d joined, while a was still there): 5 members, of whom a is uncertain.
  assert.equal(v.windowed(5, 2000, 2000, 3000), { expected: 4, ambiguous: 2 });
  // Anchored at 2150 (d already in, a not yet out): both counted, both uncertain.
  assert.equal(v.windowed(6, 2000, 2150, 3000), { expected: 4, ambiguous: 2 });
  // A nick that joins and leaves inside the window is one ambiguous recipient.
  v.left('d', 2900);
  assert.equal(v.windowed(5, 2000, 2000, 3000).ambiguous, 2);
  assert.equal(v.windowed(5, 4000, 4000, 5000), { expected: 5, ambiguous: 0 }, 'no change, nothing ambiguous');
});

test('run identity: a tag of five base36 characters per prefix; the run nicknames are prefix, index and a retry suffix', () => {
  for (const p of ['ra', 'rb', 'lgabc', 'zoë', 'a.b-c_d']) assert.match(runTag(p), /^[0-9a-z]{5}$/, p);
  assert.is(runTag('lgabc'), runTag('lgabc'), 'the same prefix, the same tag (every worker computes it)');
  const tags = new Set(['ra', 'rb', 'lgabc', 'lgabd', 'lgabc1'].map(runTag));
  assert.is(tags.size, 5, 'prefixes a letter apart have other tags');
  const index = runNickIndex('a.b', 20);
  const ours = (nick: string) => index(nick) >= 0;
  for (const n of ['a.b0', 'a.b17', 'a.b19', 'a.b17_k3x9', 'a.b17_']) assert.ok(ours(n), n);
  for (const n of ['a.b', 'axb17', 'a.bc17', 'a.b17x', 'alice', 'xa.b17', 'a.b17_K-', 'a.b1 7', 'A.B17']) assert.not.ok(ours(n), n);
  assert.equal(['a.b17_k3x9', 'a.b0', 'a.b20'].map(index), [17, 0, -1], 'the index, or -1');
  // Not one of its 20 clients: a person named like one, beyond the run or written otherwise.
  for (const n of ['a.b20', 'a.b05', 'a.b007', 'a.b00', `a.b${'9'.repeat(20)}`]) assert.not.ok(ours(n), n);
});

test('room view: only the run nicknames are members — a person or another run in the room is not an expected recipient', () => {
  const v = new RoomView({ index: runNickIndex('ra', 10), stormNear: () => false, dropsNear: () => false });
  v.reset('room1', 'ra0');
  v.replace(['ra0', 'ra1', 'rb1', 'alice', 'ra2_x1'], 'ra0');
  assert.is(v.size, 3, 'ra0, ra1, ra2_x1');
  v.joined('rb2', 1000);
  v.joined('bob', 1000);
  v.left('alice', 1100);
  assert.is(v.size, 3);
  assert.equal(v.windowed(3, 900, 1000, 1200), { expected: 3, ambiguous: 0 }, 'their changes are not ours to doubt either');
  v.joined('ra3', 1300);
  v.left('ra1', 1400);
  assert.is(v.size, 3);
  assert.equal(v.windowed(4, 1250, 1350, 1450), { expected: 2, ambiguous: 2 }, 'four at 1350, of whom ra3 and ra1 are uncertain');
});

function own(members: string[], mode: Partial<OwnMessagesMode>) {
  const v = view(members);
  const decided = new Map<number, Expectation>();
  const m = new OwnMessages(v, { echo: true, oneServer: true, windowMs: 1000, timeoutMs: 5000, ...mode }, (seq, _w, e) => decided.set(seq, e));
  return { v, m, decided };
}

test('own messages, one server with echo: the members when the echo arrives, exactly', () => {
  const { v, m, decided } = own(['a', 'b'], {});
  m.sent(1, 100); // 3 members when written
  v.joined('c', 110); // the server handled c's join before message 1: its notice came first
  m.sent(2, 120);
  assert.is(m.awaitingEcho, 2);
  m.echoed(1, 130);
  v.left('a', 140); // handled after message 1, before message 2
  m.echoed(2, 150);
  assert.equal(decided.get(1), { expected: 4, ambiguous: 0 });
  assert.equal(decided.get(2), { expected: 3, ambiguous: 0 });
  assert.is(m.length, 0);
});

test('own messages, no echo: the window is read when a message is judged, so it reaches as far as the server is behind', () => {
  // ngircd's flood penalty: the server handles the message ~1.5 s after its write; c's join, handled
  // before it, is seen 1.4 s after the write. A fixed 1 s window called c unexpected.
  let windowMs = 1000;
  const judge = (lagged: boolean) => {
    const v = view(['a', 'b']);
    const decided = new Map<number, Expectation>();
    const m = new OwnMessages(v, { echo: false, oneServer: true, timeoutMs: 5000, get windowMs() { return windowMs; } }, (seq, _w, e) => decided.set(seq, e));
    windowMs = lagged ? 3000 : 1000;
    m.sent(1, 100);
    v.joined('c', 1500);
    // No recipient in this worker said when the server handled it: judged at the loss timeout, with the window.
    m.sweep(5099);
    assert.not.ok(decided.has(1), 'no delivery seen yet: not judged before the loss timeout');
    m.sweep(5100);
    return decided.get(1);
  };
  assert.equal(judge(false), { expected: 3, ambiguous: 0 }, 'c, joined before the message was handled, not counted: a delivery to it reads as unexpected');
  assert.equal(judge(true), { expected: 3, ambiguous: 1 }, 'the wider window: c neither expected nor not');
});

test('own messages, no echo: not judged before the server handled it — the window reaches past its first delivery in the worker', () => {
  // ngircd, measured: a client's burst (JOIN, PART, NAMES, four messages) put its message 2.4 s after
  // its write, while the window — twice the lag of its last round trips and the worker's last two
  // ticks — was 1.8 s. A leave handled before the message, seen at 1.98 s, read as a delivery lost; a
  // join there, as an unexpected one. (Times from 10 000: a write at 0 would read as awaiting its echo.)
  const t = (ms: number) => 10_000 + ms;
  const v = view(['a', 'b', 'c']);
  const decided = new Map<number, Expectation>();
  const m = new OwnMessages(v, { echo: false, oneServer: true, windowMs: 1811, timeoutMs: 5000 }, (seq, _w, e) => decided.set(seq, e));
  m.sent(1, t(0)); // me, a, b, c (a view's self is the caller's business)
  m.sent(2, t(100));
  m.sent(3, t(2500));
  v.left('c', t(1983)); // handled before message 1: c does not get it
  v.joined('d', t(2000)); // handled before message 1: d gets it
  m.sweep(t(1900));
  assert.is(decided.size, 0, 'the window has passed, but the message has reached no one yet: the server may not have handled it');
  m.delivered(2, t(2400));
  m.delivered(1, t(2388)); // a's copy, this worker's first
  m.delivered(1, t(2389)); // b's: the first one counts
  m.sweep(t(2388 + READ_MARGIN_MS - 1));
  assert.is(decided.size, 0, 'a change handled just before the message may be read a moment after it');
  m.sweep(t(2388 + READ_MARGIN_MS));
  assert.equal(decided.get(1), { expected: 3, ambiguous: 2 }, 'c and d crossed it: neither expected nor not');
  assert.not.ok(decided.has(2), 'message 2: its own delivery came later');
  m.sweep(t(2400 + READ_MARGIN_MS));
  assert.equal(decided.get(2), { expected: 3, ambiguous: 2 }, 'message 2 too, handled after message 1');
  // Not blind: a message handled at once keeps its window (the guess, 1.8 s), and a change after it is no doubt.
  m.delivered(3, t(2510));
  v.joined('e', t(4400));
  m.sweep(t(2500 + 1811));
  assert.equal(decided.get(3), { expected: 4, ambiguous: 0 }, 'me, a, b, d; e joined 1.9 s after the message was handled: a delivery to it is unexpected');
  // A message that reaches no client of this worker is judged at the loss timeout, with the window.
  m.sent(4, t(5000));
  v.joined('f', t(6000));
  m.sweep(t(9999));
  assert.not.ok(decided.has(4));
  m.sweep(t(10_000));
  assert.equal(decided.get(4), { expected: 5, ambiguous: 1 }, 'f, within the window');
  assert.is(m.length, 0);
});

test('own messages, no echo: a room with no other member in this worker is judged when its window closes, not held a loss timeout', () => {
  const ids = new Map([['me', 0], ['a', 1], ['b', 2]]);
  const elsewhere = { index: (n: string) => ids.get(n) ?? -1, stormNear: () => false, dropsNear: () => false, local: (i: number) => i === 0 };
  const v = new RoomView(elsewhere);
  v.reset('room1', 'me');
  v.replace(['a', 'b'], 'me');
  const decided = new Map<number, Expectation>();
  const m = new OwnMessages(v, { echo: false, oneServer: true, windowMs: 1000, timeoutMs: 5000 }, (seq, _w, e) => decided.set(seq, e));
  m.sent(1, 10_000);
  m.sweep(10_999);
  assert.not.ok(decided.has(1));
  m.sweep(11_000);
  assert.equal(decided.get(1), { expected: 3, ambiguous: 0 }, 'a and b are in other workers: no delivery here to wait for');
});

test('how far behind the server is: the longest of the last four command round trips, and the longest delivery of the last two ticks', () => {
  let now = 0;
  const stats = new WorkerStats(0);
  const moves = new RoomMoves('r', view([]), () => now, stats);
  moves.joining('r');
  now = 900;
  moves.joined('r', true, () => {});
  assert.is(moves.commandLagMs, 900);
  for (const [ask, answer] of [[1000, 1010], [2000, 2020], [3000, 3030], [4000, 4040]]) {
    now = ask as number;
    moves.askedUsers();
    now = answer as number;
    moves.members('r', [], 'me');
  }
  assert.is(moves.commandLagMs, 40, 'the 900 ms join is older than the last four');
  stats.latency(5_000, 2_400_000);
  stats.drainTick(1, { elu: 0, lagP99Ms: 0, lagMaxMs: 0 });
  assert.ok(Math.abs(stats.serverLagMs - 2400) < 5, String(stats.serverLagMs));
  stats.drainTick(2, { elu: 0, lagP99Ms: 0, lagMaxMs: 0 });
  assert.ok(Math.abs(stats.serverLagMs - 2400) < 5, 'kept a tick more');
  stats.drainTick(3, { elu: 0, lagP99Ms: 0, lagMaxMs: 0 });
  assert.is(stats.serverLagMs, 0);
});

test('own messages: members the run drops around the echo are ambiguous (a storm cuts what is in flight), the client itself never', () => {
  // Clients ra0…ra9; the plan drops ra2 at 1000 and ra0 (the sender) at 1000, ra3 at 5000. Near: within 50 of [from, to].
  const plannedDrop: Record<number, number> = { 0: 1000, 2: 1000, 3: 5000 };
  const near = (d: number, from: number, to: number) => d >= from - 50 && d <= to + 50;
  const run = {
    index: runNickIndex('ra', 10),
    stormNear: (from: number, to: number) => Object.values(plannedDrop).some((d) => near(d, from, to)),
    dropsNear: (i: number, from: number, to: number) => near(plannedDrop[i] ?? -1e9, from, to),
  };
  const v = new RoomView(run);
  v.reset('room1', 'ra0');
  v.replace(['ra0', 'ra1', 'ra2', 'ra3', 'alice'], 'ra0');
  assert.is(v.droppingNear(980, 990), 1, 'ra2; not ra0 itself, not ra3, not alice');
  assert.is(v.droppingNear(1990, 2000), 0);
  assert.is(v.droppingNear(400, 1900), 1, 'cut between the write and a late echo: still in flight');
  const decided = new Map<number, Expectation>();
  const m = new OwnMessages(v, { echo: true, oneServer: true, windowMs: 1000, timeoutMs: 5000 }, (seq, _w, e) => decided.set(seq, e));
  m.sent(1, 980);
  m.echoed(1, 990);
  m.sent(2, 1990);
  m.echoed(2, 2000);
  assert.equal(decided.get(1), { expected: 3, ambiguous: 1 });
  assert.equal(decided.get(2), { expected: 4, ambiguous: 0 });
  let asked = 0;
  const still = new RoomView({ ...run, stormNear: () => false, dropsNear: () => (asked++, true) });
  still.reset('room1', 'ra0');
  still.replace(['ra1', 'ra2'], 'ra0');
  assert.equal([still.droppingNear(980, 990), asked], [0, 0], 'no storm near: no member asked');
});

test('member outages: a message is cut when an outage began before its echo (+ read margin) and had not ended at its write', () => {
  const o = new MemberOutages(250);
  assert.is(o.anyCuts(0, 1e15), false, 'nobody ever down');
  o.down(3, 1000);
  o.down(3, 1500); // a second close while down changes nothing
  // [written, echo]: echoed well before the drop; echoed within the read margin of it; written while down.
  assert.equal([o.cuts(3, 500, 700), o.cuts(3, 500, 800), o.cuts(3, 5000, 5010), o.cuts(4, 5000, 5010)], [false, true, true, false]);
  o.up(3, 2000);
  assert.equal([o.cuts(3, 1900, 1950), o.cuts(3, 2001, 2010), o.anyCuts(2001, 2010), o.anyCuts(1900, 1950)], [true, false, false, true], 'written after its return: exact again');
  o.down(3, 4000);
  assert.equal([o.cuts(3, 2500, 3500), o.cuts(3, 3500, 3800)], [false, true], 'a second outage is its own');
  o.down(5, 200_000); // long after: the first outage is forgotten, the open one kept
  assert.equal([o.cuts(3, 1500, 1600), o.cuts(3, 300_000, 300_001)], [false, true]);
});

test('room view: a run client is one recipient under any of its nicknames, and its stale one goes when it joins under a new one', () => {
  const v = new RoomView({ index: runNickIndex('ra', 10), stormNear: () => false, dropsNear: () => false });
  v.reset('room1', 'ra0');
  v.replace(['ra0', 'ra8', 'ra8_x1', 'ra9'], 'ra0');
  assert.is(v.size, 3, 'a member list naming both (the old one still held by a dead node): receipts are per client');
  v.replace(['ra0', 'ra8', 'ra9'], 'ra0');
  v.joined('ra8_x1', 1000); // client 8 came back through another node under a new nickname
  assert.is(v.size, 3, 'still three clients');
  v.left('ra8_x1', 2000); // it moves on to another room under its new name
  assert.is(v.size, 2, 'the stale ra8 does not keep it a recipient');
  v.left('ra8', 3000); // the dead node's presence expires: nothing left to remove
  assert.is(v.size, 2);
  assert.equal(v.windowed(3, 900, 950, 1950), { expected: 2, ambiguous: 1 }, 'the stale one went at 1000: ambiguous around then');
});

test('windowed (several servers): a member the run saw cut off is ambiguous, also when its leave came after the window closed', () => {
  // ra2 dropped at 1000 (its node died); the live node says it left only at 3500, after the TTL.
  const outages = new MemberOutages(0);
  const run = {
    index: runNickIndex('ra', 10),
    stormNear: (from: number, to: number) => outages.anyCuts(from, to),
    dropsNear: (i: number, from: number, to: number) => outages.cuts(i, from, to),
  };
  const v = new RoomView(run);
  v.reset('room1', 'ra0');
  v.replace(['ra0', 'ra1', 'ra2', 'ra3'], 'ra0');
  assert.equal(v.windowed(4, 1500, 1510, 2510), { expected: 4, ambiguous: 0 }, 'before the loadgen knew');
  outages.down(2, 1000);
  assert.equal(v.windowed(4, 100, 110, 400), { expected: 4, ambiguous: 0 }, 'a message long before the drop');
  assert.equal(v.windowed(4, 1500, 1510, 2510), { expected: 3, ambiguous: 1 });
  v.left('ra2', 3500);
  assert.equal(v.windowed(4, 1500, 1510, 2510), { expected: 3, ambiguous: 1 }, 'decided after the leave: still a member at the anchor');
  assert.equal(v.windowed(3, 4000, 4010, 5010), { expected: 3, ambiguous: 0 }, 'after the leave it is no member at all');
  // Back under a new nickname after the window closed: its old one (a member then) is logged as gone
  // at the join, and still counts as the member it was.
  const renamed = new RoomView(run);
  renamed.reset('room1', 'ra0');
  renamed.replace(['ra0', 'ra1', 'ra2'], 'ra0');
  renamed.joined('ra2_k9', 3000);
  assert.equal(renamed.windowed(3, 1500, 1510, 2510), { expected: 2, ambiguous: 1 });
  const both = new RoomView(run);
  both.reset('room1', 'ra0');
  both.replace(['ra0', 'ra1', 'ra2', 'ra3'], 'ra0');
  both.left('ra2', 1200); // seen leaving and back (through another node) in the window: counted once
  both.joined('ra2', 1250);
  both.left('ra3', 1300);
  assert.equal(both.windowed(4, 1100, 1110, 2110), { expected: 2, ambiguous: 2 }, 'ra2 and ra3, each once');
});

test('own messages: a lost echo is decided when a later echo comes, never waited for', () => {
  const { m, decided } = own(['a', 'b'], {});
  m.sent(1, 100);
  m.sent(2, 110);
  m.echoed(2, 150); // the echo of 1 was dropped: lines keep order, it will not come
  assert.equal(decided.get(1), { expected: 3, ambiguous: 0 });
  assert.equal(decided.get(2), { expected: 3, ambiguous: 0 });
  assert.is(m.awaitingEcho, 0);
  m.sent(3, 200);
  m.sweep(5199);
  assert.not.ok(decided.has(3), 'not overdue yet');
  m.sweep(5200);
  assert.equal(decided.get(3), { expected: 3, ambiguous: 0 }, 'overdue: decided from the write');
});

test('own messages without echo: decided a window after the write; crossing changes are ambiguous', () => {
  const { v, m, decided } = own(['a', 'b'], { echo: false });
  m.sent(1, 1000); // me + a + b counted (a view's self is the caller's business)
  v.joined('c', 1200);
  m.delivered(1, 1010); // a member in this worker had it at once
  m.sweep(1999);
  assert.not.ok(decided.has(1));
  m.sweep(2000);
  assert.equal(decided.get(1), { expected: 3, ambiguous: 1 });
});

test('own messages: hundreds in flight, decided in pieces — each exactly once, with the members of its own moment', () => {
  const v = view(['a', 'b']);
  const decided = new Map<number, Expectation>();
  const calls: number[] = [];
  const m = new OwnMessages(v, { echo: true, oneServer: true, windowMs: 1000, timeoutMs: 5000 }, (seq, _w, e) => {
    calls.push(seq);
    decided.set(seq, e);
  });
  for (let seq = 1; seq <= 300; seq++) m.sent(seq, 1000 + seq);
  assert.is(m.length, 300);
  for (let seq = 1; seq <= 100; seq++) m.echoed(seq, 2000); // one at a time: 3 members then
  v.joined('c', 2100);
  m.echoed(150, 2200); // 101–149's echoes were dropped: decided from their writes; 150 now, 4 members
  assert.is(m.length, 150);
  assert.is(m.awaitingEcho, 150);
  for (let seq = 151; seq <= 300; seq++) m.echoed(seq, 2300);
  assert.is(m.length, 0);
  assert.is(m.awaitingEcho, 0);
  assert.equal(calls, Array.from({ length: 300 }, (_, i) => i + 1), 'each once, in order');
  assert.equal(decided.get(1), { expected: 3, ambiguous: 0 });
  assert.equal(decided.get(100), { expected: 3, ambiguous: 0 });
  assert.equal(decided.get(120)?.expected, 3, 'a lost echo: the members when it was written');
  assert.equal(decided.get(150), { expected: 4, ambiguous: 0 });
  assert.equal(decided.get(300), { expected: 4, ambiguous: 0 });
  assert.equal(m.oldestAwaitingEcho(), Infinity);
  // Half decided, then more written: the oldest still waiting is found past the decided ones.
  for (let seq = 301; seq <= 500; seq++) m.sent(seq, 3000 + seq);
  for (let seq = 301; seq <= 400; seq++) m.echoed(seq, 4000);
  assert.is(m.length, 100);
  assert.is(m.oldestAwaitingEcho(), 3401);
  m.abandon(4100);
  assert.equal(decided.get(401), { expected: 0, ambiguous: -1 }, 'wholly ambiguous');
  assert.equal(calls, Array.from({ length: 500 }, (_, i) => i + 1), 'each once, in order');
  // One whose echo is overdue is decided without it; the next, not yet overdue, is the oldest waiting.
  m.sent(501, 10_000);
  m.sent(502, 12_000);
  m.sweep(15_500);
  assert.equal(calls.slice(500), [501]);
  assert.is(m.oldestAwaitingEcho(), 12_000);
  assert.is(m.awaitingEcho, 1);
  assert.is(m.length, 1);
  m.echoed(502, 15_600); // the overdue one before it is decided already: not counted again
  assert.is(m.awaitingEcho, 0);
  assert.equal(calls.slice(500), [501, 502]);
});

test('own messages: a drop before the echo makes the message wholly ambiguous', () => {
  const { m, decided } = own(['a', 'b'], {});
  m.sent(1, 100);
  m.echoed(1, 120);
  m.sent(2, 130);
  m.abandon(140);
  assert.equal(decided.get(1), { expected: 3, ambiguous: 0 });
  assert.equal(decided.get(2), { expected: 0, ambiguous: -1 }, 'whoever sees it is ambiguous (WHOLLY_AMBIGUOUS)');
  assert.is(m.length, 0);
});

test('own messages, several servers: a drop within a window of the echo makes it wholly ambiguous (its node may have died before relaying it)', () => {
  const { m, decided } = own(['a', 'b'], { oneServer: false });
  m.sent(1, 100);
  m.echoed(1, 120); // its window ends at 1120
  m.sent(2, 500);
  m.echoed(2, 510);
  m.abandon(1300); // 1180 ms after the first echo, 790 ms after the second
  assert.equal(decided.get(1), { expected: 3, ambiguous: 0 }, 'decided by its window as before');
  assert.equal(decided.get(2), { expected: 0, ambiguous: -1 });
});

test.run();
