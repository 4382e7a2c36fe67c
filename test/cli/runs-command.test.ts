/**
 * `chatpulse runs` and retention through the real CLI on a real SQLite file in a temp folder: list,
 * pin, unpin, prune (dry and real), bad input, `report --baseline` pinning its baseline, and a real
 * `chatpulse server --keep-runs 2` pruning the three oldest of five past runs at start.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { retentionRows, RunStore, type StoredRun } from '../../metrics/index.js';
import { openDatabase } from '../../store/database.js';
import { killLeftovers, runCli } from '../helpers/cli.js';
import { makeSnapshot } from '../helpers/snapshots.js';
import { tempDir } from '../helpers/temp.js';

const test = suite('chatpulse runs and retention');
const tmp = tempDir();
test.after.each(killLeftovers);
test.after(() => tmp.cleanup());

const DAY = 86_400_000;

/** A results folder whose store holds five finished runs, 5…1 days old, newest first in the result. */
function storeWithRuns(name: string): { results: string; runs: StoredRun[] } {
  const results = path.join(tmp.dir, name);
  const db = openDatabase(path.join(results, 'chatpulse.db'));
  const store = new RunStore(db);
  const runs = [5, 4, 3, 2, 1].map((d) => {
    const run = store.startRun({ label: `old${d}`, start: Date.now() - d * DAY });
    for (let t = 1; t <= 30; t++) store.record(makeSnapshot(t, { runId: run.id, t0: run.start, rooms: ['a', 'b'] }));
    store.finishRun(run.id);
    return run;
  });
  db.close();
  return { results, runs: runs.reverse() };
}

function rows(results: string) {
  const db = openDatabase(path.join(results, 'chatpulse.db'));
  try {
    return retentionRows(db);
  } finally {
    db.close();
  }
}

async function ok(args: string[]): Promise<string> {
  const r = runCli(args);
  const { code } = await r.exited(30_000);
  assert.is(code, 0, `${args.join(' ')}: ${r.stdout()}${r.stderr()}`);
  return r.stdout();
}

test('runs list: a run left running by a process that is gone (kill -9) is marked aborted, and says so', async () => {
  const { results, runs } = storeWithRuns('stale');
  const db = openDatabase(path.join(results, 'chatpulse.db'));
  db.prepare(`UPDATE runs SET status = 'running', end = NULL, pid = ? WHERE id = ?`).run(spawnSync('true').pid, runs[0]!.id);
  db.close();
  const r = runCli(['runs', 'list', '--results-dir', results]);
  assert.is((await r.exited(30_000)).code, 0, r.stderr());
  assert.is(r.stderr(), `run ${runs[0]!.id} was left running by a process that is gone: marked aborted\n`);
  assert.match(r.stdout(), new RegExp(`^${runs[0]!.id}\\s+old1\\s+aborted\\s`, 'm'));
  assert.is(rows(results).find((x) => x.id === runs[0]!.id)?.status, 'aborted');
});

test('runs list, pin, unpin and a dry-run prune', async () => {
  const { results, runs } = storeWithRuns('list');
  const dir = ['--results-dir', results];
  const list = (await ok(['runs', 'list', ...dir])).trimEnd().split('\n');
  assert.match(list[0]!, /^id\s+label\s+status\s+start \(UTC\)\s+ticks\s+pinned\s+size$/);
  assert.equal(list.slice(1).map((l) => l.split(/\s+/)[0]), runs.map((r) => r.id));
  assert.match(list[1]!, /old1\s+completed\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+30\s+≈\d/);

  assert.is(await ok(['runs', 'pin', runs[4]!.id, ...dir]), `pinned ${runs[4]!.id}: retention never prunes it (chatpulse runs unpin ${runs[4]!.id} to release it)\n`);
  assert.match((await ok(['runs', 'list', ...dir])).split('\n').find((l) => l.startsWith(runs[4]!.id)) ?? '', /\spinned\s/);
  const dry = await ok(['runs', 'prune', '--keep-runs', '2', ...dir, '--dry-run']);
  assert.is(dry, `retention: would prune 2 runs (${runs[2]!.id}, ${runs[3]!.id}) and 60 ticks — dry run, nothing deleted\n`);
  assert.is(rows(results).length, 5);
  assert.match(await ok(['runs', 'unpin', runs[4]!.id, ...dir]), /^unpinned /);
  assert.is(rows(results).filter((r) => r.pinned).length, 0);
});

test('runs prune deletes; report RUN --baseline B pins B, which prune then keeps', async () => {
  const { results, runs } = storeWithRuns('prune');
  const dir = ['--results-dir', results];
  const report = await ok(['report', runs[0]!.id, '--baseline', runs[4]!.id, ...dir]);
  assert.match(report, `pinned ${runs[4]!.id} as a baseline (chatpulse runs unpin ${runs[4]!.id} to release it)\n`);
  assert.not.match(await ok(['report', runs[0]!.id, '--baseline', runs[4]!.id, ...dir]), /pinned/, 'said once');
  const pruned = await ok(['runs', 'prune', '--keep-runs', '1', '--keep-days', '0', ...dir]);
  assert.match(pruned, new RegExp(`^retention: pruned 3 runs \\(${runs[1]!.id}, ${runs[2]!.id}, ${runs[3]!.id}\\) and 90 ticks; [\\d.]+ [KM]iB returned`));
  assert.equal(rows(results).map((r) => [r.id, r.pinned]), [[runs[0]!.id, false], [runs[4]!.id, true]]);
  assert.match(await ok(['runs', 'prune', ...dir]), /^retention: nothing to prune \(2 runs, 1 pinned; keep 100\)\n$/);
});

test('bad input: one line naming the problem, exit 2', async () => {
  const { results, runs } = storeWithRuns('bad');
  const dir = ['--results-dir', results];
  const cases: [string[], RegExp][] = [
    [['runs'], /^chatpulse runs: which action\? chatpulse runs list \| pin RUN \| unpin RUN \| prune\n$/],
    [['runs', 'frob'], /unknown action 'frob' \(list, pin, unpin, prune\)/],
    [['runs', 'pin', ...dir], /which run\? chatpulse runs pin RUN/],
    [['runs', 'pin', 'nope', ...dir], new RegExp(`no run 'nope' in the store \\(newest: ${runs[0]!.id}, ${runs[1]!.id}, `)],
    [['runs', 'prune', '--keep-runs', '-1', ...dir], /--keep-runs/],
    [['runs', 'prune', '--keep-days', 'soon', ...dir], /--keep-days/],
    [['runs', 'list', '--results-dir', path.join(tmp.dir, 'nowhere')], /no store at/],
    [['runs', 'list', '--keep-runs', '3', ...dir], /unknown flag --keep-runs/],
  ];
  for (const [args, re] of cases) {
    const r = runCli(args);
    const { code } = await r.exited(30_000);
    assert.is(code, 2, `${args.join(' ')}: ${r.stdout()}${r.stderr()}`);
    assert.match(r.stderr(), re);
    assert.is(r.stderr().trim().split('\n').length, 1, r.stderr());
  }
  assert.match(await ok(['runs', '--help']), /actions:\n {2}list/);
  assert.match(await ok(['server', '--help']), /--keep-runs N\s+past runs kept/);
});

test('chatpulse server --keep-runs 2 on a store with 5 old runs prunes the 3 oldest at start', async () => {
  const { results, runs } = storeWithRuns('server');
  const server = runCli(['server', '--port', '0', '--http-port', '0', '--results-dir', results, '--keep-runs', '2']);
  const runId = (await server.waitFor(/^run (\S+): metrics every/m, 20_000))[1]!;
  const line = (await server.waitFor(/^retention: .*$/m, 20_000))[0];
  assert.match(line, new RegExp(`^retention: pruned 3 runs \\(${runs[2]!.id}, ${runs[3]!.id}, ${runs[4]!.id}\\) and 90 ticks; [\\d.]+ [KM]iB returned \\(keep 2; results folders left as they are\\)$`));
  server.child.kill('SIGINT');
  assert.is((await server.exited(15_000)).code, 0, server.stderr());
  assert.equal(rows(results).map((r) => r.id), [runId, runs[0]!.id, runs[1]!.id]);
});

test.run();
