import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { cookieName } from '../../dashboard/index.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { eventually, startTestHub } from '../helpers/hub.js';
import { findTool, needing } from '../helpers/require-tool.js';

type TestHub = Awaited<ReturnType<typeof startTestHub>>;
const hubs: TestHub[] = [];
const sockets: WebSocket[] = [];
const s = suite('exposed dashboard: token, cookie, Origin');
s.after.each(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await Promise.all(hubs.splice(0).map((h) => h.stop()));
});

/** A hub bound to 127.0.0.1 whose token rule is told it is bound to 10.9.8.7 (an exposed interface). */
async function exposed(extra: Parameters<typeof startTestHub>[0] = {}): Promise<TestHub> {
  const h = await startTestHub({ accessHost: '10.9.8.7', interval: 200, ...extra });
  hubs.push(h);
  return h;
}

/** Opens a WebSocket; resolves with the upgrade's HTTP status (101 when it opened). */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; ws: WebSocket; body: string; frames: { type: string }[] }> {
  const ws = new WebSocket(url, { headers });
  sockets.push(ws);
  ws.on('error', () => {});
  const frames: { type: string }[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ status: 101, ws, body: '', frames }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, ws, body, frames }));
    });
  });
}

const PATHS = ['/', '/api/runs', '/metrics', '/app.js'];

s('a loopback bind has no token; a non-loopback one gets a generated token', async () => {
  const local = await startTestHub();
  hubs.push(local);
  assert.is(local.hub.token, null);
  assert.is((await fetch(`${local.httpUrl}/api/runs`)).status, 200);
  const h = await exposed();
  assert.match(h.hub.token ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.ok(h.hub.tokenGenerated);
  const given = await exposed({ token: 'a-token-chosen-by-the-user' });
  assert.is(given.hub.token, 'a-token-chosen-by-the-user');
  assert.not.ok(given.hub.tokenGenerated);
});

s('without the token: 401 and one line of JSON, for the page, API, CSV, /metrics, /ws, /ingest and unknown paths', async () => {
  const h = await exposed();
  const runId = h.hub.metrics?.run.id;
  for (const path of [...PATHS, `/api/runs/${runId}/totals.csv`, `/api/runs/${runId}/samples`, '/chat', '/no-such-page']) {
    const r = await fetch(`${h.httpUrl}${path}`, { headers: { authorization: 'Bearer wrong-token-xxxxxxxx' } });
    const body = await r.text();
    assert.is(r.status, 401, path);
    assert.is(body.trim().split('\n').length, 1);
    assert.equal(JSON.parse(body), { type: 'error', status: 401, error: 'invalid token' });
    const none = await fetch(`${h.httpUrl}${path}`);
    assert.is(none.status, 401, path);
    assert.match((await none.json()).error, /^token required/);
  }
  const ws = h.httpUrl.replace('http:', 'ws:');
  for (const path of ['/ws', '/ingest', '/chat/ws']) {
    const r = await upgrade(`${ws}${path}`);
    assert.is(r.status, 401, path);
    assert.equal(JSON.parse(r.body), { type: 'error', status: 401, error: 'token required: open the ?token= link printed at start, or send Authorization: Bearer TOKEN' });
  }
  assert.is((await fetch(`${h.httpUrl}/healthz`)).status, 200, '/healthz stays open for health checks');
});

s('with the token as a bearer header: every route answers and both WebSockets open', async () => {
  const h = await exposed();
  const auth = { authorization: `Bearer ${h.hub.token}` };
  const expected: Record<string, number> = { '/': 200, '/api/runs': 200, '/metrics': 200, '/app.js': 404 };
  for (const path of PATHS) {
    const r = await fetch(`${h.httpUrl}${path}`, { headers: auth });
    assert.is(r.status, expected[path], path);
  }
  assert.is((await fetch(`${h.httpUrl}/api/runs`, { headers: auth })).status, 200);
  assert.match(await (await fetch(`${h.httpUrl}/metrics`, { headers: auth })).text(), /^chat_connections_open /m);
  const ws = h.httpUrl.replace('http:', 'ws:');
  const live = await upgrade(`${ws}/ws`, auth);
  assert.is(live.status, 101);
  const first = await eventually(() => live.frames[0], 'the first /ws frame');
  assert.is(first.type, 'history');
  assert.is((await upgrade(`${ws}/ingest`, auth)).status, 101);
});

s('?token= link: HttpOnly SameSite=Strict cookie and a redirect without the token; the cookie then opens everything', async () => {
  const h = await exposed();
  const r = await fetch(`${h.httpUrl}/?token=${encodeURIComponent(h.hub.token!)}`, { redirect: 'manual' });
  assert.is(r.status, 303);
  assert.is(r.headers.get('location'), '/');
  const setCookie = r.headers.get('set-cookie') ?? '';
  const port = new URL(h.httpUrl).port;
  assert.is(setCookie, `${cookieName(Number(port))}=${h.hub.token}; Path=/; HttpOnly; SameSite=Strict`);
  const cookie = setCookie.split(';')[0] as string;
  assert.is((await fetch(`${h.httpUrl}/api/runs`, { headers: { cookie } })).status, 200);
  const ws = h.httpUrl.replace('http:', 'ws:');
  assert.is((await upgrade(`${ws}/ws`, { cookie, origin: h.httpUrl })).status, 101, 'same-origin browser socket with the cookie');
  const wrong = await fetch(`${h.httpUrl}/?token=guess`, { redirect: 'manual' });
  assert.is(wrong.status, 401);
  assert.is(wrong.headers.get('set-cookie'), null);
});

s('cross-origin WebSockets are refused (403) even with a valid token; no Origin (loadgen) is fine', async () => {
  const local = await startTestHub();
  hubs.push(local); // before any assert: a failure must not leave this hub running
  for (const h of [await exposed(), local]) {
    const auth: Record<string, string> = h.hub.token ? { authorization: `Bearer ${h.hub.token}` } : {};
    const ws = h.httpUrl.replace('http:', 'ws:');
    for (const path of ['/ws', '/ingest']) {
      const evil = await upgrade(`${ws}${path}`, { ...auth, origin: 'http://evil.example' });
      assert.is(evil.status, 403, `${path} with token=${h.hub.token !== null}`);
      assert.match(JSON.parse(evil.body).error, /cross-origin WebSocket refused/);
      assert.is((await upgrade(`${ws}${path}`, auth)).status, 101);
    }
    const scrape = await fetch(`${h.httpUrl}/metrics`, { headers: auth });
    assert.match(await scrape.text(), /^chat_http_refused_total\{reason="origin"\} 2$/m);
  }
});

s('--metrics-public leaves /metrics open and nothing else', async () => {
  const h = await exposed({ metricsPublic: true });
  assert.is((await fetch(`${h.httpUrl}/metrics`)).status, 200);
  assert.is((await fetch(`${h.httpUrl}/api/runs`)).status, 401);
  assert.is((await fetch(`${h.httpUrl}/`)).status, 401);
});

s('a route mounted after start is behind the same gate', async () => {
  const h = await exposed();
  h.hub.app.get('/late', (_req, res) => res.send('late'));
  assert.is((await fetch(`${h.httpUrl}/late`)).status, 401);
  assert.is(await (await fetch(`${h.httpUrl}/late`, { headers: { authorization: `Bearer ${h.hub.token}` } })).text(), 'late');
});

s('the token is not stored with the run', async () => {
  const h = await exposed({ token: 'a-token-chosen-by-the-user' });
  const row = h.hub.db.prepare('SELECT config FROM runs').get() as { config: string };
  assert.not.match(row.config, /a-token-chosen/);
  assert.match(row.config, /"token":"\(set\)"/);
});

needing(s, findTool('chromium', 'chromium', CHROMIUM))('a real browser: the ?token= link, then the dashboard loads its data and goes live over /ws', async () => {
  const browser = await launchChromium();
  if (browser === null) throw new Error('chromium vanished');
  try {
    const h = await exposed();
    const context = await browser.newContext();
    const page = await context.newPage();
    const statuses: number[] = [];
    page.on('response', (r) => statuses.push(r.status()));
    await page.goto(`${h.httpUrl}/?token=${encodeURIComponent(h.hub.token!)}`);
    assert.is(new URL(page.url()).search, '', 'the token is gone from the address bar');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live', undefined, { timeout: 10_000 });
    await eventually(() => (h.hub.dashboard.stats().live.clients === 1 ? true : undefined), 'the page on /ws');
    assert.not.ok(statuses.includes(401), `no request was refused: ${statuses.join(',')}`);
    assert.is(await page.evaluate(() => document.cookie), '', 'HttpOnly: scripts cannot read the token');
    const fresh = await context.newPage();
    const r = await fresh.goto(`${h.httpUrl}/`);
    assert.is(r?.status(), 200, 'the cookie is kept by the browser for later visits');
    const stranger = await (await browser.newContext()).newPage();
    assert.is((await stranger.goto(`${h.httpUrl}/`))?.status(), 401, 'a browser without the cookie is refused');
  } finally {
    await browser.close();
  }
});

s.run();
