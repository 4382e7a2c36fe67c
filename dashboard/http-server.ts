import http from 'node:http';
import type net from 'node:net';
import express from 'express';
import { guardServer, type AccessGate } from './access-gate.js';
import type { AccessPolicy } from './access-policy.js';
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
  const server = http.createServer(app);
  const gate = guardServer(server, access);
  withSecurityHeaders(server);
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
