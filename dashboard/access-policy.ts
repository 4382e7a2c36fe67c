import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';

/**
 * Who may use the HTTP port (DESIGN §6 and SECURITY.md), decided once per request or WebSocket
 * upgrade, for every path: the dashboard, its API, `/metrics`, `WS /ws`, `WS /ingest` and whatever
 * is mounted later (`/chat`, `/chat/ws`). Pure: the caller hands in the request's parts.
 */
export interface AccessPolicy {
  /** The token every request must carry; null when the port is open (bound to loopback, no `--token`). */
  token: string | null;
  /** `--metrics-public`: `GET /metrics` needs no token. @default false */
  metricsPublic?: boolean;
  /**
   * While open (no token), answer only requests whose `Host` is a loopback name: a web page whose
   * own domain was re-pointed at 127.0.0.1 (DNS rebinding) then cannot read the dashboard. @default true
   */
  loopbackHostsOnly?: boolean;
}

/** The parts of a request the policy looks at. */
export interface AccessRequest {
  method: string;
  /** Path and query, as in the request line. */
  url: string;
  headers: { host?: string | undefined; origin?: string | undefined; authorization?: string | undefined; cookie?: string | undefined };
  /** A WebSocket upgrade rather than a plain request. */
  upgrade: boolean;
  /** The port the request came in on: the cookie is named after it (cookies ignore ports). */
  localPort: number;
}

export type AccessVerdict =
  | { kind: 'allow' }
  /** `?token=` was right: set the cookie and send the browser to the same URL without it. */
  | { kind: 'redirect'; location: string; setCookie: string }
  | { kind: 'refuse'; status: 401 | 403; reason: RefusalReason; error: string };

/** Label values of `chat_http_refused_total{reason}`. */
export type RefusalReason = 'token' | 'origin' | 'host' | 'url';

/** Paths that never need a token: a load balancer's health check says only `{"status":"ok"}`. */
const OPEN_PATHS = new Set(['/healthz']);

export function cookieName(port: number): string {
  return `chatpulse_token_${port}`;
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h) || h === '0:0:0:0:0:0:0:1';
  return false;
}

/** 32 random bytes, URL-safe: what `--token` defaults to on an exposed port. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Equal-length digests compared in constant time: neither the token's bytes nor its length leak. */
export function tokenMatches(given: string, token: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

export function decideAccess(req: AccessRequest, policy: AccessPolicy): AccessVerdict {
  const url = parseUrl(req.url);
  if (url === undefined) return { kind: 'refuse', status: 403, reason: 'url', error: 'malformed request URL' };
  if (req.upgrade && !sameOrigin(req.headers.origin, req.headers.host)) {
    return { kind: 'refuse', status: 403, reason: 'origin', error: 'cross-origin WebSocket refused: Origin does not match this dashboard' };
  }
  if (policy.token === null) {
    const host = req.headers.host;
    if ((policy.loopbackHostsOnly ?? true) && host !== undefined && !isLoopbackHost(hostname(host))) {
      return { kind: 'refuse', status: 403, reason: 'host', error: `Host '${host.slice(0, 60)}' refused: this port is bound to loopback; use 127.0.0.1 or localhost` };
    }
    return { kind: 'allow' };
  }
  if (OPEN_PATHS.has(url.pathname)) return { kind: 'allow' };
  if (policy.metricsPublic && url.pathname === '/metrics') return { kind: 'allow' };

  const token = policy.token;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer !== undefined && tokenMatches(bearer, token)) return { kind: 'allow' };
  const cookie = readCookie(req.headers.cookie, cookieName(req.localPort));
  if (cookie !== undefined && tokenMatches(cookie, token)) return { kind: 'allow' };
  const query = url.searchParams.get('token');
  if (query !== null && tokenMatches(query, token)) {
    if (req.upgrade || (req.method !== 'GET' && req.method !== 'HEAD')) return { kind: 'allow' };
    url.searchParams.delete('token');
    const setCookie = `${cookieName(req.localPort)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
    return { kind: 'redirect', location: `${url.pathname}${url.search}`, setCookie };
  }
  const error = bearer !== undefined || cookie !== undefined || query !== null
    ? 'invalid token'
    : 'token required: open the ?token= link printed at start, or send Authorization: Bearer TOKEN';
  return { kind: 'refuse', status: 401, reason: 'token', error };
}

/**
 * A browser always sends `Origin` on a WebSocket upgrade; it must name this server (the host the
 * browser asked for). Clients with no `Origin` (the loadgen, curl, scripts) are not browsers and
 * cannot be tricked into carrying a visitor's cookie, so they pass to the token check.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (host === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/** `host:port`, `[v6]:port` or a bare host → the host part. */
function hostname(hostHeader: string): string {
  const h = hostHeader.trim();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.indexOf(':');
  return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.slice(0, colon) : h;
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw, 'http://x');
  } catch {
    return undefined;
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
