import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';

export interface UpgradeRouteOptions {
  /**
   * Refuse (403) a browser upgrade whose `Origin` is another site than this server, so that a page on
   * some other site cannot open the socket in a visitor's browser. Clients that send no `Origin`
   * (loadgen, scripts) are let in. @default false
   */
  sameOrigin?: boolean;
}

interface Route extends UpgradeRouteOptions {
  wss: WebSocketServer;
}

/**
 * Several WebSocket endpoints on one HTTP server (`/ws`, `/ingest`, `/chat/ws`): each endpoint is a
 * `noServer` WebSocketServer, and this one `'upgrade'` listener hands each request to the server for
 * its pathname. Unknown paths get a 404 and the socket is destroyed — ws's own per-server listeners
 * would each answer 400 to the others' paths.
 */
export class UpgradeRouter {
  readonly #routes = new Map<string, Route>();

  constructor(server: http.Server) {
    server.on('upgrade', this.#onUpgrade);
  }

  /** Routes upgrades for exactly `pathname` (query strings ignored) to `wss`. */
  add(pathname: string, wss: WebSocketServer, opts: UpgradeRouteOptions = {}): void {
    if (!pathname.startsWith('/')) throw new TypeError(`Expected \`pathname\` to start with '/', got '${pathname}'`);
    if (this.#routes.has(pathname)) throw new Error(`WebSocket path '${pathname}' is already routed`);
    this.#routes.set(pathname, { wss, ...opts });
  }

  paths(): string[] {
    return [...this.#routes.keys()];
  }

  /** Idempotent: closes every routed server and drops its clients at once. */
  close(): void {
    for (const { wss } of this.#routes.values()) {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    }
    this.#routes.clear();
  }

  readonly #onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => {});
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return refuse(socket, 400, 'Bad Request');
    }
    const route = this.#routes.get(pathname);
    if (route === undefined) return refuse(socket, 404, 'Not Found');
    if (route.sameOrigin && !isSameOrigin(req)) return refuse(socket, 403, 'Forbidden');
    route.wss.handleUpgrade(req, socket, head, (ws) => route.wss.emit('connection', ws, req));
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
  }
  socket.destroy();
}

function isSameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const routers = new WeakMap<http.Server, UpgradeRouter>();

/**
 * The one router of an HTTP server, created on first use, so that the parts that own endpoints
 * (dashboard feed, loadgen ingest, chat page) can each add theirs without passing the router around.
 */
export function upgradeRouterFor(server: http.Server): UpgradeRouter {
  let router = routers.get(server);
  if (router === undefined) {
    router = new UpgradeRouter(server);
    routers.set(server, router);
  }
  return router;
}

/** The server's router (same as `upgradeRouterFor`), under the name the dashboard first used. */
export function routeUpgrades(server: http.Server): UpgradeRouter {
  return upgradeRouterFor(server);
}
