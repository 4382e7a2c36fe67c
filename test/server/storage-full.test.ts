import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteGraceStore } from '../../server/grace-store-sqlite.js';
import { HistoryStore } from '../../server/history-store.js';
import { openDatabase } from '../../store/database.js';
import { StorageHealth } from '../../store/storage-health.js';
import { canMountSmallDisk, smallDisk } from '../helpers/full-disk.js';
import { eventually } from '../helpers/hub.js';
import { needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const history = needing(suite('history store on a full disk'), canMountSmallDisk());

history('failed batches are held up to the cap (oldest dropped and counted), never shown as history, and stored once the disk has room', async () => {
  const disk = smallDisk(2048);
  if (!disk) throw new Error('the tmpfs mount worked a moment ago');
  const logs: string[] = [];
  const health = new StorageHealth({ log: (l) => logs.push(l) });
  const db = openDatabase(path.join(disk.dir, 'chat.db'));
  const store = new HistoryStore(db, { cap: 1000, flushEveryMs: 50, retryLines: 50, health });
  const count = () => (db.prepare('SELECT count(*) AS n FROM chat_history').get() as { n: number }).n;
  try {
    for (let i = 0; i < 20; i++) store.append('dev', i, 'ann', `stored ${i}`);
    store.flush();
    await eventually(() => (count() === 20 ? true : undefined), 'the first 20 lines committed');
    disk.fill();
    // 120 lines that cannot be stored, in three batches: 70 beyond the cap of 50 must go.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) store.append('dev', 100 + round * 40 + i, 'bob', `lost ${round * 40 + i} ${'x'.repeat(200)}`);
      store.flush();
      await eventually(() => (health.errors().length > 0 && store.heldLines + (health.droppedCounts().get('history') ?? 0) === (round + 1) * 40 ? true : undefined),
        `round ${round} failed and held`);
    }
    assert.is(store.heldLines, 50, 'held for retry: exactly the cap');
    assert.is(health.held().get('history'), 50);
    assert.is(health.droppedCounts().get('history'), 70, 'the oldest 70 dropped, counted');
    assert.equal(health.errors(), [{ store: 'history', kind: 'full', count: health.errors()[0]?.count ?? 0 }]);
    assert.ok((health.errors()[0]?.count ?? 0) >= 3);
    assert.is(store.problem, 'disk full');
    const shown = store.recent('dev', 200).map((l) => l.text);
    assert.equal(shown, Array.from({ length: 20 }, (_, i) => `stored ${i}`), 'only lines that are stored');
    assert.is(logs.filter((l) => l.includes('[full]')).length, 1, `logged once per kind:\n${logs.join('\n')}`);
    disk.free();
    // The rows are visible in the file a moment before the writer's reply reaches the store: wait for both.
    await eventually(() => (count() === 70 && store.heldLines === 0 ? true : undefined), 'the held 50 lines stored after the disk has room', 5000);
    assert.is(count(), 70);
    assert.is(store.problem, undefined);
    const after = store.recent('dev', 200).map((l) => l.text.split(' ').slice(0, 2).join(' '));
    assert.equal(after.slice(20), Array.from({ length: 50 }, (_, i) => `lost ${70 + i}`), 'the newest 50, in order');
    assert.ok(logs.some((l) => l.includes('history store: writing again')));
  } finally {
    await store.close();
    db.close();
    disk.cleanup();
  }
});

const grace = suite('grace store on a full database');

grace('a write that fails (SQLITE_FULL) never throws; rows are held up to the cap and written when there is room', async () => {
  const tmp = tempDir();
  const db = openDatabase(path.join(tmp.dir, 'chat.db'));
  const health = new StorageHealth({ log: () => {} });
  const store = new SqliteGraceStore(db, 60_000, 1000, { health, retryRows: 100, retryMs: 30 });
  try {
    const pages = (db.pragma('page_count', { simple: true }) as number);
    // SQLite's own limit on this connection: writes that need a new page fail with SQLITE_FULL.
    db.pragma(`max_page_count = ${pages}`);
    const rooms = Array.from({ length: 10 }, (_, i) => `room-${i}-${'r'.repeat(40)}`);
    for (let i = 0; i < 300; i++) store.remember(`nick${i}`, { rooms, active: rooms[0] as string }, 2000);
    // The old store threw SqliteError out of its setImmediate here: an uncaught exception.
    await eventually(() => (health.failing('grace') === 'full' ? true : undefined), 'a failed grace write');
    assert.is(store.pendingRows, 100, 'held for retry: exactly the cap');
    assert.is(health.droppedCounts().get('grace'), 200, 'the oldest 200 dropped, counted');
    assert.is(store.take('nick299', 3000)?.active, rooms[0], 'a held row still restores its rooms');
    db.pragma('max_page_count = 1073741823');
    await eventually(() => (health.failing('grace') === undefined ? true : undefined), 'the retry succeeded');
    const stored = (db.prepare('SELECT count(*) AS n FROM chat_grace').get() as { n: number }).n;
    assert.is(stored, 99, 'the 100 held rows minus the one taken');
    assert.is(store.pendingRows, 0);
  } finally {
    store.close();
    db.close();
    tmp.cleanup();
  }
});

history.run();
grace.run();
