import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { decideAccess, type AccessPolicy, type AccessRequest, type AccessVerdict, type RefusalReason } from './access-policy.js';

export interface AccessGate {
  readonly policy: AccessPolicy;
  /** Refusals so far by reason (for `chat_http_refused_total{reason}`). */
  refused(): Record<RefusalReason, number>;
}

/**
 * Puts `policy` in front of everything `server` answers. It sits on the server itself, not in the
 * express stack or in one upgrade router, so every route and every WebSocket path — including ones
 * mounted later by other parts (`/chat`, `/chat/ws`) — passes the same check before any handler
 * sees it. A refused request gets its status and a one-line JSON error, and nothing else.
 */
export function guardServer(server: http.Server, policy: AccessPolicy): AccessGate {
  const refused: Record<RefusalReason, number> = { token: 0, origin: 0, host: 0, url: 0 };
  const decide = (req: http.IncomingMessage, upgrade: boolean): AccessVerdict => {
    const verdict = decideAccess(toAccessRequest(req, upgrade), policy);
    if (verdict.kind === 'refuse') refused[verdict.reason]++;
    return verdict;
  };
  const emit = server.emit;
  // 'request' and 'upgrade' are the only ways in; an event we do not let through is never emitted,
  // so no listener (express, ws, any router) can answer it.
  server.emit = function gatedEmit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const [req, res] = args as [http.IncomingMessage, http.ServerResponse];
      const v = decide(req, false);
      if (v.kind === 'redirect') {
        res.writeHead(303, { location: v.location, 'set-cookie': v.setCookie, 'cache-control': 'no-store', 'content-length': 0 }).end();
        return true;
      }
      if (v.kind === 'refuse') {
        const body = errorBody(v);
        res.writeHead(v.status, {
          'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store',
          ...(v.status === 401 && { 'www-authenticate': 'Bearer realm="chatpulse"' }),
        }).end(body);
        return true;
      }
    } else if (event === 'upgrade') {
      const [req, socket] = args as [http.IncomingMessage, Duplex];
      const v = decide(req, true);
      if (v.kind !== 'allow') {
        refuseUpgrade(socket, v.kind === 'refuse' ? v : { status: 401, error: 'token required' });
        return true;
      }
    }
    return (emit as (this: http.Server, e: string | symbol, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof server.emit;
  return { policy, refused: () => ({ ...refused }) };
}

function toAccessRequest(req: http.IncomingMessage, upgrade: boolean): AccessRequest {
  const { host, origin, authorization, cookie } = req.headers;
  return { method: req.method ?? 'GET', url: req.url ?? '/', headers: { host, origin, authorization, cookie }, upgrade, localPort: req.socket.localPort ?? 0 };
}

function errorBody(v: { status: number; error: string }): string {
  return `${JSON.stringify({ type: 'error', status: v.status, error: v.error })}\n`;
}

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden' };

function refuseUpgrade(socket: Duplex, v: { status: number; error: string }): void {
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  const body = errorBody(v);
  socket.end(`HTTP/1.1 ${v.status} ${STATUS_TEXT[v.status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\n${v.status === 401 ? 'WWW-Authenticate: Bearer realm="chatpulse"\r\n' : ''}\r\n${body}`);
}
