import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatCore } from '../../server/index.js';
import { HistoryStore } from '../../server/history-store.js';
import { openDatabase } from '../../store/database.js';
import { Room } from '../../server/rooms.js';
import { WriteCoalescer } from '../../server/write-coalescer.js';
import { Recorder } from '../helpers/recording-connection.js';

/**
 * The real chat core and write coalescer over connections that record what they would write: every
 * call below happens in one event-loop turn, as lines of one busy turn do, and `flushNow` ends it.
 * Room members follow the room's arena (a line appended is a line delivered); these tests pin down
 * what each member must then receive, and in which order, when other things happen in the same turn.
 */
function chat(names: string[], framed: string[] = [], history?: HistoryStore) {
  const core = new ChatCore({ maxRate: 0, graceMs: 0 }, { history });
  const coalescer = new WriteCoalescer(core.afterFlush);
  const people = new Map<string, { conn: Recorder; say: (line: string) => void }>();
  for (const name of names) {
    const conn = new Recorder(coalescer, framed.includes(name));
    const input = core.accept(conn);
    conn.handler = input;
    const say = (line: string) => input.onLine(Buffer.from(line), false);
    say(name);
    people.set(name, { conn, say });
  }
  coalescer.flushNow();
  for (const { conn } of people.values()) conn.batches.length = 0;
  const who = (name: string) => people.get(name) as { conn: Recorder; say: (line: string) => void };
  return { core, coalescer, who };
}

test('one busy turn: each member gets the room in order, its own lines as echoes, a PM and a leave where they happened', async () => {
  const { core, coalescer, who } = chat(['ann', 'bob', 'cat', 'dan', 'eve'], ['eve']);
  try {
    const [ann, bob, cat, dan, eve] = ['ann', 'bob', 'cat', 'dan', 'eve'].map(who) as [ReturnType<typeof who>, ReturnType<typeof who>, ReturnType<typeof who>, ReturnType<typeof who>, ReturnType<typeof who>];
    // dan is in side too (one may not leave main when it is one's only room).
    dan.say('/join side');
    coalescer.flushNow();
    for (const p of [ann, bob, cat, dan, eve]) p.conn.batches.length = 0;
    ann.say('a1');
    bob.say('b1');
    ann.say('a2');
    ann.say('a3');
    bob.say('/pm cat psst');
    eve.say('e1');
    dan.say('/leave main');
    bob.say('b2');
    ann.say('a4');
    coalescer.flushNow();
    assert.equal(ann.conn.received(), ['[main] You: a1', '[main] bob: b1', '[main] You: a2', '[main] You: a3', '[main] eve: e1', '* dan left #main', '[main] bob: b2', '[main] You: a4']);
    assert.equal(bob.conn.received(), ['[main] ann: a1', '[main] You: b1', '[main] ann: a2', '[main] ann: a3', '[PM to cat] psst', '[main] eve: e1', '* dan left #main', '[main] You: b2', '[main] ann: a4']);
    assert.equal(cat.conn.received(), ['[main] ann: a1', '[main] bob: b1', '[main] ann: a2', '[main] ann: a3', '[PM from bob] psst', '[main] eve: e1', '* dan left #main', '[main] bob: b2', '[main] ann: a4']);
    // Nothing the room says after dan left reaches dan.
    assert.equal(dan.conn.received().slice(0, 5), ['[main] ann: a1', '[main] bob: b1', '[main] ann: a2', '[main] ann: a3', '[main] eve: e1']);
    assert.not.ok(dan.conn.received().some((l) => l.includes('b2') || l.includes('a4')), dan.conn.received().join(' | '));
    // The WebSocket member reads the same room as frames.
    assert.equal(eve.conn.received(), ['[main] ann: a1', '[main] bob: b1', '[main] ann: a2', '[main] ann: a3', '[main] You: e1', '* dan left #main', '[main] bob: b2', '[main] ann: a4']);
    // One write each; ann's consecutive echoes are one run of her echo arena.
    for (const p of [ann, bob, cat, eve]) assert.is(p.conn.batches.length, 1);
    assert.is(ann.conn.batches[0]?.[2]?.toString(), '[main] You: a2\n[main] You: a3\n');
  } finally {
    await core.shutdown(0);
  }
});

test('a member of two rooms gets both in the order they spoke; a newcomer gets what was said after it joined', async () => {
  const { core, coalescer, who } = chat(['ann', 'bob', 'cat']);
  try {
    const [ann, bob, cat] = ['ann', 'bob', 'cat'].map(who) as [ReturnType<typeof who>, ReturnType<typeof who>, ReturnType<typeof who>];
    ann.say('/join side');
    coalescer.flushNow();
    for (const p of [ann, bob, cat]) p.conn.batches.length = 0;
    // ann is in main and side; bob speaks in main, cat joins side mid-turn and speaks there.
    bob.say('m1');
    cat.say('/join side');
    cat.say('s1');
    bob.say('m2');
    cat.say('s2');
    coalescer.flushNow();
    assert.equal(ann.conn.received(), ['[main] bob: m1', '* cat joined #side', '[side] cat: s1', '[main] bob: m2', '[side] cat: s2']);
    assert.equal(bob.conn.received(), ['[main] bob: m1'.replace('bob', 'You'), '[main] You: m2']);
    assert.equal(cat.conn.received().filter((l) => l.startsWith('[')), ['[main] bob: m1', '[side] You: s1', '[main] bob: m2', '[side] You: s2']);
  } finally {
    await core.shutdown(0);
  }
});

test('a turn bigger than a room arena: every follower gets every line, whole and in order', async () => {
  const { core, coalescer, who } = chat(['ann', 'bob', 'cat', 'dan'], ['dan']);
  try {
    const [ann, bob, cat, dan] = ['ann', 'bob', 'cat', 'dan'].map(who) as [ReturnType<typeof who>, ReturnType<typeof who>, ReturnType<typeof who>, ReturnType<typeof who>];
    const said: string[] = [];
    // ~200 KB in one turn: the arenas start fresh buffers several times while followed.
    for (let i = 0; i < 3000; i++) {
      const [speaker, nick] = i % 3 === 0 ? [ann, 'ann'] : [bob, 'bob'];
      const text = `${i} ${'ü'.repeat(i % 40)}`;
      speaker.say(text);
      said.push(`[main] ${nick}: ${text}`);
    }
    coalescer.flushNow();
    assert.equal(cat.conn.received(), said);
    assert.equal(dan.conn.received(), said);
    assert.equal(ann.conn.received(), said.map((l) => l.replace('[main] ann:', '[main] You:')));
    assert.ok((cat.conn.batches[0]?.length ?? 0) > 1, 'the turn spans several buffers');
    assert.ok((cat.conn.batches[0]?.length ?? 0) < 20, `${cat.conn.batches[0]?.length} chunks for one turn`);
  } finally {
    await core.shutdown(0);
  }
});

test('queued bytes count what a follower has coming, and a closed connection stops following', async () => {
  const { core, coalescer, who } = chat(['ann', 'bob']);
  try {
    const [ann, bob] = ['ann', 'bob'].map(who) as [ReturnType<typeof who>, ReturnType<typeof who>];
    ann.say('hello');
    ann.say('again');
    assert.is(bob.conn.queuedBytes(), Buffer.byteLength('[main] ann: hello\n[main] ann: again\n'));
    bob.conn.destroy();
    ann.say('after bob left');
    coalescer.flushNow();
    assert.equal(bob.conn.received(), []);
    assert.equal(ann.conn.received(), ['[main] You: hello', '[main] You: again', '* bob left #main', '[main] You: after bob left']);
  } finally {
    await core.shutdown(0);
  }
});

test('leaving a room, by any path, stops following its arenas: the fan-out counts on followers being members', () => {
  const coalescer = new WriteCoalescer();
  const room = new Room('r', 'r');
  const conn = new Recorder(coalescer, false);
  const member = { nick: 'ann', conn };
  room.add(member);
  const at = room.lines.append(Buffer.from('[r] bob: '), Buffer.from('hi'), 0);
  conn.follow(room.lines, at);
  assert.is(room.lines.followers, 1);
  room.remove(member);
  assert.is(room.lines.followers, 0);
  assert.not.ok(conn.follows(room.lines));
  room.lines.append(Buffer.from('[r] bob: '), Buffer.from('after'), 0);
  coalescer.flushNow();
  assert.equal(conn.received(), ['[r] bob: hi']);
});

test('a room counts its WebSocket members: a repeated add or remove changes nothing', () => {
  const room = new Room('r', 'r');
  const ws = (nick: string) => ({ nick, conn: { framed: true, unfollow() {} } });
  const [a, b] = [ws('a'), ws('b')];
  const tcp = { nick: 't', conn: { framed: false, unfollow() {} } };
  room.add(a);
  room.add(a);
  room.add(b);
  room.add(tcp);
  assert.is(room.framedMembers, 2);
  room.remove(a);
  room.remove(a);
  room.remove(tcp);
  assert.is(room.framedMembers, 1);
  room.remove(b);
  assert.is(room.framedMembers, 0);
});

test('through the chat: the last WebSocket member of a room still gets its frames', async () => {
  const { core, coalescer, who } = chat(['ann', 'bob', 'cat', 'dan'], ['bob', 'cat']);
  try {
    const [ann, bob, cat, dan] = ['ann', 'bob', 'cat', 'dan'].map(who) as [ReturnType<typeof who>, ReturnType<typeof who>, ReturnType<typeof who>, ReturnType<typeof who>];
    for (const p of [ann, bob, cat, dan]) p.say('/join side');
    bob.say('/join side'); // already there: no second count
    bob.say('/leave side');
    bob.say('/leave side'); // not there any more: refused, no second uncount
    dan.say('/leave side'); // a TCP member leaving takes nothing off the WebSocket count
    coalescer.flushNow();
    for (const p of [ann, bob, cat, dan]) p.conn.batches.length = 0;
    // cat is side's one WebSocket member now: it must still get frames.
    ann.say('to side');
    cat.say('/leave side');
    ann.say('alone');
    coalescer.flushNow();
    assert.equal(cat.conn.received().filter((l) => l.startsWith('[side]')), ['[side] ann: to side']);
    assert.equal(ann.conn.received().filter((l) => l.startsWith('[side]')), ['[side] You: to side', '[side] You: alone']);
    assert.equal(bob.conn.received().filter((l) => l.startsWith('[side]')), []);
  } finally {
    await core.shutdown(0);
  }
});

test('a room of WebSocket members only (which builds no lines): its history, its message events and a TCP member who joins mid-turn get every text', async () => {
  const db = openDatabase(':memory:');
  const history = new HistoryStore(db, { cap: 100, flushEveryMs: 60_000 });
  const { core, coalescer, who } = chat(['ann', 'bob', 'cat'], ['ann', 'bob'], history);
  const events: string[] = [];
  core.events.on('message', (e) => events.push(`${e.room} ${e.nick}: ${e.text}`));
  try {
    const [ann, bob, cat] = ['ann', 'bob', 'cat'].map(who) as [ReturnType<typeof who>, ReturnType<typeof who>, ReturnType<typeof who>];
    ann.say('/join side');
    bob.say('/join side');
    coalescer.flushNow();
    for (const p of [ann, bob, cat]) p.conn.batches.length = 0;
    ann.say('only frames ü');
    bob.say('still only frames');
    cat.say('/join side');
    ann.say('now lines too');
    cat.say('from tcp');
    coalescer.flushNow();
    const said = ['[side] ann: only frames ü', '[side] bob: still only frames', '[side] ann: now lines too', '[side] cat: from tcp'];
    assert.equal(bob.conn.received().filter((l) => l.startsWith('[side]')), [said[0], '[side] You: still only frames', said[2], said[3]]);
    assert.equal(cat.conn.received().filter((l) => l.startsWith('[side]')), [said[2], '[side] You: from tcp']);
    assert.equal(events, said.map((l) => l.replace('[side] ', 'side ')));
    assert.equal(history.recent('side', 10).map((l) => `[${l.room}] ${l.nick}: ${l.text}`), said);
  } finally {
    await core.shutdown(0);
    await history.close();
    db.close();
  }
});

test("a sender's lines carry its current nickname and the room it speaks in", async () => {
  const { core, coalescer, who } = chat(['ann', 'bob']);
  try {
    const [ann, bob] = ['ann', 'bob'].map(who) as [ReturnType<typeof who>, ReturnType<typeof who>];
    bob.say('/join side');
    ann.say('one');
    ann.say('/nick annie');
    ann.say('two');
    ann.say('/join side');
    ann.say('three');
    ann.say('/join main');
    ann.say('four');
    coalescer.flushNow();
    assert.equal(bob.conn.received().filter((l) => /^\[(main|side)\] ann/.test(l)), ['[main] ann: one', '[main] annie: two', '[side] annie: three', '[main] annie: four']);
  } finally {
    await core.shutdown(0);
  }
});

test('every room message of a turn gets its fan-out time, however many the turn holds', async () => {
  const { core, coalescer, who } = chat(['ann', 'bob']);
  const turns: number[][] = [];
  core.events.on('flush', (e) => turns.push(Array.from(e.fanoutSeconds)));
  try {
    const ann = who('ann');
    // As a transport does: the read's bytes first (the clocks are read then), then its lines.
    const t0 = performance.now();
    ann.conn.handler?.onBytes(1);
    for (let i = 0; i < 3000; i++) ann.say(`m${i}`);
    coalescer.flushNow();
    ann.conn.handler?.onBytes(1);
    ann.say('one more');
    coalescer.flushNow();
    const elapsed = (performance.now() - t0) / 1000;
    assert.equal(turns.map((t) => t.length), [3000, 1]);
    assert.ok(turns.flat().every((s) => s >= 0 && s <= elapsed), `seconds since each message's read, none over the ${elapsed} s the test took`);
  } finally {
    await core.shutdown(0);
  }
});

test('a message relayed from another node (maybe an older one) under a nickname like You never reads as the member\'s own echo', async () => {
  const { core, coalescer, who } = chat(['ann']);
  try {
    const ann = who('ann');
    const relay = core.clusterDelivery();
    relay.remoteMessage('main', 'You', 'forged');
    relay.remoteMessage('main', 'y0u', 'forged too');
    relay.remoteMessage('main', 'bob', 'fine');
    coalescer.flushNow();
    assert.equal(ann.conn.received(), ['[main] You*: forged', '[main] y0u*: forged too', '[main] bob: fine']);
  } finally {
    await core.shutdown(0);
  }
});

test('a relayed line goes into history with the time it was sent, not the time it arrived; an absurd time is not believed', async () => {
  const db = openDatabase(':memory:');
  const history = new HistoryStore(db, { cap: 100 });
  const { core } = chat(['ann'], [], history);
  try {
    const relay = core.clusterDelivery();
    const sent = Date.now() - 42_000; // a bus that held it 42 s (a hung Redis, say)
    relay.remoteMessage('main', 'bob', 'late', sent);
    relay.remoteMessage('main', 'bob', 'from the future', Date.now() + 3 * 86_400_000);
    relay.remoteMessage('main', 'bob', 'older node');
    const lines = history.recent('main', 10);
    assert.equal(lines.map((l) => l.text), ['late', 'from the future', 'older node']);
    assert.is(lines[0]?.ts, sent);
    for (const l of lines.slice(1)) assert.ok(Math.abs(l.ts - Date.now()) < 5000, `${l.text}: stamped now, ${l.ts}`);
  } finally {
    await core.shutdown(0);
    await history.close();
    db.close();
  }
});

test.run();
