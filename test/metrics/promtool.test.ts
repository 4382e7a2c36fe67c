import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { runLoad } from '../../loadgen/index.js';
import { eventually, startTestHub } from '../helpers/hub.js';
import { LineClient } from '../helpers/line-client.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { WsLineClient } from '../helpers/ws-client.js';

const PROMTOOL = findTool('promtool', 'prometheus', '/usr/bin/promtool');
const OPENMETRICS = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/**
 * The only lint promtool may report: prom-client's default metrics name three gauges `…_total` (sums of
 * the by-type `nodejs_active_*` gauges). They are not ours to rename, and Node dashboards (Grafana's
 * "NodeJS Application Dashboard") query them by these names, so they stay; every `chat_*` and
 * `loadgen_*` name must be clean.
 */
const PROM_CLIENT_LINT = ['handles', 'requests', 'resources']
  .map((k) => `nodejs_active_${k}_total non-counter metrics should not have "_total" suffix`);

/**
 * promtool 2.x lints with the classic text parser, also when given OpenMetrics. An OpenMetrics counter
 * has its HELP under the family name (`# HELP chat_messages …`) and its samples as `chat_messages_total`,
 * so promtool reports "`chat_messages_total` no help text" for each counter family: that, and only for
 * the families typed `counter` that have samples (promtool lints samples), is the one extra line allowed. A family name that appears twice (the
 * `chat_connections` gauge beside a `chat_connections_total` counter, whose family is `chat_connections`) is a parse error instead.
 */
function openMetricsCounterLint(text: string): string[] {
  const samples = new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
  return [...text.matchAll(/^# TYPE (\S+) counter$/gm)]
    .map((m) => `${m[1]}_total`).filter((name) => samples.has(name)).map((name) => `${name} no help text`);
}

/** `promtool check metrics` on `text`: its exit status and every line it printed. */
function check(bin: string, text: string): { status: number | null; lines: string[] } {
  const r = spawnSync(bin, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, lines: `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '') };
}

function get(url: string, accept?: string): Promise<{ type: string; text: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: accept ? { accept } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ type: res.headers['content-type'] ?? '', text }));
    }).on('error', reject);
  });
}

const bin = PROMTOOL as string;
const test = needing(uvuTest, PROMTOOL);
test('promtool check metrics: both formats of a busy hub and the loadgen /metrics parse, with only the known lint lines', async () => {
  const s = await startTestHub({ interval: 200 });
  const ws = await WsLineClient.login(`ws://127.0.0.1:${s.hub.http.address.port}/chat/ws`, 'wsann');
  const tcp = await LineClient.login(s.chatPort, 'tcpbob');
  let loadgenMetrics = '';
  try {
    await tcp.ask('/nick b@d', /^! invalid nickname/); // chat_errors_total{reason}
    await ws.ask('/pm tcpbob psst', '[PM to tcpbob] psst');
    const url = `${s.httpUrl.replace('http', 'ws')}/ingest`;
    // A real loadgen: room messages, PMs, joins, its reports ingested by the hub, its own /metrics.
    await runLoad(
      { port: s.chatPort, clients: 12, rooms: 3, rate: 5, duration: 1500, ramp: 200, pm: 0.1, switch: 0.05, workers: 1, interval: 250, lossTimeout: 500, seed: 5 },
      { report: url, metricsPort: 0, onMetricsPort: (port) => setTimeout(() => void get(`http://127.0.0.1:${port}/metrics`).then((r) => (loadgenMetrics = r.text)), 1000) },
    );
    const hub = await eventually(async () => {
      const r = await get(`${s.httpUrl}/metrics`);
      return /^chat_ingest_reports_total [1-9]/m.test(r.text) && /^chat_private_messages_total [1-9]/m.test(r.text) ? r : undefined;
    }, 'loadgen reports and PMs in /metrics');
    const om = await get(`${s.httpUrl}/metrics`, OPENMETRICS);
    assert.match(om.type, /^application\/openmetrics-text/);
    assert.match(hub.type, /^text\/plain; version=0\.0\.4/);
    // Busy for real: connections open (the gauge) and the per-reason and per-room families have series.
    assert.match(hub.text, /^chat_connections_open [1-9]/m);
    assert.match(hub.text, /^chat_errors_total\{reason="bad_name"\} [1-9]/m);
    assert.match(hub.text, /^chat_messages_total\{room="room\d"\} [1-9]/m);
    assert.match(loadgenMetrics, /^loadgen_delivery_latency_seconds_bucket\{timing="corrected",le="\+Inf"\} [1-9]/m);
    // OpenMetrics writes DESIGN's counter chat_connections_total as an `unknown` family (its counter
    // family would be the gauge chat_connections); promtool's classic parser calls that type `untyped`
    // (real Prometheus reads it as written: real-prometheus.test.ts).
    assert.match(om.text, /^# TYPE chat_connections_total unknown$/m);
    const omForPromtool = om.text.replace(/^(# TYPE \S+) unknown$/gm, '$1 untyped');
    for (const [what, text] of [['classic', hub.text], ['OpenMetrics', omForPromtool], ['loadgen', loadgenMetrics]] as const) {
      const r = check(bin, text);
      // promtool exits 1 on a parse error and 3 on lint problems only, printing one line per problem.
      const expected = what === 'loadgen' ? [] : what === 'classic' ? PROM_CLIENT_LINT : [...PROM_CLIENT_LINT, ...openMetricsCounterLint(text)];
      assert.equal([...r.lines].sort(), [...expected].sort(), `${what}: promtool said ${r.lines.join(' | ')}`);
      assert.is(r.status, expected.length === 0 ? 0 : 3, `${what}: promtool exit status`);
    }
  } finally {
    ws.close();
    tcp.close();
    await s.stop();
  }
});

test.run();
