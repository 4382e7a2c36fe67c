import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HistoryStore } from '../../server/history-store.js';
import { PendingHistoryRing } from '../../server/pending-history-ring.js';
import { batchTexts, HistoryBatchBuilder } from '../../server/history-batch.js';
import { openDatabase } from '../../store/database.js';
import { eventually } from '../helpers/hub.js';
import { tempDir } from '../helpers/temp.js';

function pushText(ring: PendingHistoryRing, ts: number, nick: string, text: string): void {
  const bytes = Buffer.from(`xx${text}yy`);
  ring.push(ts, nick, bytes, 2, bytes.length - 2);
}

function drain(ring: PendingHistoryRing): string[] {
  const builder = new HistoryBatchBuilder();
  ring.drainInto(builder);
  const b = builder.build();
  const texts = batchTexts(b);
  return texts.map((text, i) => `${b.names[b.room[i] as number]} ${b.ts[i]} ${b.names[b.nick[i] as number]}: ${text}`);
}

test('a room\'s pending ring keeps its last cap lines, oldest first, and empties when drained', () => {
  const ring = new PendingHistoryRing('Dev', 3);
  for (let i = 1; i <= 5; i++) pushText(ring, i, 'ann', `l${i}`);
  assert.is(ring.size, 3);
  assert.equal(drain(ring), ['Dev 3 ann: l3', 'Dev 4 ann: l4', 'Dev 5 ann: l5']);
  assert.is(ring.size, 0);
  pushText(ring, 6, 'bob', 'l6 — ünïcode 🎉');
  assert.equal(drain(ring), ['Dev 6 bob: l6 — ünïcode 🎉'], 'after a drain it starts over; texts are the slices, decoded');
});

test('reads see lines not yet committed; the store keeps the last cap lines per room across a reopen', async () => {
  const tmp = tempDir();
  try {
    const file = `${tmp.dir}/h.db`;
    const db = openDatabase(file);
    const store = new HistoryStore(db, { cap: 100, flushEveryMs: 10_000 });
    for (let i = 0; i < 250; i++) store.append('Dev', 1000 + i, 'ann', `line ${i}`);
    store.append('ops', 5000, 'bob', 'only one');
    const recent = store.recent('dev', 3);
    assert.equal(recent.map((l) => l.text), ['line 247', 'line 248', 'line 249'], 'uncommitted lines are read');
    assert.equal(store.recent('OPS', 20).map((l) => `${l.room} ${l.nick}: ${l.text}`), ['ops bob: only one']);
    await store.close();
    db.close();

    const again = openDatabase(file);
    const counts = again.prepare('SELECT room_key, count(*) AS n FROM chat_history GROUP BY room_key ORDER BY room_key').all();
    assert.equal(counts, [{ room_key: 'dev', n: 100 }, { room_key: 'ops', n: 1 }]);
    const reread = new HistoryStore(again, { cap: 100 });
    const last = reread.recent('dev', 200);
    assert.is(last.length, 100);
    assert.is(last[0]?.text, 'line 150');
    assert.is(last[99]?.text, 'line 249');
    assert.ok(last.every((l, i) => i === 0 || l.ts > (last[i - 1] as { ts: number }).ts), 'oldest first');
    await reread.close();
    again.close();
  } finally {
    tmp.cleanup();
  }
});

test('reads (/join, /history) hand nothing to the writer: one batch per interval however many joins, same lines before and after', async () => {
  const tmp = tempDir();
  const db = openDatabase(`${tmp.dir}/h.db`);
  const store = new HistoryStore(db, { cap: 100, flushEveryMs: 60_000 });
  const count = () => (db.prepare('SELECT count(*) AS n FROM chat_history').get() as { n: number }).n;
  try {
    const seen: string[][] = [];
    for (let i = 0; i < 20; i++) {
      store.append('Dev', 1000 + i, 'ann', `line ${i}`);
      seen.push(store.recent('dev', 3).map((l) => `${l.room} ${l.nick}: ${l.text}`));
    }
    assert.equal(seen[0], ['Dev ann: line 0']);
    assert.equal(seen[19], ['Dev ann: line 17', 'Dev ann: line 18', 'Dev ann: line 19'], 'queued lines are read from memory');
    assert.is(store.batchesPosted, 0, '20 reads posted no batch');
    store.flush();
    assert.is(store.batchesPosted, 1);
    assert.equal(store.recent('DEV', 3).map((l) => l.text), ['line 17', 'line 18', 'line 19'], 'in flight: read from the batch');
    await eventually(() => (count() === 20 ? true : undefined), 'the batch committed');
    assert.equal(store.recent('dev', 3).map((l) => l.text), ['line 17', 'line 18', 'line 19'], 'committed: read from the table, once');
    store.append('Dev', 2000, 'bob', 'after the commit');
    assert.equal(store.recent('dev', 2).map((l) => l.text), ['line 19', 'after the commit'], 'stored and queued lines joined in order');
    assert.is(store.batchesPosted, 1);
  } finally {
    await store.close();
    db.close();
    tmp.cleanup();
  }
});

test('a :memory: database keeps history too: batches are committed on its own connection', async () => {
  const db = openDatabase(':memory:');
  const store = new HistoryStore(db, { cap: 3, flushEveryMs: 60_000 });
  const rows = () => db.prepare('SELECT room_key, nick, text FROM chat_history ORDER BY id').all();
  try {
    assert.ok(store.enabled, 'enabled for :memory:');
    for (let i = 1; i <= 5; i++) store.append('Dev', i, 'ann', `l${i}`);
    assert.equal(store.recent('dev', 20).map((l) => l.text), ['l3', 'l4', 'l5'], 'queued, capped');
    store.flush();
    await eventually(() => (rows().length === 3 ? true : undefined), 'the batch committed in :memory:');
    assert.equal(rows(), [{ room_key: 'dev', nick: 'ann', text: 'l3' }, { room_key: 'dev', nick: 'ann', text: 'l4' }, { room_key: 'dev', nick: 'ann', text: 'l5' }]);
    store.append('dev', 6, 'bob', 'l6');
    await store.close();
    assert.equal(rows().map((r) => (r as { text: string }).text), ['l4', 'l5', 'l6'], 'close commits the rest and trims to the cap; the db stays open');
  } finally {
    await store.close();
    db.close();
  }
});

test.run();
