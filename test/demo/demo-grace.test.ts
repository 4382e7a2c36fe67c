import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CliProcess } from '../helpers/cli.js';
import { killDemo, lastStatusLine, loadgenPid, readResults, startDemo, sum } from '../helpers/demo.js';
import { tempDir } from '../helpers/temp.js';

const CLIENTS = 10;

/** One short demo on `dir`; its results once it has exited 0. */
async function demoOn(dir: string) {
  let demo: CliProcess | undefined;
  let lgPid: number | undefined;
  try {
    const d = await startDemo(['--minutes', '0.05', '--clients', String(CLIENTS), '--rooms', '2', '--results-dir', dir]);
    demo = d.proc;
    lgPid = await loadgenPid(d.proc);
    const { code } = await d.proc.exited(30_000);
    assert.is(code, 0, d.proc.stderr());
    // A 3 s run prints its one status line at the end: the run's last tick, never the drain's
    // (which used to say `messages 60 (0.0/s)  no traffic yet  …  p99 0.0 ms`).
    const status = lastStatusLine(d.proc.stdout());
    assert.ok(status && status.messages > 0 && status.mps > 0 && status.clients === CLIENTS && status.p99 > 0, status?.line ?? d.proc.stdout());
    assert.match(status?.rooms ?? '', /^busiest room\d/);
    return readResults(path.join(dir, d.runId));
  } finally {
    killDemo(demo, lgPid);
  }
}

test('a demo right after a demo (within --grace, one store): its clients start in main, not in the first one\'s rooms', async () => {
  const tmp = tempDir();
  try {
    const first = await demoOn(tmp.dir);
    // The server remembers the first demo's nicknames and rooms for 60 s (--grace), in the store.
    const second = await demoOn(tmp.dir);
    for (const r of [first, second]) {
      const main = r.rooms.filter((x) => x.room === 'main');
      assert.ok(main.length > 0, `${r.summary.runId}: main in rooms.csv`);
      // Every client logs in to main: none was put back into rooms of an earlier run.
      assert.is(sum(main, 'joins'), CLIENTS, `${r.summary.runId}: joins of main`);
      assert.ok(r.summary.server.rooms.some((x) => x.room === 'main'), `${r.summary.runId}: main in summary.json`);
      assert.ok(r.markdown.includes('| main |'), `${r.summary.runId}: main in summary.md`);
    }
  } finally {
    tmp.cleanup();
  }
});

test.run();
