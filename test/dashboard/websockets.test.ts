import http from 'node:http';
import net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { createIngestServer, type IngestServer } from '../../dashboard/ingest-socket.js';
import { createLiveFeed, type LiveFeed } from '../../dashboard/live-feed.js';
import { routeUpgrades, type UpgradeRouter } from '../../dashboard/upgrade-router.js';
import type { ServerFrame } from '../../dashboard/index.js';
import type { LoadgenTickReport } from '../../loadgen/report.js';
import { eventually } from '../helpers/hub.js';
import type { Snapshot } from '../../metrics/snapshot.js';
import { loadgenTickJson as report, makeSnapshot } from '../helpers/snapshots.js';

interface Ctx {
  server: http.Server;
  port: number;
  router: UpgradeRouter;
  live: LiveFeed;
  ingest: IngestServer;
  history: Snapshot[];
  reports: LoadgenTickReport[];
  logs: string[];
  sockets: (WebSocket | net.Socket)[];
}
const ctx = {} as Ctx;

const s = suite('dashboard websockets');
s.before.each(async () => {
  ctx.history = [makeSnapshot(1), makeSnapshot(2)];
  ctx.reports = [];
  ctx.logs = [];
  ctx.sockets = [];
  ctx.server = http.createServer((_req, res) => res.end('plain http'));
  ctx.router = routeUpgrades(ctx.server);
  ctx.live = createLiveFeed({
    history: () => ({ run: null, snapshots: ctx.history, thinned: false }),
    maxBufferedBytes: 256 * 1024, maxDroppedTicks: 3,
  });
  ctx.ingest = createIngestServer({ onReport: (r) => ctx.reports.push(r), maxFrameBytes: 4096, log: (l) => ctx.logs.push(l), logEveryMs: 0 });
  ctx.router.add('/ws', ctx.live.wss);
  ctx.router.add('/ingest', ctx.ingest.wss);
  await new Promise<void>((r) => ctx.server.listen(0, '127.0.0.1', r));
  ctx.port = (ctx.server.address() as net.AddressInfo).port;
});
s.after.each(async () => {
  for (const so of ctx.sockets) {
    so.on('error', () => {});
    if (so instanceof WebSocket) so.terminate();
    else so.destroy();
  }
  ctx.router.close();
  await Promise.all([ctx.live.close(), ctx.ingest.close()]);
  ctx.server.closeAllConnections();
  await new Promise((r) => ctx.server.close(r));
});

function connect(path: string): Promise<{ ws: WebSocket; frames: unknown[]; next: (pred?: (f: any) => boolean) => Promise<any> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}${path}`);
  ctx.sockets.push(ws);
  const frames: unknown[] = [];
  const waiters: { pred: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  ws.on('message', (d) => {
    const f = JSON.parse(String(d));
    frames.push(f);
    for (const w of [...waiters]) if (w.pred(f)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(f); }
  });
  const next = (pred: (f: any) => boolean = () => true) => {
    const hit = frames.find(pred);
    if (hit) { frames.splice(frames.indexOf(hit), 1); return Promise.resolve(hit); }
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no matching frame')), 3000);
      waiters.push({ pred, resolve: (f) => { clearTimeout(t); frames.splice(frames.indexOf(f), 1); resolve(f); } });
    });
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, next }));
    ws.once('error', reject);
  });
}

s('/ws: history first, then one snapshot frame per publish, then countdown set and cleared', async () => {
  const c = await connect('/ws');
  const h = (await c.next()) as ServerFrame;
  assert.is(h.type, 'history');
  if (h.type !== 'history') return;
  assert.equal(h.snapshots.map((x) => x.tick), [1, 2]);
  ctx.live.publish(makeSnapshot(3));
  const f = await c.next();
  assert.equal([f.type, f.snapshot.tick], ['snapshot', 3]);
  ctx.live.setCountdown({ endsAt: Date.now() + 60_000, totalS: 60, label: 'demo <b>' });
  const cd = await c.next((x) => x.type === 'countdown');
  assert.is(cd.label, 'demo <b>');
  assert.is(cd.totalS, 60);
  // A browser opened during the countdown gets it right after the history.
  const late = await connect('/ws');
  assert.is((await late.next()).type, 'history');
  assert.is((await late.next()).type, 'countdown');
  ctx.live.clearCountdown();
  assert.is((await c.next((x) => x.type === 'countdown')).endsAt, null);
});

s('unknown upgrade paths get a 404 and plain HTTP still works', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${ctx.port}/nope`);
  ws.on('error', () => {});
  ctx.sockets.push(ws);
  const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
  assert.is(status, 404);
  const body = await fetch(`http://127.0.0.1:${ctx.port}/`).then((r) => r.text());
  assert.is(body, 'plain http');
});

s('a stalled browser gets frames dropped, then is closed; memory stays bounded', async () => {
  // A raw socket that completes the handshake and then never reads.
  const sock = net.connect(ctx.port, '127.0.0.1');
  ctx.sockets.push(sock);
  await new Promise((r) => sock.once('connect', r));
  sock.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  await new Promise((r) => sock.once('data', r));
  sock.pause();
  const healthy = await connect('/ws');
  await healthy.next((f) => f.type === 'history');
  const rooms = Array.from({ length: 400 }, (_, i) => `room-${i}-${'x'.repeat(200)}`);
  let tick = 10;
  for (let i = 0; i < 400 && ctx.live.stats().clientsClosedSlow === 0; i++) {
    ctx.live.publish(makeSnapshot(tick++, { rooms }));
    await new Promise((r) => setImmediate(r));
    if (i % 20 === 0) await healthy.next((f) => f.type === 'snapshot' && f.snapshot.tick === tick - 1);
  }
  const st = ctx.live.stats();
  assert.ok(st.framesDropped > 0, 'frames were dropped for the stalled browser');
  assert.is(st.clientsClosedSlow, 1, 'the stalled browser was closed');
  // The healthy browser kept getting every frame.
  ctx.live.publish(makeSnapshot(tick, { rooms: ['main'] }));
  assert.is((await healthy.next((f) => f.type === 'snapshot' && f.snapshot.tick === tick)).snapshot.tick, tick);
  assert.is(ctx.live.stats().clients, 1);
});

s('/ingest: valid reports reach the handler; bad frames are dropped, counted and answered', async () => {
  const c = await connect('/ingest');
  c.ws.send(report({ source: 'a' }));
  c.ws.send('not json');
  c.ws.send(report({ clients: -3 }));
  c.ws.send(Buffer.from([1, 2, 3]));
  c.ws.send(report({ source: 'b' }));
  assert.match((await c.next()).error, /not JSON/);
  assert.match((await c.next()).error, /clients must be a finite number >= 0/);
  assert.match((await c.next()).error, /binary frames/);
  await eventually(() => (ctx.reports.length >= 2 ? true : undefined), 'both valid reports handled');
  assert.equal(ctx.reports.map((r) => r.source), ['a', 'b']);
  const st = ctx.ingest.stats();
  assert.is(st.accepted, 2);
  assert.is(st.rejected, 3);
  assert.ok(ctx.logs.some((l) => /ingest: dropped 1 frame\(s\): frame is not JSON/.test(l)), ctx.logs.join('\n'));
});

s('/ingest: an oversized frame closes only that sender (1009); others keep reporting', async () => {
  const big = await connect('/ingest');
  const other = await connect('/ingest');
  const closed = new Promise<number>((r) => big.ws.once('close', (code) => r(code)));
  big.ws.send(report({ source: 'x'.repeat(5000) }));
  assert.is(await closed, 1009);
  other.ws.send(report({ source: 'still-here' }));
  await eventually(() => (ctx.reports.length >= 1 ? true : undefined), 'the other sender\'s report handled');
  assert.equal(ctx.reports.map((r) => r.source), ['still-here']);
  assert.is(ctx.ingest.stats().rejected, 1);
});

s.run();
