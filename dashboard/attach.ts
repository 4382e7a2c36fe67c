import type http from 'node:http';
import type express from 'express';
import type { LoadgenTickReport } from '../loadgen/report.js';
import type { Snapshot } from '../metrics/snapshot.js';
import { apiRoutes } from './api-routes.js';
import { ThinnedHistory } from './web/thinned-history.js';
import { createIngestServer, type IngestStats } from './ingest-socket.js';
import { createLiveFeed, type Countdown, type LiveFeedStats } from './live-feed.js';
import { dashboardPage } from './page.js';
import type { RunSource } from './run-source.js';
import { serveWebAssets } from './static-assets.js';
import { routeUpgrades, type UpgradeRouter } from './upgrade-router.js';
import { paths } from './frames.js';

export interface DashboardOptions {
  app: express.Express;
  server: http.Server;
  reader: RunSource;
  /** Valid /ingest reports go here (the aggregator's latest-per-source). */
  onReport: (report: LoadgenTickReport) => void;
  /** Shared upgrade router, if the process already has one (the chat page's `/chat/ws` uses it too). */
  upgrades?: UpgradeRouter;
  /** Bundled browser code. @default dist/web */
  webDir?: string;
  /** Most ticks one `/samples` answer carries. @default 2000 */
  maxSamplesPerResponse?: number;
  /** Ticks a history frame carries at most (thinned evenly beyond). @default 2000 */
  maxHistoryTicks?: number;
  /** Unsent bytes per browser before snapshot frames are dropped for it. @default 1 MiB */
  maxBufferedBytes?: number;
  /** Consecutive dropped ticks before a stalled browser is closed. @default 30 */
  maxDroppedTicks?: number;
  /** Largest /ingest frame. @default 65536 */
  maxIngestBytes?: number;
  log?: (line: string) => void;
}

export interface Dashboard {
  /** Feed every tick's snapshot here: it is kept for late browsers and sent to the open ones. */
  publish(snapshot: Snapshot): void;
  /** Shows a countdown (mm:ss) on every open page, and on pages opened later. */
  setCountdown(countdown: Countdown): void;
  clearCountdown(): void;
  stats(): { live: LiveFeedStats; ingest: IngestStats };
  /** Idempotent: closes both WebSocket endpoints. The HTTP server is the caller's. */
  close(): Promise<void>;
}

/** Mounts the page, the assets, the run API and the `/ws` and `/ingest` WebSockets on one HTTP server. */
export function attachDashboard(options: DashboardOptions): Dashboard {
  const { app, server, reader } = options;
  const ring = new ThinnedHistory<Snapshot>(options.maxHistoryTicks ?? 2000);
  let ringRunId: string | null = null;

  app.use(dashboardPage());
  serveWebAssets(app, options.webDir);
  app.use(apiRoutes({ reader, ...(options.maxSamplesPerResponse !== undefined && { maxSamplesPerResponse: options.maxSamplesPerResponse }) }));

  const live = createLiveFeed({
    history: () => {
      const runId = ringRunId ?? reader.currentRunId();
      const run = runId === null ? null : (reader.getRun(runId) ?? null);
      return { run, snapshots: ring.items(), thinned: ring.thinned };
    },
    ...(options.maxBufferedBytes !== undefined && { maxBufferedBytes: options.maxBufferedBytes }),
    ...(options.maxDroppedTicks !== undefined && { maxDroppedTicks: options.maxDroppedTicks }),
  });
  const ingest = createIngestServer({
    onReport: options.onReport,
    ...(options.maxIngestBytes !== undefined && { maxFrameBytes: options.maxIngestBytes }),
    ...(options.log !== undefined && { log: options.log }),
  });
  const ownRouter = options.upgrades === undefined;
  const upgrades = options.upgrades ?? routeUpgrades(server);
  upgrades.add(paths.ws, live.wss);
  upgrades.add(paths.ingest, ingest.wss);

  let closing: Promise<void> | undefined;
  return {
    publish(snapshot) {
      if (snapshot.runId !== ringRunId) {
        ring.clear();
        ringRunId = snapshot.runId;
      }
      ring.push(snapshot);
      live.publish(snapshot);
    },
    setCountdown: (c) => live.setCountdown(c),
    clearCountdown: () => live.clearCountdown(),
    stats: () => ({ live: live.stats(), ingest: ingest.stats() }),
    close() {
      closing ??= (async () => {
        if (ownRouter) upgrades.close();
        await Promise.all([live.close(), ingest.close()]);
      })();
      return closing;
    },
  };
}
