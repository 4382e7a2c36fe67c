import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SqliteGraceStore } from '../../server/index.js';
import { openDatabase } from '../../store/database.js';
import { killLeftovers, startServerProcess } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { tempDir } from '../helpers/temp.js';

const GRACE = 60_000;
const T0 = 1_700_000_000_000;

// Whatever an assert does, no server process outlives its test.
test.after.each(killLeftovers);

test('remember survives reopening the database; take returns it once; case-insensitive', () => {
  const tmp = tempDir();
  try {
    const file = path.join(tmp.dir, 'g.db');
    const db1 = openDatabase(file);
    const a = new SqliteGraceStore(db1, GRACE, T0);
    a.remember('Ann', { rooms: ['main', 'dev'], active: 'dev' }, T0);
    a.close();
    db1.close();
    const db2 = openDatabase(file);
    const b = new SqliteGraceStore(db2, GRACE, T0 + 1000);
    assert.equal(b.take('ann', T0 + 5000), { rooms: ['main', 'dev'], active: 'dev' });
    assert.is(b.take('ann', T0 + 5000), undefined, 'taken once');
    b.close();
    db2.close();
  } finally {
    tmp.cleanup();
  }
});

test('entries older than the grace period are not restored and are swept', () => {
  const tmp = tempDir();
  try {
    const db = openDatabase(path.join(tmp.dir, 'g.db'));
    const s = new SqliteGraceStore(db, GRACE, T0);
    s.remember('old', { rooms: ['a'], active: 'a' }, T0);
    s.remember('young', { rooms: ['b'], active: 'b' }, T0 + 30_000);
    s.remember('late', { rooms: ['c'], active: 'c' }, T0);
    assert.is(s.take('late', T0 + GRACE + 1), undefined, 'expired');
    s.sweep(T0 + GRACE + 1);
    const keys = db.prepare('SELECT nick_key FROM chat_grace ORDER BY nick_key').pluck().all();
    assert.equal(keys, ['young']);
    assert.equal(s.take('young', T0 + GRACE + 1), { rooms: ['b'], active: 'b' });
    s.close();
    db.close();
  } finally {
    tmp.cleanup();
  }
});

test('a connected nickname left behind by a crash starts its grace period at the next start', () => {
  const tmp = tempDir();
  try {
    const file = path.join(tmp.dir, 'g.db');
    const db1 = openDatabase(file);
    const a = new SqliteGraceStore(db1, GRACE, T0);
    a.track('bob', { rooms: ['main', 'ops'], active: 'ops' });
    a.track('gone', { rooms: ['x'], active: 'x' });
    a.track('gone', null);
    a.flush();
    db1.close(); // no close(), no remember: as after kill -9
    const db2 = openDatabase(file);
    const b = new SqliteGraceStore(db2, GRACE, T0 + 10 * GRACE);
    assert.equal(b.take('bob', T0 + 10 * GRACE + 1000), { rooms: ['main', 'ops'], active: 'ops' });
    assert.is(b.take('gone', T0 + 10 * GRACE + 1000), undefined);
    b.close();
    db2.close();
  } finally {
    tmp.cleanup();
  }
});

test('grace 0 keeps nothing', () => {
  const db = openDatabase(':memory:');
  const s = new SqliteGraceStore(db, 0, T0);
  s.remember('ann', { rooms: ['a'], active: 'a' }, T0);
  assert.is(s.take('ann', T0), undefined);
  s.close();
  db.close();
});

async function restartCase(signal: NodeJS.Signals): Promise<void> {
  const tmp = tempDir();
  const db = path.join(tmp.dir, 'chat.db');
  try {
    const first = await startServerProcess(['--db', db, '--results-dir', tmp.dir]);
    const ann = await LineClient.login(first.chatPort, 'ann');
    await ann.ask('/join dev', '* ann joined #dev');
    await ann.ask('/join ops', '* ann joined #ops');
    await ann.ask('/join dev', '* #dev is now your active room');
    first.proc.child.kill(signal);
    await first.proc.exited(30_000);
    ann.close();

    const second = await startServerProcess(['--db', db, '--results-dir', tmp.dir, '--port', String(first.chatPort)]);
    try {
      const again = await LineClient.connect(second.chatPort);
      await again.ask('/nick ann', /^\* Welcome back, ann\. Rooms restored: #main, #dev, #ops; active room: #dev$/);
      await again.ask('hello again', '[dev] You: hello again');
      const other = await LineClient.login(second.chatPort, 'zed');
      assert.match(await other.ask('/rooms', /^\* rooms/), /dev \(1\).*ops \(1\)/);
      again.close();
      other.close();
    } finally {
      second.proc.child.kill('SIGTERM');
      await second.proc.exited(30_000);
    }
  } finally {
    tmp.cleanup();
  }
}

test('two server processes on one db: rooms and active room come back after SIGTERM', () => restartCase('SIGTERM'));
test('two server processes on one db: rooms come back even after kill -9', () => restartCase('SIGKILL'));

test.run();
