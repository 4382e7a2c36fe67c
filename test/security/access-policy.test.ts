import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cookieName, decideAccess, generateToken, isLoopbackHost, sameOrigin, tokenMatches, type AccessRequest } from '../../dashboard/index.js';

const TOKEN = 'correct-horse-battery-staple';
const req = (over: Partial<AccessRequest> & { headers?: AccessRequest['headers'] } = {}): AccessRequest => ({
  method: 'GET', url: '/', upgrade: false, localPort: 8080, ...over, headers: { host: '10.0.0.5:8080', ...over.headers },
});

test('loopback addresses and names; everything else is exposed', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', 'app.localhost', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '128.0.0.1', 'localhost.example.com', '']) assert.not.ok(isLoopbackHost(h), h);
});

test('tokens: constant-time comparison of digests, any length; generated ones are random and URL-safe', () => {
  assert.ok(tokenMatches(TOKEN, TOKEN));
  assert.not.ok(tokenMatches(`${TOKEN}x`, TOKEN));
  assert.not.ok(tokenMatches('', TOKEN));
  const a = generateToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.is.not(a, generateToken());
});

test('open port (no token): everything allowed for loopback Hosts; a foreign Host (DNS rebinding) is refused', () => {
  const open = { token: null };
  assert.equal(decideAccess(req({ headers: { host: '127.0.0.1:8080' } }), open), { kind: 'allow' });
  assert.equal(decideAccess(req({ headers: { host: 'localhost:8080' } }), open), { kind: 'allow' });
  assert.equal(decideAccess(req({ headers: { host: '[::1]:8080' } }), open), { kind: 'allow' });
  const v = decideAccess(req({ headers: { host: 'rebound.example:8080' } }), open);
  assert.is(v.kind === 'refuse' && `${v.status} ${v.reason}`, '403 host');
  assert.equal(decideAccess(req({ headers: { host: 'rebound.example:8080' } }), { token: null, loopbackHostsOnly: false }), { kind: 'allow' });
});

test('with a token: 401 without it, for every path but /healthz; bearer, cookie and ?token= accepted', () => {
  const p = { token: TOKEN };
  for (const url of ['/', '/api/runs', '/api/runs/x/rooms.csv', '/metrics', '/chat', '/anything-added-later']) {
    const v = decideAccess(req({ url }), p);
    assert.is(v.kind === 'refuse' && v.status, 401, url);
  }
  assert.equal(decideAccess(req({ url: '/healthz' }), p), { kind: 'allow' });
  assert.equal(decideAccess(req({ headers: { authorization: `Bearer ${TOKEN}` } }), p), { kind: 'allow' });
  assert.equal(decideAccess(req({ headers: { cookie: `a=b; ${cookieName(8080)}=${TOKEN}` } }), p), { kind: 'allow' });
  const wrongPortCookie = decideAccess(req({ headers: { cookie: `${cookieName(9090)}=${TOKEN}` } }), p);
  assert.is(wrongPortCookie.kind, 'refuse', 'the cookie is per port');
  const bad = decideAccess(req({ headers: { authorization: 'Bearer nope' } }), p);
  assert.is(bad.kind === 'refuse' && bad.error, 'invalid token');
});

test('?token= on a GET: cookie (HttpOnly, SameSite=Strict) and a redirect to the same URL without it', () => {
  const v = decideAccess(req({ url: `/api/runs?from=1&token=${TOKEN}&to=2` }), { token: TOKEN });
  assert.equal(v, {
    kind: 'redirect', location: '/api/runs?from=1&to=2',
    setCookie: `${cookieName(8080)}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`,
  });
  assert.is(decideAccess(req({ url: '/?token=wrong' }), { token: TOKEN }).kind, 'refuse');
  assert.equal(decideAccess(req({ url: `/ws?token=${TOKEN}`, upgrade: true }), { token: TOKEN }), { kind: 'allow' });
});

test('--metrics-public opens /metrics only', () => {
  const p = { token: TOKEN, metricsPublic: true };
  assert.equal(decideAccess(req({ url: '/metrics' }), p), { kind: 'allow' });
  assert.is(decideAccess(req({ url: '/api/runs' }), p).kind, 'refuse');
});

test('WebSocket Origin must be this server; no Origin (non-browser) passes on to the token check', () => {
  assert.ok(sameOrigin(undefined, 'h:1'));
  assert.ok(sameOrigin('http://h:1', 'h:1'));
  assert.ok(sameOrigin('https://H:1', 'h:1'));
  assert.not.ok(sameOrigin('http://evil.example', 'h:1'));
  assert.not.ok(sameOrigin('http://h:2', 'h:1'));
  assert.not.ok(sameOrigin('null', 'h:1'));
  const evil = decideAccess(req({ upgrade: true, url: '/ws', headers: { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` } }), { token: TOKEN });
  assert.is(evil.kind === 'refuse' && `${evil.status} ${evil.reason}`, '403 origin');
  const evilOpen = decideAccess(req({ upgrade: true, url: '/ingest', headers: { host: '127.0.0.1:8080', origin: 'http://evil.example' } }), { token: null });
  assert.is(evilOpen.kind, 'refuse', 'refused on an open port too');
  assert.equal(decideAccess(req({ upgrade: true, url: '/ws', headers: { origin: 'http://10.0.0.5:8080', authorization: `Bearer ${TOKEN}` } }), { token: TOKEN }), { kind: 'allow' });
});

test.run();
