/**
 * `--metrics-port N`: the load generator's own Prometheus endpoint (DESIGN §4 `loadgen_*` names) on
 * 127.0.0.1, from its own Registry. Counters are advanced once per tick; the latency histogram is
 * computed at scrape time from the run's HdrHistograms (its buckets are exact counts, not samples).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import type { RunAggregate, TickView } from './aggregate.js';
import { cumulativeCounts, type Histogram } from './histograms.js';

const BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class LoadgenMetrics {
  readonly registry = new Registry();
  readonly #sent: Counter;
  readonly #received: Counter;
  readonly #lost: Counter;
  readonly #errors: Counter<'kind'>;
  readonly #clients: Gauge;
  readonly #seenErrors: Record<string, number> = {};

  constructor(aggregate: RunAggregate) {
    const registers = [this.registry];
    this.#sent = new Counter({ name: 'loadgen_messages_sent_total', help: 'Room messages and PMs written by virtual clients', registers });
    this.#received = new Counter({ name: 'loadgen_messages_received_total', help: 'Distinct deliveries seen by virtual clients', registers });
    this.#lost = new Counter({ name: 'loadgen_messages_lost_total', help: 'Expected deliveries not seen within the loss timeout', registers });
    this.#errors = new Counter({ name: 'loadgen_errors_total', help: 'Errors by kind (server refusals, disconnects, connect failures)', labelNames: ['kind'], registers });
    this.#clients = new Gauge({ name: 'loadgen_clients', help: 'Connected virtual clients', registers });
    this.registry.registerMetric(latencyHistogram(aggregate) as never);
  }

  onTick(view: TickView, aggregate: RunAggregate): void {
    this.#sent.inc(view.sent);
    this.#received.inc(view.received);
    this.#lost.inc(view.settled.lost);
    this.#clients.set(view.clients);
    for (const [kind, n] of Object.entries(aggregate.errors)) {
      const delta = n - (this.#seenErrors[kind] ?? 0);
      if (delta > 0) this.#errors.inc({ kind }, delta);
      this.#seenErrors[kind] = n;
    }
  }
}

function latencyHistogram(a: RunAggregate) {
  const name = 'loadgen_delivery_latency_seconds';
  const series = (timing: string, h: Histogram) => {
    const counts = cumulativeCounts(h, BUCKETS_S.map((s) => s * 1e6));
    const labels = { timing };
    return [
      ...BUCKETS_S.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: counts[i] as number })),
      { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.totalCount },
      { metricName: `${name}_sum`, labels, value: (h.mean * h.totalCount) / 1e6 },
      { metricName: `${name}_count`, labels, value: h.totalCount },
    ];
  };
  return {
    name,
    help: 'Delivery latency: timing="corrected" from the intended send time, "uncorrected" from the actual write',
    type: 'histogram',
    aggregator: 'sum',
    get: () => ({
      name, help: 'Delivery latency', type: 'histogram', aggregator: 'sum',
      values: [...series('corrected', a.corrected), ...series('uncorrected', a.uncorrected)],
    }),
  };
}

/** Serves `GET /metrics` on 127.0.0.1:`port` (0 = any free port). */
export async function serveMetrics(registry: Registry, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      closing ??= new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
