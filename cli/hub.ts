import path from 'node:path';
import type express from 'express';
import { Registry } from 'prom-client';
import {
  attachDashboard, createApp, generateToken, isLoopbackHost, listenHttp, metricsRunSource, mountChatPage, type Dashboard, type HttpServer,
} from '../dashboard/index.js';
import {
  readRunTotals, registerClusterMetrics, registerSecurityMetrics, registerStorageMetrics, RunReader, startMetrics, startRetention, type MetricsService,
  type RetentionService,
} from '../metrics/index.js';
import { ChatEvents, startChatServer, type ChatOptions, type ChatServer, type ChatTlsOptions } from '../server/index.js';
import { REPORT_FILE, writeRunReport } from '../report/index.js';
import { urlHost } from './demo-flags.js';
import { RESULT_FILES, writeSummaryPair } from './demo/summary-files.js';
import { buildServerSummary, serverSummaryMarkdown, withoutSecrets } from './server-summary.js';
import { openDatabase, type Db } from '../store/database.js';
import { StorageHealth } from '../store/storage-health.js';

/** Everything `chatpulse server` runs in one process (`quitLinger` is no flag: the core's default serves). */
export interface HubOptions extends Omit<ChatOptions, 'quitLinger'> {
  host: string;
  port: number;
  httpHost: string;
  httpPort: number;
  /** SQLite file; default `<resultsDir>/chatpulse.db`. */
  db: string;
  resultsDir: string;
  /** `redis://…`; empty or absent for a single node. */
  redis?: string;
  /** This node's cluster name. @default '<host>:<port>' */
  nodeId?: string;
  /** Cluster presence expiry, ms. @default 5000 */
  presenceTtl?: number;
  /** Tick length in ms (`--interval`). */
  interval: number;
  /** Ticks in the moving average (`--window`). */
  window: number;
  /** Named room rows/series at most (`--metric-rooms`). */
  metricRooms: number;
  /** `--no-metrics`: the chat core runs with no subscriber, `/metrics` answers 404. */
  noMetrics: boolean;
  /** Run label (`--label`), part of the run id. */
  label: string;
  /** Stored with the run (the token and TLS material are left out). @default the options above */
  config?: Record<string, unknown>;
  /** Chat over TLS: on `port`, or on `tlsPort` beside plain TCP. */
  tls?: ChatTlsOptions;
  /** With `tls`: TLS on this port, plain TCP stays on `port`. */
  tlsPort?: number;
  /**
   * The token for every HTTP route and WebSocket path. Empty or absent: none on a loopback
   * `httpHost`, a generated one otherwise (see `Hub.token`).
   */
  token?: string;
  /** `GET /metrics` needs no token. @default false */
  metricsPublic?: boolean;
  /**
   * The address the token rule judges. @default httpHost. Tests bind 127.0.0.1 and pass a
   * non-loopback address here to get the exposed behaviour without a real interface.
   */
  accessHost?: string;
  /** The caller starts the tick clock (`metrics.aggregator.start()`); see MetricsServiceOptions. @default false */
  deferTicks?: boolean;
  /**
   * Write the run's `report.html` into its results folder on close (`chatpulse server`). The demo
   * writes its own after its summary. @default false
   */
  reportOnClose?: boolean;
  /**
   * `--keep-runs`: past runs kept in the store, pruned at start and daily (0 = no limit). With
   * neither this nor `keepDays` set, no retention runs (embedders and tests). @default undefined
   */
  keepRuns?: number;
  /** `--keep-days`: runs older than this many days are pruned (0 = no age limit). @default undefined */
  keepDays?: number;
  /** Where the retention line goes. @default console.log */
  log?: (line: string) => void;
}

export interface Hub {
  readonly options: HubOptions;
  readonly db: Db;
  readonly events: ChatEvents;
  readonly chat: ChatServer;
  readonly http: HttpServer;
  readonly app: express.Express;
  /** The one prom-client registry of this process (`/metrics`). */
  readonly registry: Registry;
  /** Aggregator, run store and CSV; undefined with `--no-metrics`. */
  readonly metrics: MetricsService | undefined;
  /** The page, run API, `WS /ws` and `/ingest`; `setCountdown()` for demos. */
  readonly dashboard: Dashboard;
  /** The token in force, or null when the HTTP port is open (loopback, no `--token`). */
  readonly token: string | null;
  /** True when the token was generated here (the CLI prints it), false when given or absent. */
  readonly tokenGenerated: boolean;
  /** Idempotent: stop accepting, tell clients, close the run and write its CSV, close the store. */
  close(): Promise<void>;
  /** Pruning old runs at start and daily; undefined when no retention was asked for. */
  readonly retention: RetentionService | undefined;
  /** After close() with `reportOnClose`: the report written, or why there is none (one line). */
  readonly report: { file: string | null; note: string; summary: boolean } | null;
}

/** The run's stored config: everything but secrets (the token, the TLS key and certificate, a Redis URL's password). */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { token, tls: _tls, ...rest } = config;
  return {
    ...rest,
    ...(typeof token === 'string' && token !== '' && { token: '(set)' }),
    ...(typeof rest.redis === 'string' && { redis: withoutSecrets(rest.redis) }),
  };
}

/**
 * Past this many ticks a run's report is left to `chatpulse report` rather than written on close:
 * summing every tick of a long run could outlast the shutdown bound (DESIGN §8: 5 s).
 */
const REPORT_ON_CLOSE_MAX_TICKS = 20_000;

function reportOnClose(db: Db, runId: string, folder: string): { file: string | null; note: string } {
  const ticks = new RunReader(db).getRun(runId)?.ticks ?? 0;
  if (ticks > REPORT_ON_CLOSE_MAX_TICKS) {
    return { file: null, note: `report.html not written on close (${ticks} ticks): chatpulse report ${runId}` };
  }
  try {
    return { file: writeRunReport(db, runId, folder), note: '' };
  } catch (err) {
    return { file: null, note: `report.html not written: ${(err as Error).message}` };
  }
}

/**
 * Writes the run's `summary.json` and `summary.md` (cli/server-summary.ts) into its folder; returns
 * why not, in one line, when they were not written (past the same tick bound as the report).
 */
async function summaryOnClose(db: Db, metrics: MetricsService, folder: string, chat: ChatServer, http: HttpServer, withReport: boolean): Promise<string> {
  const run = metrics.run;
  try {
    const reader = new RunReader(db);
    const stored = reader.getRun(run.id);
    const ticks = stored?.ticks ?? 0;
    if (ticks > REPORT_ON_CLOSE_MAX_TICKS) return `summary.json and summary.md not written on close (${ticks} ticks)`;
    const combinedLatency = metrics.aggregator.loadgenLatency();
    const summary = buildServerSummary({
      runId: run.id, folder, startedAt: run.start, endedAt: stored?.end ?? Date.now(), config: run.config,
      chat: `${urlHost(chat.address.address)}:${chat.address.port}`, dashboard: `http://${urlHost(http.address.address)}:${http.address.port}/`,
      server: readRunTotals(reader, run.id), reports: metrics.aggregator.latest?.loadgen ?? [],
      sourcesSeen: metrics.aggregator.loadgenSourcesSeen, combinedLatency,
      files: withReport ? RESULT_FILES : RESULT_FILES.filter((f) => f !== REPORT_FILE),
    });
    await writeSummaryPair(folder, summary, serverSummaryMarkdown(summary));
    return '';
  } catch (err) {
    return `summary.json and summary.md not written: ${(err as Error).message}`;
  }
}

export function defaultDbPath(resultsDir: string): string {
  return path.join(resultsDir, 'chatpulse.db');
}

/**
 * Opens the store, starts metrics, the chat server and the HTTP listener. If a port is busy,
 * everything started is stopped again and the new run is deleted, so a failed start leaves nothing
 * behind.
 */
export async function startHub(options: HubOptions): Promise<Hub> {
  const db = openDatabase(options.db);
  const events = new ChatEvents();
  const app = createApp();
  const registry = new Registry();
  // One for the process: the chat's history and grace stores and the metrics' run store report here.
  const storage = new StorageHealth();
  const needsToken = !isLoopbackHost(options.accessHost ?? options.httpHost);
  const token = options.token ? options.token : needsToken ? generateToken() : null;
  let metrics: MetricsService | undefined;
  let chat: ChatServer | undefined;
  let http: HttpServer | undefined;
  try {
    if (!options.noMetrics) {
      // Subscribed before the chat port opens, so the first connection is counted.
      metrics = startMetrics({
        db, events, registry, resultsDir: options.resultsDir, label: options.label, intervalMs: options.interval,
        window: options.window, metricRooms: options.metricRooms, config: redactConfig(options.config ?? { ...options }),
        storage,
        deferTicks: options.deferTicks ?? false,
      });
      registerStorageMetrics(registry, storage);
      app.get('/metrics', metrics.handler);
    } else {
      app.get('/metrics', (_req, res) => {
        res.status(404).json({ error: 'metrics are off (server started with --no-metrics)' });
      });
    }
    chat = await startChatServer({
      ...options, db, events, storage,
      ...(options.redis ? { redis: options.redis, presenceTtlMs: options.presenceTtl ?? 5000 } : { redis: undefined }),
      // `...options` carries the CLI's empty `--node-id`; the chat server reads empty as "default".
      nodeId: options.nodeId ?? '',
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.tls && options.tlsPort !== undefined ? { tlsPort: options.tlsPort } : {}),
    });
    const cluster = chat.core.cluster;
    if (cluster !== undefined && metrics !== undefined) registerClusterMetrics(registry, cluster.nodeId, () => cluster.up);
    http = await listenHttp(app, options.httpHost, options.httpPort, { token, metricsPublic: options.metricsPublic ?? false });
    mountChatPage(app, http.server, chat);
  } catch (err) {
    await chat?.close(0);
    metrics?.discard();
    db.close();
    throw err;
  }
  const chatServer = chat;
  const httpServer = http;
  const live = metrics;
  const dashboard = attachDashboard({
    app, server: httpServer.server,
    reader: metricsRunSource(live?.runs ?? new RunReader(db), () => live?.run.id ?? null),
    onReport: (report) => live?.aggregator.acceptLoadgenReport(report),
  });
  live?.aggregator.onSnapshot(dashboard.publish);
  registerSecurityMetrics(registry, () => {
    const ingest = dashboard.stats().ingest;
    return {
      ingestAccepted: ingest.accepted, ingestRejected: ingest.rejectedBy,
      httpRefused: httpServer.gate.refused(), tlsHandshakeFailures: chatServer.tlsHandshakeFailures(),
    };
  });
  // After the run was created, so it is never a candidate; the chat is serving meanwhile.
  const retention = options.keepRuns === undefined && options.keepDays === undefined ? undefined : startRetention({
    db, policy: { keepRuns: options.keepRuns ?? 0, keepDays: options.keepDays ?? 0 },
    protect: () => (live ? [live.run.id] : []), log: options.log ?? ((line) => console.log(line)),
  });
  let closing: Promise<void> | undefined;
  let report: Hub['report'] = null;
  return {
    options, db, events, app, registry, metrics, dashboard, chat: chatServer, http: httpServer, retention,
    token, tokenGenerated: token !== null && !options.token,
    get report() {
      return report;
    },
    close() {
      closing ??= (async () => {
        try {
          await retention?.close();
          await chatServer.close(2000);
          // After the chat closed: the last tick counts the goodbyes.
          const folder = await metrics?.close();
          if (options.reportOnClose && metrics && folder) {
            // The page first, as before the summary existed: should the two outlast the shutdown
            // bound, the report is the one that is already there.
            const page = reportOnClose(db, metrics.run.id, folder);
            const summaryNote = await summaryOnClose(db, metrics, folder, chatServer, httpServer, page.file !== null);
            report = { ...page, note: [page.note, summaryNote].filter(Boolean).join('; '), summary: summaryNote === '' };
          }
        } finally {
          await dashboard.close();
          await httpServer.close();
          db.close();
        }
      })();
      return closing;
    },
  };
}
