import http from 'node:http';
import type net from 'node:net';
import express from 'express';
import { guardServer, type AccessGate } from './access-gate.js';
import type { AccessPolicy } from './access-policy.js';
import { ALLOWED_METHODS, isReadMethod, methodNotAllowed } from './read-only.js';
import { setSecurityHeaders } from './security-headers.js';

export interface HttpServer {
  readonly app: express.Express;
  readonly server: http.Server;
  readonly address: net.AddressInfo;
  /** The token/origin check in front of every request and upgrade. */
  readonly gate: AccessGate;
  close(): Promise<void>;
}

/**
 * The HTTP face of the server process. Routes are added by the parts that own them
 * (`/metrics` by metrics/, the dashboard and its API by dashboard/); this file only listens.
 */
export function createApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return app;
}

/**
 * Listens with `access` in front of every route and WebSocket path (installed before the port opens,
 * so no request is ever answered unchecked). @default access `{ token: null }`: open, loopback Hosts only.
 */
export function listenHttp(app: express.Express, host: string, port: number, access: AccessPolicy = { token: null }): Promise<HttpServer> {
  // Express's final callback: what no route answered (a route mounted later still comes first).
  const handle = app as unknown as (req: http.IncomingMessage, res: http.ServerResponse, done: (err?: unknown) => void) => void;
  const server = http.createServer((req, res) => handle(req, res, (err?: unknown) => notServed(req, res, err)));
  const gate = guardServer(server, access);
  withSecurityHeaders(server);
  answerMalformed(server);
  // Keep-alive sockets would hold close() open for their idle timeout.
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      let closing: Promise<void> | undefined;
      resolve({
        app,
        server,
        gate,
        address: server.address() as net.AddressInfo,
        close() {
          closing ??= new Promise((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 1000).unref();
          });
          return closing;
        },
      });
    });
  });
}

/**
 * A request no route answered, or an error no route handled: one JSON line naming it, not express's
 * HTML page ("Cannot POST /"); any method but GET and HEAD is refused as such (read-only.ts).
 */
function notServed(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const given = (err as { status?: unknown; statusCode?: unknown } | undefined)?.status ?? (err as { statusCode?: unknown } | undefined)?.statusCode;
  const readOnly = isReadMethod(req.method);
  const status = err !== undefined ? (typeof given === 'number' && given >= 400 && given < 600 ? given : 500) : readOnly ? 404 : 405;
  const path = (req.url ?? '').split('?')[0]?.slice(0, 100) ?? '';
  const method = (req.method ?? '?').slice(0, 20);
  const error = err === undefined
    ? readOnly ? `nothing here: ${method} ${path} (the dashboard is /, its API /api/runs, metrics /metrics)`
      : methodNotAllowed(method, path)
    : status < 500 ? `bad request: ${(err as Error).message ?? 'refused'}`.slice(0, 200) : 'internal error';
  if (status >= 500) console.error(`dashboard: ${method} ${path}: ${(err as Error)?.message ?? String(err)}`);
  const body = JSON.stringify({ type: 'error', status, error });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(status === 405 && { allow: ALLOWED_METHODS }),
  }).end(body);
}

/**
 * A request Node's parser refuses before any route sees it — headers (and so the URL) over 16 KB, or
 * not HTTP — gets one JSON line saying so; Node's own answer had an empty body.
 */
function answerMalformed(server: http.Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const [status, error] = err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'request headers too large: the URL and headers may hold 16 KB in all']
      : [400, `malformed HTTP request (${err.code ?? 'parse error'})`];
    const body = `${JSON.stringify({ type: 'error', status, error })}\n`;
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}

/**
 * Every response carries the security headers (security-headers.ts), whoever answers it: express
 * routes and their 404s and errors, `/metrics`, and the access gate's own 401/403. Wrapped around the
 * gate (installed after it, so it runs first), because the gate answers refusals without express.
 */
function withSecurityHeaders(server: http.Server): void {
  const emit = server.emit;
  server.emit = function headersFirst(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') setSecurityHeaders(args[0] as http.IncomingMessage, args[1] as http.ServerResponse);
    return (emit as (this: http.Server, e: string | symbol, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof server.emit;
}
