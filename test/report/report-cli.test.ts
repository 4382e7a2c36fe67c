/**
 * `chatpulse report` against runs a real `chatpulse server` recorded while a real loadgen reported to
 * its /ingest: a slow run (the server stopped with SIGSTOP for 800 ms mid-run) and a fast one. The
 * server writes report.html on close; `report A --baseline B --threshold 'p99<+20%'` exits 1 when B
 * is the faster run and 0 the other way round, and the diff page holds both runs' figures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunDiffData, RunReportData } from '../../protocol/run-report.js';
import { killLeftovers, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const test = suite('chatpulse report: a run, and a run against a baseline');
const tmp = tempDir();
const results = path.join(tmp.dir, 'results');
const runs: { slow: string; fast: string } = { slow: '', fast: '' };
test.after.each(killLeftovers);
test.after(() => tmp.cleanup());

/** One run: a server, a 6 s loadgen reporting to it, optionally a stall of the server, then Ctrl-C. */
async function recordRun(label: string, stallMs: number): Promise<string> {
  const server = runCli(['server', '--port', '0', '--http-port', '0', '--results-dir', results, '--label', label]);
  const chat = await server.waitFor(/chat listening on [\d.]+:(\d+)/);
  const http = await server.waitFor(/dashboard on http:\/\/[\d.]+:(\d+)/);
  const runId = (await server.waitFor(/^run (\S+): metrics every/m))[1]!;
  const loadgen = runCli(['loadgen', '--port', chat[1]!, '--clients', '20', '--rooms', '2', '--rate', '5', '--duration', '6s', '--ramp', '1s',
    '--report', `ws://127.0.0.1:${http[1]!}/ingest`, '--label', label]);
  if (stallMs > 0) {
    await new Promise((r) => setTimeout(r, 3000));
    process.kill(server.child.pid!, 'SIGSTOP');
    await new Promise((r) => setTimeout(r, stallMs));
    process.kill(server.child.pid!, 'SIGCONT');
  }
  const lg = await loadgen.exited(30_000);
  assert.ok(lg.code === 0 || lg.code === 1, `loadgen exit ${lg.code}: ${loadgen.stderr()}`);
  // One more tick, so the loadgen's last report is in the store before the run closes.
  await new Promise((r) => setTimeout(r, 1500));
  server.child.kill('SIGINT');
  const end = await server.exited(15_000);
  assert.is(end.code, 0, server.stderr());
  assert.match(server.stdout(), `report: ${path.join(results, runId, 'report.html')}`);
  return runId;
}

function pageData<T>(file: string): T {
  const html = fs.readFileSync(file, 'utf8');
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, `no report data in ${file}`);
  return JSON.parse(m[1]!) as T;
}

test('two recorded runs: the server writes each report.html on close, with the merged latency', async () => {
  runs.slow = await recordRun('slow', 800);
  runs.fast = await recordRun('fast', 0);
  const slow = pageData<RunReportData>(path.join(results, runs.slow, 'report.html'));
  const fast = pageData<RunReportData>(path.join(results, runs.fast, 'report.html'));
  assert.is(slow.kind, 'run');
  assert.is(slow.run.id, runs.slow);
  // The stall is in the slow run's corrected tail, and not in the fast one's.
  assert.ok(slow.latency !== null && slow.latency.corrected.max >= 600, `slow max ${slow.latency?.corrected.max}`);
  assert.ok(fast.latency !== null && fast.latency.corrected.p99 < 200, `fast p99 ${fast.latency?.corrected.p99}`);
  assert.is(slow.latency.source, 'stored-histograms');
  assert.ok(slow.spectrum !== null && slow.spectrum.corrected.length > 10, 'a spectrum from the stored histograms');
  assert.is(slow.spectrum.corrected.at(-1)!.ms, slow.latency.corrected.max);
  assert.ok(slow.snapshots.length >= 6, `ticks drawn: ${slow.snapshots.length}`);
  assert.ok(slow.loadgen !== null && slow.loadgen.messages.sent > 0, 'the loadgen side from its reports');
});

test("report SLOW --baseline FAST --threshold 'p99<+20%' exits 1; the other way round 0", async () => {
  assert.ok(runs.slow && runs.fast, 'the runs of the first test');
  const worse = runCli(['report', runs.slow, '--baseline', runs.fast, '--results-dir', results, '--threshold', 'p99<+20%']);
  assert.is((await worse.exited(30_000)).code, 1, worse.stdout() + worse.stderr());
  assert.match(worse.stdout(), /FAIL\s+p99<\+20%/);
  const better = runCli(['report', runs.fast, '--baseline', runs.slow, '--results-dir', results, '--threshold', 'p99<+20%']);
  assert.is((await better.exited(30_000)).code, 0, better.stdout() + better.stderr());
  assert.match(better.stdout(), /ok\s+p99<\+20%/);

  const diffFile = path.join(results, runs.fast, `diff-${runs.slow}.html`);
  const diff = pageData<RunDiffData>(diffFile);
  assert.is(diff.kind, 'diff');
  assert.is(diff.run.run.id, runs.fast);
  assert.is(diff.baseline.run.id, runs.slow);
  const p99 = diff.figures.find((f) => f.key === 'p99')!;
  assert.is(p99.run, diff.run.latency!.corrected.p99);
  assert.is(p99.baseline, diff.baseline.latency!.corrected.p99);
  assert.ok(p99.percent !== null && p99.percent < -20, `p99 change ${p99.percent}%`);
  assert.equal(diff.thresholds.map((t) => t.ok), [true]);
  // The load's size follows from the offered load: neither more nor fewer is better.
  assert.equal(diff.figures.filter((f) => f.better === 'neither').map((f) => f.key), ['sent', 'received', 'mps', 'deliveries', 'connections']);
});

test('without a baseline, unsigned thresholds check the run; --json prints the verdicts', async () => {
  const r = runCli(['report', runs.fast, '--results-dir', results, '--threshold', 'p99<10s', '--threshold', 'loss<=100%', '--json']);
  assert.is((await r.exited(30_000)).code, 0, r.stderr());
  const rec = JSON.parse(r.stdout()) as { verdict: string; thresholds: { ok: boolean }[]; file: string };
  assert.is(rec.verdict, 'pass');
  assert.is(rec.file, path.join(results, runs.fast, 'report.html'));
  const tight = runCli(['report', 'latest', '--results-dir', results, '--threshold', 'max<1us']);
  assert.is((await tight.exited(30_000)).code, 1, tight.stdout());
});

test('bad input: one line naming the problem, exit 2', async () => {
  const cases: [string[], RegExp][] = [
    [['report'], /which run\?/],
    [['report', 'no-such-run', '--results-dir', results], /no run 'no-such-run' in the store \(newest: /],
    [['report', 'latest', '--results-dir', path.join(tmp.dir, 'nowhere')], /no store at/],
    [['report', 'latest', '--results-dir', results, '--threshold', 'p99<+10%'], /compares against a baseline: add --baseline/],
    [['report', 'latest', '--results-dir', results, '--baseline', 'latest', '--threshold', 'p77<1ms'], /unknown figure 'p77'/],
    [['report', 'latest', '--results-dir', results, '--threshold', 'p99<5%'], /a change against the baseline is signed/],
    [['report', 'latest', '--results-dir', results, '--baseln', 'x'], /did you mean --baseline/],
    [['report', 'latest', '--results-dir', results, '--baseline', 'latest'], /--baseline names the run itself/],
  ];
  for (const [args, re] of cases) {
    const r = runCli(args);
    const { code } = await r.exited(30_000);
    assert.is(code, 2, `${args.join(' ')}: ${r.stderr()}`);
    assert.match(r.stderr(), re);
    assert.is(r.stderr().trim().split('\n').length, 1, r.stderr());
  }
});

test.run();
