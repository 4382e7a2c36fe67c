import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HistoryStore } from '../../server/history-store.js';
import { keepLastPerRoom } from '../../server/history-store.js';
import { openDatabase } from '../../store/database.js';
import { tempDir } from '../helpers/temp.js';

test('keepLastPerRoom drops only what the cap would trim, keeping order', () => {
  const rows = ['a', 1, 'x', 'a1', 'B', 2, 'y', 'b1', 'A', 3, 'x', 'a2', 'a', 4, 'x', 'a3', 'b', 5, 'y', 'b2'];
  assert.equal(keepLastPerRoom(rows, 2), ['B', 2, 'y', 'b1', 'A', 3, 'x', 'a2', 'a', 4, 'x', 'a3', 'b', 5, 'y', 'b2']);
  assert.is(keepLastPerRoom(rows, 5), rows, 'under the cap the batch is untouched');
});

test('reads see lines not yet committed; the store keeps the last cap lines per room across a reopen', async () => {
  const tmp = tempDir();
  try {
    const file = `${tmp.dir}/h.db`;
    const db = openDatabase(file);
    const store = new HistoryStore(db, { cap: 100, flushEveryMs: 10_000, maxQueued: 70 });
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
