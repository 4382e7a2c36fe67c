import path from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startServerProcess } from '../helpers/cli.js';
import { canMountSmallDisk, smallDisk } from '../helpers/full-disk.js';
import { eventually } from '../helpers/hub.js';
import { LineClient } from '../helpers/line-client.js';
import { parseExposition } from '../helpers/prom-text.js';
import { needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

// The old server died here: the first disconnect after the disk filled threw SqliteError out of the
// grace store's setImmediate, and every user was dropped.
needing(test, canMountSmallDisk())('chatpulse server with --db on a full disk keeps serving, counts the errors, tells users, and exits 0 on SIGTERM', async () => {
  const disk = smallDisk(4096);
  if (!disk) throw new Error('the tmpfs mount worked a moment ago');
  const results = tempDir();
  const db = path.join(disk.dir, 'chat.db');
  const { proc, chatPort, httpPort } = await startServerProcess(['--db', db, '--results-dir', results.dir, '--interval', '200ms', '--max-rate', '0']);
  const clients: LineClient[] = [];
  const stored = () => {
    const r = new Database(db, { readonly: true });
    try {
      return (r.prepare('SELECT text FROM chat_history ORDER BY id').all() as { text: string }[]).map((x) => x.text);
    } finally {
      r.close();
    }
  };
  try {
    const ann = await LineClient.login(chatPort, 'ann');
    clients.push(ann);
    for (let i = 0; i < 3; i++) ann.send(`before ${i}`);
    await eventually(() => (stored().length === 3 ? true : undefined), 'three lines stored before the disk fills');
    disk.fill();
    // Users keep chatting and coming and going; every disconnect writes the grace store.
    for (let round = 0; round < 8; round++) {
      const u = await LineClient.login(chatPort, `user${round}`);
      for (let i = 0; i < 20; i++) u.send(`after ${round}.${i} ${'x'.repeat(300)}`);
      await ann.waitFor(`[main] user${round}: after ${round}.19 ${'x'.repeat(300)}`);
      u.close();
      await ann.waitFor(`* user${round} left #main`);
    }
    const metrics = await eventually(async () => {
      const m = parseExposition(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text());
      const errs = (store: string) => m.value('chat_storage_errors_total', { store, kind: 'full' }) ?? 0;
      return errs('history') > 0 && errs('grace') > 0 && errs('runs') > 0 ? m : undefined;
    }, 'full-disk errors counted for history, grace and runs', 8000);
    const held = metrics.value('chat_storage_held', { store: 'history' }) ?? -1;
    assert.ok(held >= 0 && held <= 10_000, `held lines bounded: ${held}`);
    const answer = await ann.ask('/history 200', /^\* history is not being saved right now/);
    assert.is(answer, '* history is not being saved right now (disk full)');
    const end = ann.lines.lastIndexOf(answer);
    const start = ann.lines.findLastIndex((l, i) => i < end && l.startsWith('* history of #main'));
    const block = ann.lines.slice(start, end);
    // The 160 lines sent after the disk filled were delivered live, but are not history.
    assert.equal(block.map((l) => l.replace(/ \d\d:\d\d:\d\d /, ' T ')), [
      '* history of #main: last 3 lines (UTC)',
      '* [main] T ann: before 0', '* [main] T ann: before 1', '* [main] T ann: before 2',
    ]);
    await ann.ask('/join ops', '* history is not being saved right now (disk full)');
    assert.equal(stored(), ['before 0', 'before 1', 'before 2'], 'nothing else reached the file');
    assert.is(proc.child.exitCode, null, 'still running');
    const stderr = proc.stderr();
    assert.is(stderr.split('\n').filter((l) => l.includes('history store:') && l.includes('[full]')).length, 1, `logged once:\n${stderr}`);
    proc.child.kill('SIGTERM');
    const exit = await proc.exited(10_000);
    assert.equal(exit, { code: 0, signal: null }, `stderr:\n${proc.stderr()}`);
    assert.not.match(proc.stderr(), /Uncaught|SqliteError: database or disk is full\n\s+at /);
  } finally {
    for (const c of clients) c.close();
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited().catch(() => {});
    results.cleanup();
    disk.cleanup();
  }
});

test.run();
