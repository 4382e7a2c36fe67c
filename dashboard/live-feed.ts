import { WebSocketServer, type WebSocket } from 'ws';
import type { Snapshot } from '../metrics/snapshot.js';
import type { CountdownFrame, HistoryFrame, RunInfo, SnapshotFrame } from './frames.js';

/** The current run so far, as the store has it. */
export interface LiveHistory {
  run: RunInfo | null;
  snapshots: Snapshot[];
  thinned: boolean;
}

export interface LiveFeedOptions {
  /** Called for each new browser: the current run from its start. */
  history: () => LiveHistory;
  /**
   * Unsent bytes a browser may hold before its snapshot frames are dropped. The history frame alone
   * may exceed it; snapshots then wait until it drains. @default 1 MiB
   */
  maxBufferedBytes?: number;
  /** Consecutive dropped ticks before a stalled browser is closed (it reconnects and gets history). @default 30 */
  maxDroppedTicks?: number;
  /** Ping period; a browser that misses a pong is closed. @default 15000 */
  pingMs?: number;
  now?: () => number;
}

export interface LiveFeedStats {
  clients: number;
  framesDropped: number;
  clientsClosedSlow: number;
}

export interface Countdown {
  /** Epoch ms when it reaches 0:00. */
  endsAt: number;
  totalS: number;
  label: string;
}

export interface LiveFeed {
  readonly wss: WebSocketServer;
  /** Sends one snapshot frame to every browser (serialised once). */
  publish(snapshot: Snapshot): void;
  setCountdown(countdown: Countdown): void;
  clearCountdown(): void;
  stats(): LiveFeedStats;
  close(): Promise<void>;
}

interface Client {
  dropped: number;
  alive: boolean;
}

/** `WS /ws`: history on connect, then a snapshot frame per tick and countdown frames. */
export function createLiveFeed(options: LiveFeedOptions): LiveFeed {
  const opts = { maxBufferedBytes: 1 << 20, maxDroppedTicks: 30, pingMs: 15_000, now: Date.now, ...options };
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const clients = new Map<WebSocket, Client>();
  const stats = { framesDropped: 0, clientsClosedSlow: 0 };
  let countdown: Countdown | null = null;

  const countdownFrame = (): string =>
    JSON.stringify({
      type: 'countdown',
      endsAt: countdown?.endsAt ?? null,
      totalS: countdown?.totalS ?? 0,
      label: countdown?.label ?? '',
      serverTime: opts.now(),
    } satisfies CountdownFrame);

  const broadcast = (text: string, droppable: boolean) => {
    for (const [ws, c] of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (droppable && ws.bufferedAmount > opts.maxBufferedBytes) {
        stats.framesDropped++;
        if (++c.dropped > opts.maxDroppedTicks) {
          stats.clientsClosedSlow++;
          ws.terminate();
        }
        continue;
      }
      c.dropped = 0;
      ws.send(text);
    }
  };

  wss.on('connection', (ws: WebSocket) => {
    const client: Client = { dropped: 0, alive: true };
    clients.set(ws, client);
    ws.on('pong', () => (client.alive = true));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => clients.delete(ws));
    // Browsers only listen; anything they send is ignored (maxPayload bounds it).
    let h: LiveHistory;
    try {
      h = opts.history();
    } catch (err) {
      console.error(`dashboard: could not read run history: ${(err as Error).message}`);
      h = { run: null, snapshots: [], thinned: false };
    }
    const frame: HistoryFrame = { type: 'history', run: h.run, snapshots: h.snapshots, thinned: h.thinned, serverTime: opts.now() };
    ws.send(JSON.stringify(frame));
    if (countdown) ws.send(countdownFrame());
  });

  const pinger = setInterval(() => {
    for (const [ws, c] of clients) {
      if (!c.alive) {
        ws.terminate();
        continue;
      }
      c.alive = false;
      ws.ping();
    }
  }, opts.pingMs);
  pinger.unref();

  let closing: Promise<void> | undefined;
  return {
    wss,
    publish(snapshot) {
      if (clients.size === 0) return;
      broadcast(JSON.stringify({ type: 'snapshot', snapshot } satisfies SnapshotFrame), true);
    },
    setCountdown(c) {
      if (!Number.isFinite(c.endsAt) || !Number.isFinite(c.totalS)) throw new RangeError('countdown endsAt and totalS must be finite numbers');
      countdown = { ...c };
      broadcast(countdownFrame(), false);
    },
    clearCountdown() {
      if (countdown === null) return;
      countdown = null;
      broadcast(countdownFrame(), false);
    },
    stats: () => ({ clients: clients.size, ...stats }),
    close() {
      closing ??= new Promise((resolve) => {
        clearInterval(pinger);
        for (const ws of clients.keys()) ws.close(1001, 'server shutting down');
        const force = setTimeout(() => { for (const ws of clients.keys()) ws.terminate(); }, 500);
        force.unref();
        wss.close(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
