/** Messages between the main thread (run-load.ts) and worker threads (worker.ts). Structured-clone data only. */
import type { DeliveryCounts } from './delivery-counts.js';
import type { LoadOptions } from './options.js';
import type { Plan } from './plan.js';
import type { ReachCounts } from './target-reach.js';

export interface WorkerInit {
  workerIndex: number;
  /** Client indices this worker runs. */
  clients: number[];
  options: LoadOptions;
  plan: Plan;
}

export type MainToWorker =
  /** Begin the schedule; `startEpochMs` (clock.ts) is the run's time zero. */
  | { type: 'start'; startEpochMs: number }
  | { type: 'tick'; tick: number }
  /** Stop the schedule (no new actions); keep receiving. */
  | { type: 'stop' }
  /** Say goodbye, close sockets, send `final`. */
  | { type: 'close' }
  /** Another worker's client lost its connection (`down`) or is back in a room (member-outages.ts). */
  | Outage;

/** Client `client` lost its connection at epoch ms `at` (`down`), or was back in a room then. */
export interface Outage {
  type: 'outage';
  client: number;
  at: number;
  down: boolean;
}

export interface WorkerHealth {
  /** Share of the tick the worker's event loop was busy (0–1): its CPU. */
  elu: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

/** One worker's tick; the `DeliveryCounts` fields are this tick's counts. */
export interface WorkerTick extends DeliveryCounts {
  type: 'tick';
  worker: number;
  tick: number;
  connected: number;
  /** Messages due but dropped because a client's queue was full. */
  errors: Record<string, number>;
  /** Per message decided: gid, seq, expected recipients, ambiguous recipients, written epoch ms (ledger.ts SENT_RECORD). */
  sentRecords: Float64Array;
  /** Per message seen in time: key (gid·2³² + seq), distinct receivers this tick. */
  receipts: Float64Array;
  corrected: string;
  uncorrected: string;
  health: WorkerHealth;
  /** Messages (room and PM) due but not written at this tick: waiting in their clients' queues. */
  waiting: number;
  /** Connection attempts per target (index of `options.targets`), while some are still unreached; set by the engine. */
  reach?: ReachCounts[] | undefined;
}

export interface WorkerFinal {
  type: 'final';
  worker: number;
  /** Messages (room and PM) that fell due but were still waiting in their clients' queues at the end. */
  unsent: number;
  /** Encoded histograms (µs): command round trips, connect time, time to first line. */
  join: string;
  users: string;
  pm: string;
  connect: string;
  firstLine: string;
  handshake: string;
}

export type WorkerToMain =
  | { type: 'ready'; worker: number } | WorkerTick | WorkerFinal | { type: 'fatal'; worker: number; message: string }
  /** Relayed to every other worker. */
  | (Outage & { worker: number });

/** The receipt key of message `seq` from sender `gid`. */
export function receiptKey(gid: number, seq: number): number {
  return gid * 4294967296 + seq;
}

/**
 * Mixes a receipt key's sequence (low 32 bits) and sender (high bits) — small, consecutive integers —
 * into well-spread bits, for the hash tables keyed by it (the worker's receipts, the main thread's
 * ledger). From the key alone, so that a slot is found again after the table grows.
 */
export function receiptSlot(key: number): number {
  let h = Math.imul(key >>> 0, 0x9e3779b1) ^ Math.imul((key / 4294967296) >>> 0, 0x85ebca6b);
  h ^= h >>> 15;
  return h;
}
