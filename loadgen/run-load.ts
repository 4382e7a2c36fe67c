/**
 * `runLoad()`: one load run from start to summary. Used by `chatpulse loadgen`, `chatpulse demo`
 * and `chatpulse compare`. The main thread only orchestrates: workers run the clients, and once per
 * tick it merges their counts and histograms, settles the ledger, and feeds the outputs.
 */
import { RunAggregate, type TickView } from './aggregate.js';
import { epochMs } from './clock.js';
import { encodeWire, WIRE_LIMITS } from './histogram-wire.js';
import { percentilesMs, type Histogram } from './histograms.js';
import { LoadgenMetrics, serveMetrics } from './metrics-server.js';
import { parseTarget, resolveLoadOptions, targetsLabel, targetUrl, type LoadOptions } from './options.js';
import { buildPlan, rampEnd } from './plan.js';
import type { LoadgenTickReport, TickHistograms } from './report.js';
import { TickReporter } from './reporter.js';
import { buildSummary, type LoadSummary, type SteadyCounts } from './summary.js';
import { ReachTracker, reachWindowMs, UnreachableError, type Unreachable } from './target-reach.js';
import { parseThreshold, ThresholdTracker, type Threshold } from './thresholds.js';
import type { WorkerInit } from './worker-messages.js';
import { WorkerPool } from './worker-pool.js';

export interface RunHooks {
  /** Abort ends the schedule early; the run still drains briefly and returns its summary (`stoppedEarly` set). */
  signal?: AbortSignal;
  /** Called once per tick with the report that goes to `/ingest`. */
  onTick?(report: LoadgenTickReport, view: TickView): void;
  /** `ws://host:port/ingest`: send each tick's report there. */
  report?: string;
  /** The dashboard's token, sent as `Authorization: Bearer …` on the /ingest upgrade. */
  reportToken?: string;
  /** Serve the loadgen's own /metrics on 127.0.0.1 (0 = any free port). */
  metricsPort?: number;
  onMetricsPort?(port: number): void;
  /** `p99<50ms`, `loss<0.1%`, `errors<10 over 10s`… */
  thresholds?: readonly (string | Threshold)[];
  /** Called once at the end with the whole run's delivery latency histograms (µs), e.g. for a percentile spectrum. */
  onRunHistograms?(h: { corrected: Histogram; uncorrected: Histogram }): void;
  /** Non-fatal trouble (report socket down…). @default no-op */
  onWarn?(message: string): void;
}

/** On abort, stragglers get at most this long. */
const ABORT_DRAIN_MS = 1500;

/**
 * Throws `UnreachableError` (naming each target and why) when no client has reached a target within
 * `reachWindowMs(ramp)` of the first attempt to it, or by the scheduled end of a shorter run.
 */
export async function runLoad(partial: Partial<LoadOptions> = {}, hooks: RunHooks = {}): Promise<LoadSummary> {
  const o = resolveLoadOptions(partial);
  const thresholds = (hooks.thresholds ?? []).map((t) => (typeof t === 'string' ? parseThreshold(t) : t));
  const plan = buildPlan(o);
  const aggregate = new RunAggregate(o.lossTimeout, o.interval);
  const tracker = new ThresholdTracker(thresholds, o.interval);
  const reach = new ReachTracker(o.targets.length);
  const reachWindow = reachWindowMs(o.ramp);
  const metrics = hooks.metricsPort !== undefined ? new LoadgenMetrics(aggregate) : undefined;
  const metricsServer = metrics ? await serveMetrics(metrics.registry, hooks.metricsPort as number) : undefined;
  if (metricsServer) hooks.onMetricsPort?.(metricsServer.port);
  const reporter = hooks.report ? new TickReporter(hooks.report, { onWarn: hooks.onWarn ?? (() => {}), ...(hooks.reportToken ? { token: hooks.reportToken } : {}) }) : undefined;

  const n = Math.min(o.workers, plan.clients);
  const inits: WorkerInit[] = Array.from({ length: n }, (_, w) => ({
    workerIndex: w, options: o, plan,
    clients: Array.from({ length: Math.ceil((plan.clients - w) / n) }, (_, k) => w + k * n),
  }));
  const pool = new WorkerPool(inits);
  let startEpoch = epochMs();
  let stoppedAt = startEpoch;
  let stoppedEarly = false;
  const steady: SteadyCounts = { sent: 0, received: 0, ticks: 0, lastTick: 0, intervalMs: o.interval };
  try {
    await pool.ready();
    startEpoch = epochMs() + 20;
    pool.post({ type: 'start', startEpochMs: startEpoch });
    let tick = 0;
    const steadyFrom = rampEnd(plan);
    let stopped = false;
    let stopTick = Infinity;
    let drainUntil = Infinity;
    for (;;) {
      tick++;
      const aborted = hooks.signal?.aborted === true;
      await sleepUntil(startEpoch + tick * o.interval, stopped ? undefined : hooks.signal);
      const now = epochMs();
      if (!stopped && (now - startEpoch >= plan.duration || hooks.signal?.aborted)) {
        stopped = true;
        stopTick = tick;
        stoppedAt = Math.min(now, startEpoch + plan.duration);
        // An abort after the scheduled end (a demo stopping a draining child) is no early stop.
        stoppedEarly = now - startEpoch < plan.duration;
        pool.post({ type: 'stop' });
        drainUntil = now + (hooks.signal?.aborted ? Math.min(ABORT_DRAIN_MS, o.lossTimeout) : o.lossTimeout) + o.interval;
      }
      // At least one tick after the stop, for receipts still in flight between threads.
      const last = tick > stopTick && (now >= drainUntil || aggregate.ledger.unsettled() === 0 || aborted);
      const parts = await pool.tick(tick);
      reach.add(parts);
      // Judged until the schedule stops (at that tick too, for runs shorter than the window), not after an abort.
      if (hooks.signal?.aborted !== true && (!stopped || tick === stopTick)) {
        const dead = reach.unreachable(now, reachWindow, stopped);
        if (dead.length > 0) throw unreachableError(o, dead, stopped ? `during the ${Math.round(plan.duration / 100) / 10} s run` : `within ${reachWindow / 1000} s`);
      }
      const view = aggregate.mergeTick(tick, parts, epochMs(), last, tick <= stopTick);
      // The rates' window: whole ticks after the ramp, within the schedule (see `rampEnd`).
      // (A run stopped early ends its window where it stopped: its cut tick is not a whole one.)
      const windowEnd = stopped ? Math.min(plan.duration, stoppedAt - startEpoch) : plan.duration;
      if ((tick - 1) * o.interval >= steadyFrom && tick * o.interval <= windowEnd + 1 && tick <= stopTick) {
        steady.sent += view.sent;
        steady.received += view.received;
        steady.ticks++;
        steady.lastTick = tick;
      }
      tracker.addTick({ latency: view.corrected, lost: view.settled.lost, settledExpected: view.settled.expected, errors: view.errors, due: view.sent + view.waiting });
      metrics?.onTick(view, aggregate);
      const report = tickReport(o, aggregate, view, startEpoch);
      reporter?.send(report);
      hooks.onTick?.(report, view);
      if (last) break;
    }
    for (const f of await pool.close()) aggregate.addFinal(f);
  } finally {
    await pool.terminate();
    await reporter?.close();
    await metricsServer?.close();
  }
  hooks.onRunHistograms?.({ corrected: aggregate.corrected, uncorrected: aggregate.uncorrected });
  const results = tracker.results({
    latency: aggregate.corrected, lost: aggregate.ledger.lostTotal, expected: aggregate.ledger.expectedTotal, errors: aggregate.errorsTotal, unsent: aggregate.unsent,
  });
  return buildSummary(aggregate, o, plan.clients, startEpoch, stoppedAt - startEpoch, results, { plannedMs: plan.duration, stoppedEarly }, steady);
}

function tickReport(o: LoadOptions, a: RunAggregate, v: TickView, startEpoch: number): LoadgenTickReport {
  const now = epochMs();
  return {
    type: 'loadgen-tick', source: o.label, target: targetsLabel(o), time: Math.round(now), elapsedS: Math.round(now - startEpoch) / 1000,
    clients: v.clients, sent: v.sent, received: v.received, sentTotal: a.sent, receivedTotal: a.received,
    expectedTotal: a.ledger.expectedTotal, lostTotal: a.ledger.lostTotal, duplicatedTotal: a.duplicated, reorderedTotal: a.reordered,
    unexpectedTotal: a.ledger.unexpectedTotal, ambiguousTotal: a.ledger.ambiguousTotal, waiting: v.waiting,
    latencyMs: { corrected: percentilesMs(v.corrected), uncorrected: percentilesMs(v.uncorrected) },
    ...wireHistograms(v),
    errors: { ...a.errors }, saturated: v.saturated,
  };
}

/** The tick's histograms for the hub's merge; none when one would exceed what the hub accepts (it then uses the percentiles). */
function wireHistograms(v: TickView): { histograms?: TickHistograms } {
  const corrected = encodeWire(v.corrected);
  const uncorrected = encodeWire(v.uncorrected);
  const fits = corrected.length <= WIRE_LIMITS.maxBase64 && uncorrected.length <= WIRE_LIMITS.maxBase64;
  return fits ? { histograms: { corrected, uncorrected } } : {};
}

function unreachableError(o: LoadOptions, dead: Unreachable[], within: string): UnreachableError {
  return new UnreachableError(dead.map(({ target, error }) => {
    const t = parseTarget(o.targets[target] as string, o.protocol);
    // A WebSocket target by its URL: the path is part of where it failed (a 404 on upgrade).
    const address = t.transport === 'tcp' ? `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}` : targetUrl(t);
    return { address, error };
  }), within);
}

function sleepUntil(epoch: number, signal?: AbortSignal): Promise<void> {
  const ms = epoch - epochMs();
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
