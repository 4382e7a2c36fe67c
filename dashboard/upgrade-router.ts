import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';

/** Dispatches HTTP upgrades by pathname to `noServer` WebSocketServers sharing one HTTP listener. */
export interface UpgradeRouter {
  /** Route upgrades for exactly `pathname` (no trailing slash, query ignored) to `wss`. */
  add(pathname: string, wss: WebSocketServer): void;
  /** Stops routing; open sockets are the servers' to close. Idempotent. */
  close(): void;
}

/**
 * One `'upgrade'` listener for the whole HTTP server. An unknown path, or a request that is not a
 * WebSocket upgrade, gets a plain HTTP error and the socket is closed: a stray client never hangs.
 */
export function routeUpgrades(server: http.Server): UpgradeRouter {
  const routes = new Map<string, WebSocketServer>();
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const wss = routes.get(pathnameOf(req.url));
    if (wss === undefined) {
      refuse(socket, 404, 'Not Found');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  server.on('upgrade', onUpgrade);
  let closed = false;
  return {
    add(pathname, wss) {
      if (routes.has(pathname)) throw new Error(`upgrade path ${pathname} is already routed`);
      routes.set(pathname, wss);
    },
    close() {
      if (closed) return;
      closed = true;
      server.off('upgrade', onUpgrade);
      routes.clear();
    },
  };
}

function pathnameOf(url: string | undefined): string {
  const raw = (url ?? '/').split('?', 1)[0] ?? '/';
  return raw.length > 1 && raw.endsWith('/') ? raw.slice(0, -1) : raw;
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
