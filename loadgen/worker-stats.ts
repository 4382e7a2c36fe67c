/**
 * One worker's counters. The hot path only increments and records; `drainTick()` turns a tick's
 * worth into a `WorkerTick` (histograms encoded, receipts flattened) and starts the next.
 */
import { DeliveryCounts, takeDeliveryCounts } from './delivery-counts.js';
import { encodeHistogram, newHistogram, type Histogram } from './histograms.js';
import { LatencyRecorder } from './latency-recorder.js';
import { ReceiptCounts } from './receipt-counts.js';
import type { WorkerHealth, WorkerTick } from './worker-messages.js';

export class WorkerStats extends DeliveryCounts {
  connected = 0;
  errors: Record<string, number> = {};
  readonly corrected = newHistogram();
  readonly uncorrected = newHistogram();
  /** Where the hot path records; drained into the two histograms above each tick. */
  readonly #correctedFast = new LatencyRecorder();
  readonly #uncorrectedFast = new LatencyRecorder();
  /** Run-long, shipped once at the end. */
  /**
   * The longest delivery (uncorrected: from the write) this worker saw in its last two ticks, ms: how
   * late the server handles messages now. Ambiguity windows reach that far (virtual-client.ts).
   */
  serverLagMs = 0;
  #lastTickMaxMs = 0;
  readonly join = newHistogram();
  readonly users = newHistogram();
  readonly pm = newHistogram();
  readonly connect = newHistogram();
  readonly firstLine = newHistogram();
  /** TLS handshake: TCP connected → secure (empty without --tls). */
  readonly handshake = newHistogram();
  #sentRecords: number[] = [];
  /** This tick's messages: receipts counted, times read once per message (the inbox's hot path). */
  readonly receipts = new ReceiptCounts();

  constructor(readonly worker: number) {
    super();
  }

  error(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  /**
   * A room message or PM decided: who, which, how many certainly should get it, how many may or may not
   * (ambiguous), when written (epoch ms). `expected` −1 retracts a PM the server refused.
   */
  wrote(gid: number, seq: number, expected: number, ambiguous: number, writtenMs: number): void {
    this.#sentRecords.push(gid, seq, expected, ambiguous, writtenMs);
  }

  /** A first-time delivery seen within the loss timeout. */
  receipt(gid: number, seq: number): void {
    this.receipts.add(gid, seq);
  }

  latency(correctedUs: number, uncorrectedUs: number): void {
    this.#correctedFast.record(correctedUs);
    this.#uncorrectedFast.record(uncorrectedUs);
  }

  drainTick(tick: number, health: WorkerHealth, waiting = 0): WorkerTick {
    this.#correctedFast.drainInto(this.corrected);
    this.#uncorrectedFast.drainInto(this.uncorrected);
    const tickMaxMs = this.uncorrected.totalCount > 0 ? this.uncorrected.maxValue / 1000 : 0;
    this.serverLagMs = Math.max(tickMaxMs, this.#lastTickMaxMs);
    this.#lastTickMaxMs = tickMaxMs;
    const receipts = this.receipts.take();
    const out: WorkerTick = {
      type: 'tick', worker: this.worker, tick, connected: this.connected, ...takeDeliveryCounts(this),
      errors: this.errors, sentRecords: Float64Array.from(this.#sentRecords), receipts,
      corrected: encodeHistogram(this.corrected), uncorrected: encodeHistogram(this.uncorrected), health, waiting,
    };
    this.errors = {};
    this.#sentRecords = [];
    this.corrected.reset();
    this.uncorrected.reset();
    return out;
  }

  static encodeRun(h: Histogram): string {
    return encodeHistogram(h);
  }
}
