import http from 'node:http';
import type net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { createIngestServer } from '../../dashboard/ingest-socket.js';
import { routeUpgrades } from '../../dashboard/index.js';
import { eventually, startTestHub } from '../helpers/hub.js';
import { loadgenTickJson as report } from '../helpers/snapshots.js';

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_q, res) => reject(new Error(`status ${res.statusCode}`)));
  });
}

test('/ingest bounds: frames per second per connection (fake clock) and open connections', async () => {
  let now = 10_000;
  const accepted: string[] = [];
  const ingest = createIngestServer({ onReport: (r) => accepted.push(r.source), maxFramesPerSecond: 3, maxConnections: 2, now: () => now, log: () => {} });
  const server = http.createServer();
  const router = routeUpgrades(server);
  router.add('/ingest', ingest.wss);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/ingest`;
  const sockets: WebSocket[] = [];
  try {
    const a = await open(url);
    sockets.push(a);
    for (let i = 0; i < 5; i++) a.send(report({ source: `burst-${i}` }));
    await eventually(() => (ingest.stats().rejectedBy.rate === 2 ? true : undefined), '2 frames over the rate');
    assert.equal(accepted, ['burst-0', 'burst-1', 'burst-2']);
    now += 1000;
    a.send(report({ source: 'next-second' }));
    await eventually(() => (accepted.length === 4 ? true : undefined), 'a frame in the next second');
    assert.is(accepted[3], 'next-second');

    sockets.push(await open(url));
    const third = await open(url);
    sockets.push(third);
    const code = await new Promise<number>((r) => third.once('close', (c) => r(c)));
    assert.is(code, 1013);
    assert.is(ingest.stats().refusedConnections, 1);
    assert.is(ingest.stats().connections, 2);
  } finally {
    for (const s of sockets) s.terminate();
    router.close();
    await ingest.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('malformed /ingest reports are dropped and counted in /metrics by reason; valid ones still land', async () => {
  const h = await startTestHub({ accessHost: '10.9.8.7' });
  try {
    const auth = { authorization: `Bearer ${h.hub.token}` };
    const url = `${h.httpUrl.replace('http:', 'ws:')}/ingest`;
    const ws = await open(url, auth);
    ws.send('{ not json');
    ws.send(report({ clients: -1 }));
    ws.send(report({ latencyMs: { corrected: { p50: Number.MAX_VALUE * 10 } } }));
    ws.send(report({ type: 'other' }));
    ws.send(Buffer.from([0xff, 0x00]));
    ws.send(report({ source: 'good' }));
    const big = await open(url, auth);
    const closed = new Promise<number>((r) => big.once('close', (c) => r(c)));
    big.send(report({ target: 'x'.repeat(70_000) }));
    assert.is(await closed, 1009);
    await eventually(() => (h.hub.dashboard.stats().ingest.rejected === 6 ? true : undefined), '6 dropped frames');
    const text = await (await fetch(`${h.httpUrl}/metrics`, { headers: auth })).text();
    const value = (reason: string) => Number(new RegExp(`^chat_ingest_rejected_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
    assert.equal(
      { not_json: value('not_json'), invalid: value('invalid'), binary: value('binary'), too_large: value('too_large'), rate: value('rate') },
      { not_json: 1, invalid: 3, binary: 1, too_large: 1, rate: 0 },
    );
    assert.match(text, /^chat_ingest_reports_total 1$/m);
    ws.terminate();
  } finally {
    await h.stop();
  }
});

test.run();
