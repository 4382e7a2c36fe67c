import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runLoad } from '../../loadgen/index.js';
import { ROOT } from '../helpers/cli.js';
import { eventually, startTestHub } from '../helpers/hub.js';
import { sleep } from '../helpers/line-client.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const PROMTOOL = findTool('promtool', 'prometheus', '/usr/bin/promtool');
const PROMETHEUS = findTool('prometheus', 'prometheus', '/usr/bin/prometheus');
const ALERTS = path.join(ROOT, 'deploy/prometheus/alerts.yml');
const ALERTS_TEST = path.join(ROOT, 'deploy/prometheus/alerts.test.yml');
const DASHBOARD = path.join(ROOT, 'deploy/grafana/chatpulse.json');

/**
 * Series only a cluster node (`--redis`) exports: a single test hub has none, so their panels may be
 * empty here (the Redis panel then says "no Redis (single node)" rather than a false "down").
 * The name is checked against its registration instead.
 */
const CLUSTER_ONLY = ['chat_redis_up'];

interface Panel { title: string; datasource?: { uid?: string }; targets?: { expr: string }[]; panels?: Panel[] }

function panelExprs(): { title: string; expr: string }[] {
  const dash = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  const flat = (ps: Panel[]): Panel[] => ps.flatMap((p) => [p, ...flat(p.panels ?? [])]);
  return flat(dash.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr })));
}

/** Metric names (`chat_…`, histogram suffixes dropped) that a PromQL text uses. */
const metricNames = (text: string) => [...new Set([...text.matchAll(/\bchat_[a-z_]+/g)]
  .map((m) => m[0].replace(/_(bucket|sum|count)$/, '')))];

function promtool(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(PROMTOOL as string, args, { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

needing(test, PROMTOOL)('alerts.yml passes promtool check rules and test rules, and every alert has a firing and a quiet case', () => {
  const alerts = [...fs.readFileSync(ALERTS, 'utf8').matchAll(/^\s*- alert:\s*(\w+)\s*$/gm)].map((m) => m[1] as string);
  const check = promtool('check', 'rules', ALERTS);
  assert.is(check.status, 0, check.out);
  // promtool's own count: the regex above found every rule.
  assert.match(check.out, `SUCCESS: ${alerts.length} rules found`);
  assert.equal(alerts.sort(), ['ChatFanoutP99High', 'ChatHistoryWritesFailing', 'ChatRedisDown', 'ChatSlowConsumersRising']);
  const run = promtool('test', 'rules', ALERTS_TEST);
  assert.is(run.status, 0, run.out);
  // Each case is `alertname: X` then `exp_alerts: []` (must not fire) or `exp_alerts:` and a list.
  const cases = [...fs.readFileSync(ALERTS_TEST, 'utf8').matchAll(/alertname:\s*(\w+)\s*\n\s*exp_alerts:(.*)$/gm)]
    .map((m) => ({ alert: m[1] as string, fires: (m[2] as string).trim() !== '[]' }));
  for (const alert of alerts) {
    assert.ok(cases.some((c) => c.alert === alert && c.fires), `${alert}: no case where it fires`);
    assert.ok(cases.some((c) => c.alert === alert && !c.fires), `${alert}: no case where it must not fire`);
  }
  assert.equal(cases.filter((c) => !alerts.includes(c.alert)), [], 'cases for alerts that do not exist');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface QueryResult { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } }

async function query(base: string, q: string): Promise<QueryResult> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  return (await res.json()) as QueryResult;
}

needing(test, PROMETHEUS)('a real Prometheus scraping a busy hub answers every dashboard panel query with data', async () => {
  const exprs = panelExprs();
  assert.ok(exprs.length >= 7, `${exprs.length} panel queries`);
  const s = await startTestHub({ interval: 250 });
  const tmp = tempDir('chatpulse-grafana-');
  const port = await freePort();
  const target = `127.0.0.1:${s.hub.http.address.port}`;
  fs.writeFileSync(path.join(tmp.dir, 'prometheus.yml'), [
    'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s',
    'scrape_configs:', '  - job_name: chatpulse', '    static_configs:', `      - targets: ['${target}']`, '',
  ].join('\n'));
  const prom = spawn(PROMETHEUS as string, [
    `--config.file=${path.join(tmp.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(tmp.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prom.stderr.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  const exited = new Promise((r) => prom.once('exit', r));
  const stop = new AbortController();
  let load: Promise<unknown> = Promise.resolve();
  try {
    // Every metric the dashboard and the alerts use is one the server exports (HELP lines of a real
    // /metrics; cluster-only ones by their registration).
    const exported = await (await fetch(`${s.httpUrl}/metrics`)).text();
    const cluster = fs.readFileSync(path.join(ROOT, 'metrics/cluster-metrics.ts'), 'utf8');
    const used = metricNames(`${exprs.map((e) => e.expr).join('\n')}\n${fs.readFileSync(ALERTS, 'utf8')}`);
    for (const name of used) {
      const known = exported.includes(`# HELP ${name} `) || (CLUSTER_ONLY.includes(name) && cluster.includes(`name: '${name}'`));
      assert.ok(known, `${name} is not exported by the server`);
    }

    const base = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      const r = await query(base, `up{instance="${target}"}`).catch(() => undefined);
      return r?.data?.result[0]?.value[1] === '1' ? true : undefined;
    }, `Prometheus to scrape ${target} (log: ${log})`, 20_000);
    load = runLoad(
      { port: s.chatPort, clients: 12, rooms: 3, rate: 5, duration: 20_000, ramp: 200, workers: 1, interval: 250, lossTimeout: 500, seed: 19 },
      { signal: stop.signal },
    );
    for (const { title, expr } of exprs) {
      // As Grafana sends it with node = All and a 15 s rate interval (1 s scrapes).
      const q = expr.replaceAll('$node', '.*').replaceAll('$__rate_interval', '15s');
      if (CLUSTER_ONLY.some((m) => q.includes(m))) {
        const r = await query(base, q);
        assert.is(r.status, 'success', `${title}: ${q}: ${r.error}`);
        continue;
      }
      const result = await eventually(async () => {
        const r = await query(base, q);
        assert.is(r.status, 'success', `${title}: ${q}: ${r.error}`);
        const rows = r.data?.result ?? [];
        return rows.length > 0 && rows.every((row) => row.value[1] !== 'NaN') ? rows : undefined;
      }, `data for panel "${title}": ${q}`, 20_000);
      for (const row of result) assert.ok(Number.isFinite(Number(row.value[1])), `${title}: ${row.value[1]}`);
    }
  } finally {
    stop.abort();
    await load.catch(() => undefined);
    prom.kill('SIGTERM');
    await Promise.race([exited, sleep(5000).then(() => prom.kill('SIGKILL'))]);
    await s.stop();
    tmp.cleanup();
  }
});

test.run();
