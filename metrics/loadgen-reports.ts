import type { LoadgenTickReport } from '../loadgen/report.js';
import type { LoadgenSummary } from './snapshot.js';

/**
 * The latest report of each load generator (WS /ingest), at most `maxSources` of them: the one heard
 * from longest ago is forgotten first, so a stream of invented `source` names cannot grow memory.
 */
export class LoadgenReports {
  readonly #latest = new Map<string, LoadgenTickReport>();
  readonly #fresh = new Set<string>();

  constructor(readonly maxSources = 32) {}

  accept(report: LoadgenTickReport): void {
    const { source } = report;
    this.#latest.delete(source); // re-insert: Map order is then "heard from longest ago" first
    this.#latest.set(source, report);
    this.#fresh.add(source);
    for (const old of this.#latest.keys()) {
      if (this.#latest.size <= this.maxSources) break;
      this.#latest.delete(old);
      this.#fresh.delete(old);
    }
  }

  /** Every source's latest report. */
  latest(): LoadgenTickReport[] {
    return [...this.#latest.values()];
  }

  /** The summary of the reports received since the last call (null if none), for the totals row. */
  takeFresh(): LoadgenSummary | null {
    const fresh: LoadgenTickReport[] = [];
    for (const s of this.#fresh) {
      const r = this.#latest.get(s);
      if (r !== undefined) fresh.push(r);
    }
    this.#fresh.clear();
    return summarizeLoadgen(fresh);
  }
}

/**
 * Combines the reports that arrived in one tick into the totals row (CSV, samples): counts are
 * summed; each latency percentile is the worst source's, because percentiles from summaries cannot
 * be merged and an average would hide the slow generator.
 */
export function summarizeLoadgen(reports: readonly LoadgenTickReport[]): LoadgenSummary | null {
  if (reports.length === 0) return null;
  const s: LoadgenSummary = { sources: 0, sent: 0, received: 0, lostTotal: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
  for (const r of reports) {
    const p = r.latencyMs.corrected;
    s.sources++;
    s.sent += r.sent;
    s.received += r.received;
    s.lostTotal += r.lostTotal;
    s.p50Ms = Math.max(s.p50Ms, p.p50);
    s.p90Ms = Math.max(s.p90Ms, p.p90);
    s.p99Ms = Math.max(s.p99Ms, p.p99);
    s.p999Ms = Math.max(s.p999Ms, p.p999);
    s.maxMs = Math.max(s.maxMs, p.max);
  }
  return s;
}
