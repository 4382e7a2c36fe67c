import http from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually, startTestHub } from '../helpers/hub.js';

/** Written out here, not imported: the test states what the browser must receive. */
const CSP = "default-src 'none';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data: blob:;"
  + "connect-src 'self';base-uri 'none';form-action 'none';frame-ancestors 'none'";
const SAME: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-dns-prefetch-control': 'off',
  'x-xss-protection': '0',
};

interface Answer { status: number; headers: http.IncomingHttpHeaders; raw: string[] }

function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, raw: res.rawHeaders }));
    }).on('error', reject);
  });
}

const ctx = {} as { hub: Awaited<ReturnType<typeof startTestHub>>; runId: string };
const s = suite('security headers');
s.before(async () => {
  ctx.hub = await startTestHub({ interval: 100 });
  ctx.runId = await eventually(() => ctx.hub.hub.metrics?.run.id, 'a run');
});
s.after(async () => {
  await ctx.hub.stop();
});

const routes: [string, string, number, Record<string, string>?][] = [
  ['dashboard', '/', 200],
  ['chat page', '/chat', 200],
  ['bundle', '/assets/dashboard.js', 200],
  ['chat bundle', '/assets/chat.js', 200],
  ['health', '/healthz', 200],
  ['runs JSON', '/api/runs', 200],
  ['metrics', '/metrics', 200],
  ['metrics (OpenMetrics)', '/metrics', 200, { accept: 'application/openmetrics-text;version=1.0.0' }],
  ['API 404 JSON', '/api/nope', 404],
  ['API 400 JSON', '/api/runs/RUN/samples?from=soon', 400],
  ['missing asset', '/assets/nope.js', 404],
  ['no such page', '/no-such-page', 404],
  ['access gate 403 JSON', '/', 403, { host: 'evil.example' }],
];

for (const [what, path, status, headers] of routes) {
  s(`${what}: nosniff, one CSP, helmet's headers, no HSTS`, async () => {
    const r = await get(`${ctx.hub.httpUrl}${path.replace('RUN', encodeURIComponent(ctx.runId))}`, headers);
    assert.is(r.status, status);
    for (const [name, value] of Object.entries(SAME)) assert.is(r.headers[name], value, name);
    const csps = r.raw.filter((_, i) => i % 2 === 0 && r.raw[i]?.toLowerCase() === 'content-security-policy').length;
    assert.is(csps, 1, 'exactly one Content-Security-Policy header');
    assert.is(r.headers['content-security-policy'], CSP);
    assert.is(r.headers['strict-transport-security'], undefined, 'no HSTS over plain HTTP');
    assert.is(r.headers['x-powered-by'], undefined);
  });
}

s('a CSV export carries the same headers', async () => {
  const r = await get(`${ctx.hub.httpUrl}/api/runs/${encodeURIComponent(ctx.runId)}/totals.csv`);
  assert.is(r.status, 200);
  assert.match(r.headers['content-type'] ?? '', /^text\/csv/);
  for (const [name, value] of Object.entries(SAME)) assert.is(r.headers[name], value, name);
  assert.is(r.headers['content-security-policy'], CSP);
});

s('what no route serves, and a request Node cannot parse, get one JSON line naming it (not an HTML page, not an empty body)', async () => {
  const text = async (method: string, path: string) => {
    const r = await fetch(`${ctx.hub.httpUrl}${path}`, { method });
    return [r.status, r.headers.get('content-type'), await r.text()];
  };
  assert.equal(await text('GET', '/nope'), [404, 'application/json; charset=utf-8',
    '{"type":"error","status":404,"error":"nothing here: GET /nope (the dashboard is /, its API /api/runs, metrics /metrics)"}']);
  // Every endpoint is GET: another method on one that exists is refused as a method, not as a missing page.
  for (const [method, path] of [['POST', '/'], ['DELETE', '/api/runs'], ['PUT', '/metrics'], ['POST', '/api/nope']] as const) {
    const r = await fetch(`${ctx.hub.httpUrl}${path}`, { method });
    assert.is(r.status, 405, `${method} ${path}`);
    assert.is(r.headers.get('allow'), 'GET, HEAD');
    assert.is(await r.text(), `{"type":"error","status":405,"error":"method not allowed: ${method} ${path} (every endpoint here is read-only: GET or HEAD)"}`);
  }
  assert.equal((await text('GET', '/ws?x=1'))[2], '{"type":"error","status":404,"error":"nothing here: GET /ws (the dashboard is /, its API /api/runs, metrics /metrics)"}');
  const raw = await new Promise<string>((resolve, reject) => {
    const c = http.get(`${ctx.hub.httpUrl}/api/runs?x=${'a'.repeat(20_000)}`, (res) => {
      let b = '';
      res.setEncoding('utf8').on('data', (d: string) => (b += d)).on('end', () => resolve(`${res.statusCode} ${b}`));
    });
    c.on('error', reject);
  });
  assert.is(raw, '431 {"type":"error","status":431,"error":"request headers too large: the URL and headers may hold 16 KB in all"}\n');
  assert.is((await fetch(`${ctx.hub.httpUrl}/healthz`)).status, 200, 'still serving');
});

s.run();
