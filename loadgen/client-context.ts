/**
 * What a worker gives each of its virtual clients: the run's options they act on, the shared counters,
 * the clock, and the worker's view of the plan and of its targets.
 */
import type { Dialed } from './dialer.js';
import type { Target } from './options.js';
import type { RunMembers } from './room-view.js';
import type { ProtocolAdapter } from './protocols/index.js';
import type { WorkerStats } from './worker-stats.js';

export interface ClientContext {
  readonly adapter: ProtocolAdapter;
  readonly stats: WorkerStats;
  /** The servers; this client uses `targetIndex(gid, rooms, targets.length)`. */
  readonly targets: readonly Target[];
  readonly seed: number;
  readonly rooms: readonly string[];
  readonly pm: number;
  readonly switch: number;
  readonly users: number;
  readonly size: number;
  readonly inflight: number;
  readonly lossTimeoutMs: number;
  readonly nickPrefix: string;
  /** The run's tag in every payload, and its bytes (`run-identity.ts`). */
  readonly runTag: string;
  readonly runTagBytes: Uint8Array;
  /** Which members of a room are this run's clients (only they are expected to receive), and which the plan drops when. */
  readonly runMembers: RunMembers;
  /** Opens a connection to one of the targets (TCP, TLS or WebSocket: `dialer.ts`). */
  /** `nick`: for apps that take it in the WebSocket URL (`ProtocolAdapter.connectPath`). */
  dial(target: Target, nick: string): Dialed;
  /** Epoch ms, high resolution. */
  now(): number;
  /** How many clients (indices 0…n-1) the plan has connected by epoch ms `t` (PM targets). */
  plannedConnected(t: number): number;
  /** When the plan connects client `index` (epoch ms): a PM target picked just after may not be logged in yet. */
  plannedConnectAt(index: number): number;
  /** Client `gid` lost its connection (`down`) or is back in a room, at epoch ms `at` (member-outages.ts). */
  outage(gid: number, at: number, down: boolean): void;
  /**
   * A message of client `gid` reached one of this worker's clients at epoch ms `at` (its first copy
   * this tick): the server had handled it by then. Passed on to the sender if it is this worker's.
   */
  delivered?(gid: number, seq: number, at: number): void;
  readonly stopping: boolean;
}
