import * as hdr from 'hdr-histogram-js';
import {
  HIGHEST_US, newHistogram, percentilesMs, WireHistogram, type Histogram, type LoadgenTickReport, type Percentiles,
} from '../loadgen/index.js';
import type { LoadgenSummary } from './snapshot.js';

/** Whole-run delivery latency of every load generator, from one merged histogram (ms). */
export interface CombinedLatency {
  corrected: Percentiles;
  uncorrected: Percentiles;
  /** Sources whose histograms are in these figures (counted up to 1024). */
  sources: number;
  /** Reports received, and those that came without histograms (older loadgens: not in these figures). */
  reports: number;
  reportsWithoutHistograms: number;
}

/**
 * The load generators' reports (WS /ingest). Keeps the latest report of each source, at most
 * `maxSources` of them: the one heard from longest ago is forgotten first, so a stream of invented
 * `source` names cannot grow memory. And sums every report of the current tick into the totals row:
 * counts added, latency histograms merged — so a combined p99 is that of one histogram of all
 * deliveries, and a generator with four slow clients cannot speak for one that made 50× the deliveries.
 */
export class LoadgenReports {
  readonly #latest = new Map<string, LoadgenTickReport>();
  readonly #fresh = new Set<string>();
  #tick: TickSum = emptyTick();
  readonly #tickCorrected = newHistogram();
  readonly #tickUncorrected = newHistogram();
  // 64-bit counts: a whole run can put more than 2^31 deliveries in one bucket.
  readonly #runCorrected = runHistogram();
  readonly #runUncorrected = runHistogram();
  #runReports = 0;
  #runWithout = 0;
  readonly #runSources = new Set<string>();
  /** Every source that reported, histograms or not (counted up to 1024). */
  readonly #everySource = new Set<string>();

  constructor(readonly maxSources = 32) {}

  /** Takes one report (already validated by the /ingest parser). */
  accept(report: LoadgenTickReport): void {
    const { source, histograms, ...kept } = report;
    const before = this.#latest.get(source);
    this.#latest.delete(source); // re-insert: Map order is then "heard from longest ago" first
    this.#latest.set(source, { source, ...kept });
    this.#fresh.add(source);
    if (this.#everySource.size < 1024) this.#everySource.add(source);
    for (const old of this.#latest.keys()) {
      if (this.#latest.size <= this.maxSources) break;
      this.#latest.delete(old);
      this.#fresh.delete(old);
    }
    const t = this.#tick;
    t.reports++;
    t.sent += report.sent;
    t.received += report.received;
    // Lost is reported as a running total; its growth is this tick's. A smaller total is a new run under the same name.
    const prevLost = before?.lostTotal ?? 0;
    t.lost += report.lostTotal >= prevLost ? report.lostTotal - prevLost : report.lostTotal;
    this.#runReports++;
    const merged = histograms === undefined ? null : decodePair(histograms.corrected, histograms.uncorrected);
    if (merged === null) {
      this.#runWithout++;
      t.without.push(report.latencyMs.corrected);
      return;
    }
    if (this.#runSources.size < 1024) this.#runSources.add(source);
    merged[0].addTo(this.#tickCorrected);
    merged[1].addTo(this.#tickUncorrected);
    merged[0].addTo(this.#runCorrected);
    merged[1].addTo(this.#runUncorrected);
  }

  /** Sources that ever reported (up to 1024): `latest()` keeps only the `maxSources` most recent. */
  get sourcesSeen(): number {
    return this.#everySource.size;
  }

  /** Every source's latest report (without its histograms: the snapshot carries percentiles only). */
  latest(): LoadgenTickReport[] {
    return [...this.#latest.values()];
  }

  /** The combination of the reports received since the last call (null if none), for the totals row. */
  takeFresh(): LoadgenSummary | null {
    let lostTotal = 0;
    for (const s of this.#fresh) lostTotal += this.#latest.get(s)?.lostTotal ?? 0;
    const sources = this.#fresh.size;
    this.#fresh.clear();
    const t = this.#tick;
    this.#tick = emptyTick();
    const merged = this.#tickCorrected;
    const uncorrected = this.#tickUncorrected;
    if (t.reports === 0) return null;
    const summary = combine(t, merged, uncorrected, sources, lostTotal);
    merged.reset();
    uncorrected.reset();
    return summary;
  }

  /**
   * The whole run's merged histograms (64-bit counts, µs) and what went into them, for the run store;
   * null before any histogram arrived. The histograms are live: encode them, do not keep them.
   */
  runHistograms(): RunHistograms | null {
    if (this.#runReports === this.#runWithout) return null;
    return {
      corrected: this.#runCorrected, uncorrected: this.#runUncorrected,
      sources: this.#runSources.size, reports: this.#runReports, reportsWithoutHistograms: this.#runWithout,
    };
  }

  /** The whole run so far: every histogram received, merged (null before any arrived). */
  runLatency(): CombinedLatency | null {
    if (this.#runReports === this.#runWithout) return null;
    return {
      corrected: percentilesMs(this.#runCorrected), uncorrected: percentilesMs(this.#runUncorrected),
      sources: this.#runSources.size, reports: this.#runReports, reportsWithoutHistograms: this.#runWithout,
    };
  }
}

export interface RunHistograms {
  corrected: Histogram;
  uncorrected: Histogram;
  sources: number;
  reports: number;
  reportsWithoutHistograms: number;
}

interface TickSum {
  reports: number;
  sent: number;
  received: number;
  lost: number;
  /** Corrected percentiles of the reports that came without histograms. */
  without: Percentiles[];
}

function emptyTick(): TickSum {
  return { reports: 0, sent: 0, received: 0, lost: 0, without: [] };
}

function runHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, bitBucketSize: 64, useWebAssembly: false,
  });
}

/** Both or neither: a report whose histograms do not decode counts as one without (the parser refuses those first). */
function decodePair(corrected: string, uncorrected: string): [WireHistogram, WireHistogram] | null {
  try {
    return [WireHistogram.decode(corrected), WireHistogram.decode(uncorrected)];
  } catch {
    return null;
  }
}

/**
 * The totals row: the merged histogram's percentiles. Reports without histograms (older loadgens)
 * cannot be merged; each figure is then the worst of the merged one and theirs, as before histograms.
 */
function combine(t: TickSum, merged: Histogram, uncorrected: Histogram, sources: number, lostTotal: number): LoadgenSummary {
  const p = percentilesMs(merged);
  const u = percentilesMs(uncorrected);
  const s: LoadgenSummary = {
    sources, sent: t.sent, received: t.received, lost: t.lost, lostTotal,
    p50Ms: p.p50, p90Ms: p.p90, p99Ms: p.p99, p999Ms: p.p999, maxMs: p.max,
    samples: p.count, merged: t.without.length === 0,
  };
  // From histograms only: a tick of reports without them has no uncorrected figure (not 0 ms).
  if (u.count > 0) {
    s.p50UncorrectedMs = u.p50;
    s.p99UncorrectedMs = u.p99;
  }
  for (const w of t.without) {
    s.p50Ms = Math.max(s.p50Ms, w.p50);
    s.p90Ms = Math.max(s.p90Ms, w.p90);
    s.p99Ms = Math.max(s.p99Ms, w.p99);
    s.p999Ms = Math.max(s.p999Ms, w.p999);
    s.maxMs = Math.max(s.maxMs, w.max);
    s.samples += w.count;
  }
  return s;
}
