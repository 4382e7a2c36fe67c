import type { Registry } from 'prom-client';
import type { ChatEvents } from '../server/index.js';
import type { Db } from '../store/database.js';
import { StorageHealth } from '../store/storage-health.js';
import { writeRunCsv } from './csv-export.js';
import { metricsHandler } from './metrics-route.js';
import { registerChatMetrics } from './prometheus.js';
import { saveRunLatency } from './run-latency.js';
import { RunStore } from './run-store.js';
import type { StoredRun } from './run-schema.js';
import { TickAggregator } from './tick-aggregator.js';
import { systemClock, type TickClock } from './tick-clock.js';

export interface MetricsServiceOptions {
  db: Db;
  events: ChatEvents;
  /** Made once by the entry point; the chat metrics and default process metrics go on it. */
  registry: Registry;
  /** Where `<run-id>/rooms.csv` etc. are written on close. */
  resultsDir: string;
  /** @default 'server' */
  label?: string;
  /** @default 1000 */
  intervalMs?: number;
  /** @default 5 */
  window?: number;
  /** @default 50 */
  metricRooms?: number;
  /** Stored with the run (its flags). */
  config?: Record<string, unknown>;
  /** @default systemClock */
  clock?: TickClock;
  /** @default true */
  defaultMetrics?: boolean;
  /** Where failed sample writes (a full disk) are counted and logged. @default a StorageHealth of its own */
  storage?: StorageHealth;
  /**
   * Leave the tick clock to the caller (`aggregator.start()`): a demo starts it when its load begins,
   * so that the run's ticks and elapsed time are the load's and not the load generator's start-up.
   * Events before that are counted in the first tick. @default false
   */
  deferTicks?: boolean;
}

export interface MetricsService {
  readonly aggregator: TickAggregator;
  readonly runs: RunStore;
  readonly run: StoredRun;
  /** The newest run before this one, if any (after stale runs were marked aborted). */
  readonly previousRun: StoredRun | undefined;
  /** Runs found `running` with their process gone, now marked `aborted`. */
  readonly aborted: string[];
  /** `GET /metrics`. */
  readonly handler: ReturnType<typeof metricsHandler>;
  /**
   * Idempotent: the last (partial) tick, the run marked completed, its CSV files written.
   * Resolves with the results folder.
   */
  close(): Promise<string>;
  /** For a start that failed: stops everything and deletes the run. */
  discard(): void;
}

/** Ticks between two writes of the run's latency histograms. */
const LATENCY_SAVE_TICKS = 10;

/** The metrics side of a server process: aggregator → Prometheus, run history, CSV on close. */
export function startMetrics(opts: MetricsServiceOptions): MetricsService {
  const clock = opts.clock ?? systemClock;
  const health = opts.storage ?? new StorageHealth();
  const runs = new RunStore(opts.db);
  const aborted = runs.abortStale();
  const previousRun = runs.previousRun();
  const run = runs.startRun({ label: opts.label ?? 'server', start: clock.now(), config: opts.config ?? {} });
  const aggregator = new TickAggregator(opts.events, {
    runId: run.id, clock,
    ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
    ...(opts.window !== undefined ? { window: opts.window } : {}),
    ...(opts.metricRooms !== undefined ? { metricRooms: opts.metricRooms } : {}),
  });
  let latencySavedAt = 0;
  const saveLatency = (time: number) => {
    const h = aggregator.loadgenHistograms();
    if (h !== null) saveRunLatency(opts.db, run.id, h, time);
  };
  aggregator.onSnapshot((s) => {
    try {
      runs.record(s);
      // The run's merged histograms, rewritten every few ticks (encoding one costs ~1 ms), so a
      // killed run keeps its spectrum up to then; close() writes the final one.
      if (s.totals.loadgen !== null && s.tick - latencySavedAt >= LATENCY_SAVE_TICKS) {
        saveLatency(s.time);
        latencySavedAt = s.tick;
      }
      health.ok('runs');
    } catch (err) {
      // A full disk must not stop the chat: count it, keep serving, write the next tick when it can.
      // The tick itself is not retried (it is in /metrics and on the dashboard already).
      health.failed('runs', err, `tick ${s.tick} of run ${s.runId} not saved`);
      health.dropped('runs', 1);
    }
  });
  const stopFanout = registerChatMetrics(opts.registry, () => aggregator.latest, opts.events, {
    defaultMetrics: opts.defaultMetrics ?? true,
  });
  if (!opts.deferTicks) aggregator.start();

  let closing: Promise<string> | undefined;
  return {
    aggregator, runs, run, previousRun, aborted,
    handler: metricsHandler(opts.registry),
    close() {
      closing ??= (async () => {
        // Deferred and never started (the load never began): the run still gets its one tick.
        aggregator.start();
        const last = aggregator.close();
        stopFanout();
        try {
          runs.finishRun(run.id, 'completed', last?.time ?? clock.now());
        } catch (err) {
          // Left 'running': the next start marks it aborted, and its ticks so far are kept.
          health.failed('runs', err, `run ${run.id} not marked completed`);
        }
        try {
          saveLatency(last?.time ?? clock.now());
        } catch (err) {
          health.failed('runs', err, `run ${run.id}: latency histograms not saved`);
        }
        return writeRunCsv(runs, run.id, opts.resultsDir);
      })();
      return closing;
    },
    discard() {
      closing ??= Promise.resolve('');
      aggregator.close();
      stopFanout();
      runs.deleteRun(run.id);
    },
  };
}
