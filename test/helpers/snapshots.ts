import type { RoomSample, Snapshot, TotalsSample } from '../../metrics/snapshot.js';
import type { LoadgenTickReport } from '../../protocol/loadgen-report.js';

/** A plausible Snapshot for tests of the parts downstream of the aggregator (frames, backpressure). */
export function makeSnapshot(tick: number, opts: { runId?: string; rooms?: string[]; t0?: number; intervalS?: number } = {}): Snapshot {
  const intervalS = opts.intervalS ?? 1;
  const t0 = opts.t0 ?? 1_700_000_000_000;
  const rooms: RoomSample[] = (opts.rooms ?? ['main']).map((room, i) => ({
    room, messages: tick + i, messagesTotal: tick * (tick + i), mps: (tick + i) / intervalS, mpsAvg: tick / intervalS,
    joins: 0, leaves: 0, joinsTotal: 1, leavesTotal: 0, members: 1,
  }));
  const totals = {
    messages: 0, mps: 0, mpsAvg: 0, joins: 0, leaves: 0, members: rooms.length, messagesTotal: 0, privateMessages: 0,
    privateMessagesTotal: 0, deliveries: 0, deliveriesTotal: 0, connections: 1, connectionsTotal: 1, bytesIn: 0, bytesOut: 0,
    bytesInTotal: 0, bytesOutTotal: 0, errors: 0, errorsTotal: 0, errorsByReason: {}, disconnectsByReason: {}, loadgen: null,
  } satisfies TotalsSample;
  return {
    runId: opts.runId ?? 'run-1', tick, time: t0 + tick * intervalS * 1000, elapsedS: tick * intervalS, intervalS,
    rooms, totals, loadgen: [],
  };
}

/** A valid `loadgen-tick` report, with fields replaced by `over`; `latency` sets both percentile sets. */
export function loadgenTick(over: Partial<LoadgenTickReport> & { latency?: LoadgenTickReport['latencyMs']['corrected'] } = {}): LoadgenTickReport {
  const { latency, ...rest } = over;
  const p = latency ?? { p50: 1, p90: 2, p99: 3, p999: 4, max: 5, count: 9 };
  return {
    type: 'loadgen-tick', source: 'lg', target: 't', time: 1, elapsedS: 1, clients: 1, sent: 1, received: 1, sentTotal: 1,
    receivedTotal: 1, expectedTotal: 1, lostTotal: 0, duplicatedTotal: 0, reorderedTotal: 0,
    latencyMs: { corrected: p, uncorrected: p }, errors: {}, saturated: false, ...rest,
  };
}

/** The same as the /ingest socket receives it (`over` may hold fields no report should). */
export function loadgenTickJson(over: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...loadgenTick(), ...over });
}
