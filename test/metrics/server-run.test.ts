import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RunReader } from '../../metrics/index.js';
import { openDatabase } from '../../store/database.js';
import { killLeftovers, runCli, startServerProcess } from '../helpers/cli.js';
import { eventually } from '../helpers/hub.js';
import { LineClient, sleep } from '../helpers/line-client.js';
import { parseExposition } from '../helpers/prom-text.js';
import { tempDir } from '../helpers/temp.js';

// Whatever an assert does, no server process outlives its test.
test.after.each(killLeftovers);

test('--help lists the metrics flags; a bad value exits 2 naming the flag', async () => {
  const p = runCli(['server', '--help']);
  assert.is((await p.exited()).code, 0);
  for (const re of [/--interval DURATION .*\(default: 1s\)/, /--window N .*\(default: 5\)/, /--metric-rooms N .*\(default: 50\)/,
    /--no-metrics .*\(default: off\)/, /--label TEXT .*\(default: "server"\)/]) assert.match(p.stdout(), re);
  const bad = runCli(['server', '--window', '0']);
  assert.is((await bad.exited()).code, 2);
  assert.is(bad.stderr().trim(), "chatpulse server: --window expects a whole number from 1 to 3600, got '0'");
});

test('Ctrl-C closes the run and writes its CSV files; a restart lists the previous run', async () => {
  const tmp = tempDir();
  try {
    const s = await startServerProcess(['--results-dir', tmp.dir, '--interval', '200ms', '--label', 'demo']);
    assert.equal(s.proc.stdout().split('\n').slice(0, 3).map((l) => l.replace(/\d+/g, 'N')),
      ['chat listening on N.N.N.N:N', 'dashboard on http://N.N.N.N:N', 'previous run: none']);
    const runId = (await s.proc.waitFor(/^run (\S+-demo): /m))[1] as string;
    const ann = await LineClient.login(s.chatPort, 'ann');
    await ann.ask('/join dev', '* ann joined #dev');
    for (let i = 0; i < 3; i++) await ann.ask(`m${i}`, `[dev] You: m${i}`);
    const scrape = async () => parseExposition(await (await fetch(`http://127.0.0.1:${s.httpPort}/metrics`)).text());
    await eventually(async () => ((await scrape()).value('chat_messages_total', { room: 'dev' }) === 3 || undefined), 'dev counter at 3');
    await ann.ask('m3', '[dev] You: m3');
    await eventually(async () => ((await scrape()).value('chat_messages_total', { room: 'dev' }) === 4 || undefined), 'dev counter moving');
    ann.send('last words');
    await ann.waitFor('[dev] You: last words');
    s.proc.child.kill('SIGINT');
    const { code } = await s.proc.exited(30_000);
    assert.is(code, 0);
    ann.close();
    const folder = path.join(tmp.dir, runId);
    assert.match(s.proc.stdout(), `results written to ${folder}\n`);
    const rooms = parse(fs.readFileSync(path.join(folder, 'rooms.csv')), { bom: true, columns: true }) as Record<string, string>[];
    const dev = rooms.filter((r) => r.room === 'dev');
    assert.is(dev.reduce((a, r) => a + Number(r.messages), 0), 5, 'the last message is in the last tick');
    assert.ok(fs.existsSync(path.join(folder, 'totals.csv')) && fs.existsSync(path.join(folder, 'mps_by_room.csv')));
    // DESIGN §11: every run folder has summary.json and summary.md — a server run's too.
    assert.match(s.proc.stdout(), `report: ${path.join(folder, 'report.html')}; summary.json and summary.md beside it\n`);
    const summary = JSON.parse(fs.readFileSync(path.join(folder, 'summary.json'), 'utf8'));
    assert.equal([summary.type, summary.runId, summary.generators, summary.combinedLatency], ['server-summary', runId, [], null]);
    assert.is(summary.server.messages, 5, 'the stored run, as rooms.csv has it');
    assert.equal(summary.server.rooms.find((r: { room: string }) => r.room === 'dev')?.messages, 5);
    assert.is(summary.server.peakConnections, 1);
    assert.is(summary.config.label, 'demo');
    const md = fs.readFileSync(path.join(folder, 'summary.md'), 'utf8');
    assert.ok(md.startsWith(`# chatpulse server run \`${runId}\`\n`), md.slice(0, 80));
    assert.match(md, '| room messages | 5 |');
    assert.match(md, '| dev | 5 |');
    assert.match(md, 'None reported: the load, if any, came from clients that do not report');

    const again = await startServerProcess(['--results-dir', tmp.dir]);
    const prev = await again.proc.waitFor(/^previous run: (\S+) \((\w+), (\d+) ticks\)$/m);
    assert.is(prev[1], runId);
    assert.is(prev[2], 'completed');
    assert.ok(Number(prev[3]) >= 2);
    again.proc.child.kill('SIGTERM');
    assert.is((await again.proc.exited(30_000)).code, 0);
  } finally {
    tmp.cleanup();
  }
});

test('kill -9 keeps every tick written; the next start marks the run aborted', async () => {
  const tmp = tempDir();
  try {
    const s = await startServerProcess(['--results-dir', tmp.dir, '--interval', '100ms']);
    const runId = (await s.proc.waitFor(/^run (\S+): /m))[1] as string;
    const ann = await LineClient.login(s.chatPort, 'ann');
    let sending = true;
    const loop = (async () => {
      for (let i = 0; sending; i++) {
        ann.send(`m${i}`);
        await sleep(20);
      }
    })();
    const db = openDatabase(path.join(tmp.dir, 'chatpulse.db'));
    const reader = new RunReader(db);
    const seen = await eventually(() => {
      const t = reader.getRun(runId)?.ticks ?? 0;
      return t >= 6 ? t : undefined;
    }, 'six ticks written');
    s.proc.child.kill('SIGKILL');
    assert.is((await s.proc.exited()).signal, 'SIGKILL');
    sending = false;
    await loop;
    ann.close();
    db.close();

    const after = openDatabase(path.join(tmp.dir, 'chatpulse.db'));
    try {
      const r = new RunReader(after);
      const run = r.getRun(runId);
      assert.is(run?.status, 'running', 'nobody has looked yet');
      assert.ok((run?.ticks ?? 0) >= seen);
      const snaps = r.snapshots(runId);
      assert.equal(snaps.map((x) => x.tick), Array.from({ length: run?.ticks ?? 0 }, (_, i) => i + 1), 'whole ticks, none missing');
      // Ticks taken before ann logged in have no room yet (100 ms ticks race the login); every later one has it.
      const first = snaps.findIndex((x) => x.rooms.some((room) => room.room === 'main'));
      assert.ok(first >= 0 && first < snaps.length - 1, `main appears (${first})`);
      assert.ok(snaps.slice(first).every((x) => x.rooms.some((room) => room.room === 'main')), 'every tick since has its room rows');
      assert.ok((snaps[snaps.length - 1]?.totals.messagesTotal ?? 0) > 0);
      assert.is(run?.end, snaps[snaps.length - 1]?.time);
    } finally {
      after.close();
    }

    const again = await startServerProcess(['--results-dir', tmp.dir]);
    await again.proc.waitFor(new RegExp(`^run ${runId} was left running by a process that is gone; marked aborted$`, 'm'));
    const prev = await again.proc.waitFor(/^previous run: (\S+) \((\w+), (\d+) ticks\)$/m);
    assert.equal([prev[1], prev[2]], [runId, 'aborted']);
    again.proc.child.kill('SIGINT');
    assert.is((await again.proc.exited(30_000)).code, 0);
  } finally {
    tmp.cleanup();
  }
});

test('--no-metrics: no run is recorded and nothing is written on exit', async () => {
  const tmp = tempDir();
  try {
    const s = await startServerProcess(['--results-dir', tmp.dir, '--no-metrics']);
    await s.proc.waitFor(/^metrics off \(--no-metrics\)$/m);
    const ann = await LineClient.login(s.chatPort, 'ann');
    await ann.ask('hi', '[main] You: hi');
    assert.is((await fetch(`http://127.0.0.1:${s.httpPort}/metrics`)).status, 404);
    ann.close();
    s.proc.child.kill('SIGINT');
    assert.is((await s.proc.exited(30_000)).code, 0);
    assert.equal(fs.readdirSync(tmp.dir).filter((f) => !f.startsWith('chatpulse.db')), []);
  } finally {
    tmp.cleanup();
  }
});

test.run();
