import { collectDefaultMetrics, Counter, Gauge, type Registry } from 'prom-client';
import { BucketHistogram } from './bucket-histogram.js';
import type { ChatEvents } from '../server/index.js';
import type { Snapshot } from './snapshot.js';

/** Fan-out is micro- to milliseconds on a healthy server; the top buckets catch a stalled loop. */
export const FANOUT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export interface ChatMetricsOptions {
  /** Node process metrics (`process_*`, `nodejs_*`). @default true */
  defaultMetrics?: boolean;
}

/**
 * Registers the `chat_*` metrics of DESIGN §4 (and §8's slow-consumer counter) on `registry`.
 * Counters and gauges are filled at scrape time (`collect()`) from the latest snapshot, so
 * `/metrics`, the dashboard, the samples and the CSV all agree; nothing is counted twice on the hot
 * path. Room labels are the snapshot's rows: at most `--metric-rooms` rooms plus `_other`.
 * The fan-out histogram is the exception: it is observed from the core's `flush` events, because a
 * distribution cannot be rebuilt from per-tick counts.
 */
export function registerChatMetrics(
  registry: Registry, latest: () => Snapshot | undefined, events: ChatEvents, options: ChatMetricsOptions = {},
): () => void {
  const registers = [registry];
  const perRoom = (name: string, help: string, pick: (r: Snapshot['rooms'][number]) => number) =>
    new Counter({
      name, help, labelNames: ['room'], registers,
      collect() {
        this.reset();
        for (const r of latest()?.rooms ?? []) this.inc({ room: r.room }, pick(r));
      },
    });
  const total = (name: string, help: string, pick: (t: Snapshot['totals']) => number) =>
    new Counter({
      name, help, registers,
      collect() {
        this.reset();
        const s = latest();
        if (s) this.inc(pick(s.totals));
      },
    });
  const byReason = (name: string, help: string, pick: (t: Snapshot['totals']) => Record<string, number>) =>
    new Counter({
      name, help, labelNames: ['reason'], registers,
      collect() {
        this.reset();
        const s = latest();
        if (s) for (const [reason, n] of Object.entries(pick(s.totals))) this.inc({ reason }, n);
      },
    });

  perRoom('chat_messages_total', 'Room messages (rooms beyond --metric-rooms are summed as _other)', (r) => r.messagesTotal);
  perRoom('chat_room_joins_total', 'Room joins', (r) => r.joinsTotal);
  perRoom('chat_room_leaves_total', 'Room leaves', (r) => r.leavesTotal);
  new Gauge({
    name: 'chat_room_members', help: 'Members of a room now', labelNames: ['room'], registers,
    collect() {
      this.reset();
      for (const r of latest()?.rooms ?? []) this.set({ room: r.room }, r.members);
    },
  });
  total('chat_private_messages_total', 'Private messages', (t) => t.privateMessagesTotal);
  total('chat_deliveries_total', 'Fan-out lines written (room messages times members, echo included)', (t) => t.deliveriesTotal);
  // DESIGN names the open-connections gauge `chat_connections`. In OpenMetrics that is the family name of
  // the counter `chat_connections_total`, and a gauge of the same family makes the exposition invalid
  // (promtool: "second HELP line"). So the same figure is also
  // `chat_connections_open`, valid in both formats, and `chat_connections` is left out of OpenMetrics
  // scrapes (CLASSIC_ONLY, metrics-route.ts).
  for (const name of ['chat_connections', 'chat_connections_open']) {
    new Gauge({
      name, help: 'Open connections', registers,
      collect() {
        this.set(latest()?.totals.connections ?? 0);
      },
    });
  }
  total('chat_connections_total', 'Connections accepted', (t) => t.connectionsTotal);
  total('chat_bytes_received_total', 'Bytes read from clients', (t) => t.bytesInTotal);
  total('chat_bytes_sent_total', 'Bytes written to clients', (t) => t.bytesOutTotal);
  byReason('chat_errors_total', 'Errors answered or counted, by reason', (t) => t.errorsByReason);
  byReason('chat_disconnects_total', 'Disconnects, by reason', (t) => t.disconnectsByReason);
  total('chat_slow_consumer_disconnects_total', 'Readers disconnected for unsent output over --max-queue',
    (t) => t.disconnectsByReason.slow_consumer ?? 0);

  const fanout = new BucketHistogram(
    'chat_fanout_seconds', 'Room message received until written to every member\'s socket', FANOUT_BUCKETS, registers,
  );
  const off = events.on('flush', (e) => fanout.observeAll(e.fanoutSeconds));
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return off;
}
