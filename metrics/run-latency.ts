/**
 * A run's whole-run delivery latency in the store: the hub's merged HdrHistograms (corrected and
 * uncorrected, µs), each in HdrHistogram's compressed base64 form, one row per run, rewritten as the
 * run goes (every few ticks and at close) so a killed run keeps what it had. `chatpulse report` reads
 * them back for the percentile spectrum and the run's percentiles.
 */
import * as hdr from 'hdr-histogram-js';
import { HIGHEST_US, percentilesMs, type Histogram, type Percentiles } from '../loadgen/index.js';
import type { Db } from '../store/database.js';
import type { RunHistograms } from './loadgen-reports.js';

export interface StoredLatency {
  /** Epoch ms of the write. */
  time: number;
  corrected: Histogram;
  uncorrected: Histogram;
  sources: number;
  reports: number;
  reportsWithoutHistograms: number;
}

interface LatencyRow {
  time: number; corrected: string; uncorrected: string; sources: number; reports: number; reports_without: number;
}

export function saveRunLatency(db: Db, runId: string, h: RunHistograms, time: number): void {
  db.prepare(`INSERT INTO run_latency (run_id, time, corrected, uncorrected, sources, reports, reports_without)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(run_id) DO UPDATE SET time = excluded.time, corrected = excluded.corrected,
        uncorrected = excluded.uncorrected, sources = excluded.sources, reports = excluded.reports,
        reports_without = excluded.reports_without`)
    .run(runId, time, encode(h.corrected), encode(h.uncorrected), h.sources, h.reports, h.reportsWithoutHistograms);
}

/** The run's histograms, or undefined: none stored (no load generator reported) or unreadable. */
export function readRunLatency(db: Db, runId: string): StoredLatency | undefined {
  const row = db.prepare('SELECT time, corrected, uncorrected, sources, reports, reports_without FROM run_latency WHERE run_id = ?')
    .get(runId) as LatencyRow | undefined;
  if (row === undefined) return undefined;
  try {
    return {
      time: row.time, corrected: decode(row.corrected), uncorrected: decode(row.uncorrected),
      sources: row.sources, reports: row.reports, reportsWithoutHistograms: row.reports_without,
    };
  } catch {
    return undefined; // a hand-edited or truncated row: the report goes without a spectrum
  }
}

/** Percentiles (ms) of both stored histograms. */
export function storedPercentiles(l: StoredLatency): { corrected: Percentiles; uncorrected: Percentiles } {
  return { corrected: percentilesMs(l.corrected), uncorrected: percentilesMs(l.uncorrected) };
}

function encode(h: Histogram): string {
  return h.totalCount === 0 ? '' : hdr.encodeIntoCompressedBase64(h);
}

function decode(b64: string): Histogram {
  // 64-bit counts, as the hub merges them: a long run can pass 2^31 deliveries in one bucket.
  if (b64 === '') return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, bitBucketSize: 64, useWebAssembly: false });
  return hdr.decodeFromCompressedBase64(b64, 64, false);
}
