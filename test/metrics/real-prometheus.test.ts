import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, startTestHub } from '../helpers/hub.js';
import { LineClient, sleep } from '../helpers/line-client.js';
import { findTool, needing } from '../helpers/require-tool.js';
import { tempDir } from '../helpers/temp.js';

const BIN = findTool('prometheus', 'prometheus');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function query(base: string, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  return body.status === 'success' ? (body.data?.result ?? []) : [];
}

const bin = BIN as string;
const test = needing(uvuTest, BIN);
test('a real Prometheus scrapes /metrics: up == 1 and rate(chat_messages_total[5s]) > 0', async () => {
  const hub = await startTestHub({ interval: 250 });
  const tmp = tempDir('chatpulse-prom-');
  const port = await freePort();
  const target = `127.0.0.1:${hub.hub.http.address.port}`;
  fs.writeFileSync(path.join(tmp.dir, 'prometheus.yml'), [
    'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s',
    'scrape_configs:', '  - job_name: chatpulse', '    static_configs:', `      - targets: ['${target}']`, '',
  ].join('\n'));
  const prom = spawn(bin, [
    `--config.file=${path.join(tmp.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(tmp.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  prom.stderr.setEncoding('utf8').on('data', (d: string) => (log = (log + d).slice(-4000)));
  const exited = new Promise((r) => prom.once('exit', r));
  const clients = await Promise.all(['ann', 'bob'].map((n) => LineClient.login(hub.chatPort, n)));
  let sending = true;
  const loop = (async () => {
    for (let i = 0; sending; i++) {
      clients[i % 2]?.send(`hello ${i}`);
      await sleep(100);
    }
  })();
  try {
    const base = `http://127.0.0.1:${port}`;
    const up = await eventually(async () => {
      const r = await query(base, `up{instance="${target}"}`).catch(() => []);
      return r[0]?.value[1] === '1' ? r[0] : undefined;
    }, `Prometheus to scrape ${target} (log: ${log})`, 20_000);
    assert.is(up.metric.job, 'chatpulse');
    const rate = await eventually(async () => {
      const r = await query(base, 'rate(chat_messages_total{room="main"}[5s])');
      return r[0] && Number(r[0].value[1]) > 0 ? r[0] : undefined;
    }, 'a positive message rate', 20_000);
    assert.ok(Number(rate.value[1]) > 0 && Number(rate.value[1]) < 100, `rate ${rate.value[1]}`);
    const types = await (await fetch(`${base}/api/v1/metadata?metric=chat_room_members`)).json() as { data: Record<string, { type: string }[]> };
    assert.is(types.data.chat_room_members?.[0]?.type, 'gauge');
    // Prometheus asks for OpenMetrics first: the open-connections gauge must not share the counter's family.
    const conns = await (await fetch(`${base}/api/v1/metadata?metric=chat_connections_open`)).json() as { data: Record<string, { type: string }[]> };
    assert.equal(conns.data.chat_connections_open?.map((m) => m.type), ['gauge']);
    // DESIGN's two names are both there: the gauge of open connections and the counter of accepted ones.
    const open = await query(base, 'chat_connections');
    assert.equal(open.map((r) => Number(r.value[1])), [2], 'chat_connections: the two clients connected');
    const accepted = await eventually(async () => {
      const r = await query(base, 'increase(chat_connections_total[1m]) >= 0');
      return r.length === 1 ? r : undefined;
    }, 'chat_connections_total in Prometheus', 20_000);
    assert.is(accepted.length, 1);
  } finally {
    sending = false;
    await loop;
    for (const c of clients) c.close();
    prom.kill('SIGTERM');
    await Promise.race([exited, sleep(5000).then(() => prom.kill('SIGKILL'))]);
    await hub.stop();
    tmp.cleanup();
  }
});

test.run();
