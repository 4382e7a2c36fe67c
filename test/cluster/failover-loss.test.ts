import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSummary, runLoad } from '../../loadgen/index.js';
import type { LoadgenTickReport } from '../../protocol/loadgen-report.js';
import { killLeftovers, startServerProcess } from '../helpers/cli.js';
import { startRedis } from '../helpers/redis.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const redisBin = findTool('redis-server', 'redis-server');
const test = needing(uvuTest, redisBin);

test('kill -9 one of two nodes mid-run: its clients drop, the live node goes on, nothing is counted lost, and what they could not send is counted unsent', async () => {
  const redis = await startRedis(redisBin as string);
  const dirs = [tempDir(), tempDir()];
  try {
    // A presence TTL long enough that the live node tells its members of the dead node's users well
    // after the loadgen saw them drop: the messages between are the ones this is about.
    const node = (id: string, dir: string) => startServerProcess([
      '--results-dir', dir, '--redis', redis.url, '--node-id', id, '--presence-ttl', '2500ms', '--no-metrics',
    ]);
    const [a, b] = [await node('a', dirs[0]!.dir), await node('b', dirs[1]!.dir)];
    // One room; workers take every other client and so do the targets: worker 0 runs a's clients and
    // worker 1 b's, so b's senders learn of a's clients dropping only from the other worker.
    const killer = setTimeout(() => a.proc.child.kill('SIGKILL'), 2500);
    let lastReport: LoadgenTickReport | undefined;
    const s = await runLoad({
      targets: [`127.0.0.1:${a.chatPort}`, `127.0.0.1:${b.chatPort}`],
      clients: 16, rooms: 1, rate: 5, duration: 6000, ramp: 1000, pm: 0, switch: 0, users: 0, workers: 2, interval: 500, lossTimeout: 1500, seed: 4,
    }, { onTick: (r) => (lastReport = r), thresholds: ['loss<0.1%', 'p99<10s', 'errors<1000'] });
    clearTimeout(killer);
    const m = s.messages;
    // The run went on: node b's clients kept sending to rooms that still listed a's users for the TTL.
    assert.ok(m.sent > 200, JSON.stringify(m));
    assert.ok((s.errors.connection_closed ?? 0) + (s.errors.connection_reset ?? 0) === 8 && (s.errors.connect_refused ?? 0) > 0, `all 8 of a's clients dropped and could not come back: ${JSON.stringify(s.errors)}`);
    assert.is(s.clients.reconnects, 0, 'attempts refused are no reconnects');
    // Deliveries to the run's own dropped clients cannot happen: neither lost nor expected.
    assert.equal([m.lost, m.unexpected], [0, 0], JSON.stringify(m));
    assert.ok(m.ambiguous > 0, `the dropped members are counted apart: ${JSON.stringify(m)}`);
    assert.ok(m.received >= m.expected, JSON.stringify(m));
    assert.ok(m.expected > m.sent * 6, `b's 8 members go on receiving: ${JSON.stringify(m)}`);
    // a's 8 clients had the last 3-4 s of messages due (5/s each) that they could never write: not silently gone.
    assert.ok(m.unsent >= 8 * 5 * 2 && m.unsent <= 8 * 5 * 6, `unsent ${m.unsent}`);
    assert.match(formatSummary(s), new RegExp(`^ {2}UNSENT {6}${m.unsent} messages fell due but were never written`, 'm'));
    // The last report (what a hub's summary shows) says the same: they were still waiting then.
    assert.is(lastReport?.waiting, m.unsent);
    // A CI gate on loss or latency must not pass a run whose server died half-way (both read fine for what went).
    assert.equal(s.thresholds.map((t) => [t.expr, t.ok]), [['loss<0.1%', false], ['p99<10s', false], ['errors<1000', true]]);
    assert.match(formatSummary(s), new RegExp(`^ {4}FAIL loss<0\\.1% +0 % \\(whole run\\) — ${m.unsent} messages fell due and were never written \\(unsent\\)`, 'm'));
  } finally {
    await killLeftovers();
    await redis.stop();
    for (const d of dirs) d.cleanup();
  }
});

test('kill -9 one of two nodes and start it again on its port: every client comes back (renamed while its old nickname is held), nothing left unsent, and at most one delivery in a thousand misjudged', async () => {
  const redis = await startRedis(redisBin as string);
  const dirs = [tempDir(), tempDir(), tempDir()];
  try {
    const node = (id: string, dir: string, port = '0') => startServerProcess([
      '--results-dir', dir, '--redis', redis.url, '--node-id', id, '--presence-ttl', '6000ms', '--no-metrics', '--port', port,
    ]);
    const [a, b] = [await node('a', dirs[0]!.dir), await node('b', dirs[1]!.dir)];
    let restarted: Awaited<ReturnType<typeof node>> | undefined;
    const killer = setTimeout(() => a.proc.child.kill('SIGKILL'), 2500);
    // Back 3 s later, within the presence TTL: the dead process's nickname claims are still held, so
    // clients that log in again — after several refused attempts — are told their nickname is taken
    // and rename.
    const again = setTimeout(() => void node('a', dirs[2]!.dir, String(a.chatPort)).then((n) => (restarted = n)), 5500);
    const s = await runLoad({
      targets: [`127.0.0.1:${a.chatPort}`, `127.0.0.1:${b.chatPort}`],
      clients: 16, rooms: 2, rate: 4, duration: 14_000, ramp: 1000, pm: 0.05, switch: 0.05, users: 0, workers: 2, interval: 500, lossTimeout: 1500, seed: 7,
    });
    clearTimeout(killer);
    clearTimeout(again);
    const m = s.messages;
    assert.ok(restarted !== undefined, 'node a started again');
    assert.is(s.clients.reconnects, 8, `a's 8 clients all came back: ${JSON.stringify(s.errors)}`);
    // Most runs, some find their nickname still held and rename (nick_taken); on a busy machine the restart
    // can come after the claims expired (1 run in 16), so that is not asserted. A longer TTL would make it
    // certain, but PMs to a dead node's nicknames, listed until the TTL, are then taken and dropped.
    assert.is(m.unsent, 0, JSON.stringify(m));
    // Before: 4.3 % lost (a client listed under its old and its new nickname) and 464 unsent in a
    // longer run; later 1 unexpected in 1 run of 8 (a message whose sender dropped, capped at the room
    // its sender last saw: now wholly ambiguous). Still bounded, not zero: at most one in a thousand,
    // never the percent that showed the fault.
    assert.ok(m.lost + m.unexpected <= m.expected / 1000, JSON.stringify(m));
    assert.ok(m.sent > 400 && m.received >= m.expected - m.lost, JSON.stringify(m));
  } finally {
    await killLeftovers();
    await redis.stop();
    for (const d of dirs) d.cleanup();
  }
});

test.run();
