/**
 * The Snapshot: one per tick, made by the tick aggregator. Every downstream view — Prometheus gauges,
 * history rows, WebSocket frames, CSV — is fed from it, so all views agree. Imported by server code
 * and by the browser bundle: keep it free of Node imports.
 */
import type { LoadgenTickReport } from './loadgen-report.js';

/** One room in one tick. `room` is `_other` for the rooms folded beyond `--metric-rooms`. */
export interface RoomSample {
  room: string;
  /** Messages sent to the room this tick. */
  messages: number;
  /** Messages since the room got its row (its `_other` messages before that are in `_other`). */
  messagesTotal: number;
  /** messages / real elapsed seconds of this tick. */
  mps: number;
  /** Simple mean of the last `--window` ticks' MPS (fewer while the window fills). */
  mpsAvg: number;
  joins: number;
  leaves: number;
  joinsTotal: number;
  leavesTotal: number;
  /** Members at the end of the tick. */
  members: number;
}

/** The whole server in one tick. Counters named `…Total` are since the run started. */
export interface TotalsSample {
  messages: number;
  mps: number;
  mpsAvg: number;
  joins: number;
  leaves: number;
  members: number;
  messagesTotal: number;
  privateMessages: number;
  privateMessagesTotal: number;
  /** Fan-out lines written (room messages × members, echo included) this tick. */
  deliveries: number;
  deliveriesTotal: number;
  /** Open connections at the end of the tick. */
  connections: number;
  connectionsTotal: number;
  bytesIn: number;
  bytesOut: number;
  bytesInTotal: number;
  bytesOutTotal: number;
  errors: number;
  errorsTotal: number;
  /** Totals since the run started, by reason (DESIGN §8 reasons and `slow_consumer`). */
  errorsByReason: Record<string, number>;
  /** Disconnects since the run started, by reason (`quit`, `closed`, `slow_consumer`, …). */
  disconnectsByReason: Record<string, number>;
  /**
   * The load generators' reports that arrived during this tick, combined: counts summed, latency
   * percentiles (corrected, ms) those of one histogram merged from every report's histograms.
   * Null when no report arrived this tick.
   */
  loadgen: LoadgenSummary | null;
}

export interface LoadgenSummary {
  /** Sources that reported this tick. */
  sources: number;
  /** This tick: messages sent and deliveries received, summed over every report that arrived. */
  sent: number;
  received: number;
  /** Deliveries the generators settled as lost this tick (the growth of each source's `lostTotal`): sums to the run's lost. */
  lost: number;
  /** Sum of the reporting sources' running `lostTotal`. */
  lostTotal: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /**
   * p50 and p99 without the coordinated-omission correction (ms), from the merged uncorrected
   * histogram; absent in ticks stored before they were recorded. A p99 far above its uncorrected twin
   * is the generator's schedule slipping, not the server's speed — reports draw both.
   */
  p50UncorrectedMs?: number;
  p99UncorrectedMs?: number;
  /** Deliveries behind the percentiles. */
  samples: number;
  /**
   * True: the percentiles are exactly those of the merged histogram. False: some report came without
   * histograms (an older loadgen), and each figure is the worst of the merged one and those reports' own.
   */
  merged: boolean;
}

export interface Snapshot {
  runId: string;
  /** 1 for the first tick of a run. */
  tick: number;
  /** Epoch ms at the end of the tick. */
  time: number;
  /** Seconds since the run started, at the end of the tick. */
  elapsedS: number;
  /** Real length of this tick in seconds (timers drift; MPS divides by this). */
  intervalS: number;
  /** Busiest first; at most `--metric-rooms` named rooms plus `_other`. */
  rooms: RoomSample[];
  totals: TotalsSample;
  /** The latest report of each load generator heard from (by `source`), if any. */
  loadgen: LoadgenTickReport[];
}
