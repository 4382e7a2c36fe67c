import type http from 'node:http';
import { Registry } from 'prom-client';

/** What the registry holds (prom-client's `Metric` type leaves out the name it keys them by). */
type Metric = NonNullable<ReturnType<Registry['getSingleMetric']>> & { name: string };

/**
 * True when the `Accept` header prefers OpenMetrics to the classic text format (Prometheus sends
 * `application/openmetrics-text;version=1.0.0,…;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`).
 */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let open = 0;
  let text = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') open = Math.max(open, q);
    else if (type === 'text/plain') text = Math.max(text, q);
  }
  return open > 0 && open >= text;
}

type ContentType = typeof Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * In OpenMetrics a counter's family name drops `_total`, so DESIGN's counter `chat_connections_total`
 * would be the family `chat_connections` — the name of DESIGN's gauge of open connections, and a name
 * may be one family only. Prometheus asks for OpenMetrics first, so one of the two vanished from it.
 * There the counter is written as an `unknown` family under its own full name instead: both names are
 * in Prometheus, and `rate()` / `increase()` read an unknown series as they read a counter.
 */
const AS_UNKNOWN = ['chat_connections_total'];

interface Collected {
  name: string;
  help: string;
  type: string;
  values: unknown[];
}

/** `metric` as an `unknown` family of its own name (prom-client writes any type it is given). */
function asUnknown(metric: Metric): Metric {
  return {
    name: metric.name,
    type: 'unknown',
    get: async () => ({ ...((await metric.get()) as unknown as Collected), name: metric.name, type: 'unknown' }),
  } as unknown as Metric;
}

/**
 * prom-client 15 renames counters in place when it writes OpenMetrics (`chat_messages_total` becomes
 * `chat_messages`, and stays so for the next classic scrape), so the names are put back afterwards;
 * the metrics written as `unknown` there are swapped back after the scrape.
 */
async function scrape(registry: Registry, type: string): Promise<string> {
  registry.setContentType(type as ContentType);
  if (type !== Registry.OPENMETRICS_CONTENT_TYPE) return registry.metrics();
  const swapped = AS_UNKNOWN.map((name) => registry.getSingleMetric(name) as Metric | undefined).filter((m) => m !== undefined);
  for (const m of swapped) {
    registry.removeSingleMetric(m.name);
    registry.registerMetric(asUnknown(m));
  }
  const metrics = registry.getMetricsAsArray() as unknown as { name: string }[];
  const names = metrics.map((m) => m.name);
  try {
    return await registry.metrics();
  } finally {
    metrics.forEach((m, i) => (m.name = names[i] as string));
    for (const m of swapped) {
      registry.removeSingleMetric(m.name);
      registry.registerMetric(m);
    }
    registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE as ContentType);
  }
}

/**
 * `GET /metrics`. A prom-client registry has one output format at a time, so scrapes are answered
 * one after another, each setting the format its `Accept` asked for; scrapes are rare (seconds apart)
 * and each takes well under a millisecond of formatting.
 */
export function metricsHandler(registry: Registry): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  let queue: Promise<void> = Promise.resolve();
  return (req, res) => {
    queue = queue.then(async () => {
      const type = wantsOpenMetrics(req.headers.accept) ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
      try {
        const body = await scrape(registry, type);
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `metrics collection failed: ${(err as Error).message}` }));
      }
    });
  };
}
