/**
 * What a load generator sends to the server's `WS /ingest` once per tick (JSON, one object per
 * frame). The tick aggregator keeps the latest per `source`; the dashboard charts it.
 * Browser-safe: no Node imports.
 */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Samples behind these figures. */
  count: number;
}

export interface TickHistograms {
  corrected: string;
  uncorrected: string;
}

export interface LoadgenTickReport {
  type: 'loadgen-tick';
  /** Which load generator: `--label`, or host-pid. Text, never HTML. */
  source: string;
  /** Protocol and target, e.g. `chatpulse://127.0.0.1:5555`. */
  target: string;
  /** Epoch ms when the tick ended. */
  time: number;
  elapsedS: number;
  /** Connected virtual clients now. */
  clients: number;
  /** Counts this tick. */
  sent: number;
  received: number;
  /** Counts since the run started (DESIGN §9). */
  sentTotal: number;
  receivedTotal: number;
  expectedTotal: number;
  lostTotal: number;
  duplicatedTotal: number;
  reorderedTotal: number;
  /**
   * Deliveries beyond the expected and ambiguous recipients, and recipients neither expected nor not
   * (DESIGN §9 / README's delivery rule), since the run started. Optional: older loadgens send none.
   */
  unexpectedTotal?: number;
  ambiguousTotal?: number;
  /**
   * Messages due but not written at this report, waiting in their clients' queues; in the report after
   * the run's stop, those never written (the summary's `unsent`). Optional: older loadgens send none.
   */
  waiting?: number;
  /** Delivery latency this tick, in ms, merged across worker threads (never averaged). */
  latencyMs: { corrected: Percentiles; uncorrected: Percentiles };
  /**
   * The same tick's latency histograms, so the hub can merge several generators into one histogram:
   * values in µs (1 µs to 1 h, 3 significant digits), HdrHistogram's compressed encoding in base64
   * ('' when empty; loadgen/histogram-wire.ts has the format and the hub's limits). Optional: older
   * loadgens, and a tick whose encoding exceeds the limits, send none — the hub then falls back to
   * `latencyMs`.
   */
  histograms?: TickHistograms;
  /** Errors since the run started, by kind. */
  errors: Record<string, number>;
  /** True when the generator itself was saturated this tick (its latencies are suspect). */
  saturated: boolean;
}
