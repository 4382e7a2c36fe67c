import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HistoryStore } from '../../server/history-store.js';
import { HistoryRing } from '../../server/history-ring.js';
import { batchTexts, HistoryBatchBuilder } from '../../server/history-batch.js';
import { openDatabase } from '../../store/database.js';
import { tempDir } from '../helpers/temp.js';

function pushText(ring: HistoryRing, ts: number, nick: string, text: string): void {
  const bytes = Buffer.from(`xx${text}yy`);
  ring.push(ts, nick, bytes, 2, bytes.length - 2);
}

function drain(ring: HistoryRing): string[] {
  const builder = new HistoryBatchBuilder();
  ring.drainInto(builder);
  const b = builder.build();
  const texts = batchTexts(b);
  return texts.map((text, i) => `${b.names[b.room[i] as number]} ${b.ts[i]} ${b.names[b.nick[i] as number]}: ${text}`);
}

test('a room\'s pending ring keeps its last cap lines, oldest first, and empties when drained', () => {
  const ring = new HistoryRing('Dev', 3);
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

test.run();
