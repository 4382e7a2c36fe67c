/**
 * The CSV files of a run (DESIGN §11): how a stored row becomes a record. The names and columns live
 * in protocol/csv-columns.ts, which the readers (browser replay, `chatpulse import`) share.
 */
import type { RoomSampleRow, StoredTotalsRow } from './run-reader.js';

export { CSV_FILES, ROOMS_COLUMNS, TOTALS_COLUMNS, type CsvKind } from '../protocol/csv-columns.js';

/** `2026-11-22 14:03:05.000`: spreadsheets read it as a date and time (UTC). */
export function timeUtc(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 23).replace('T', ' ');
}

/** Rates and seconds to 3 decimals: enough for a chart, and no `0.30000000000000004` in a cell. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export type CsvCell = string | number;

export function roomRecord(r: RoomSampleRow): CsvCell[] {
  return [timeUtc(r.time), r.time, round3(r.elapsedS), r.room, r.messages, round3(r.mps), round3(r.mpsAvg),
    r.joins, r.leaves, r.members];
}

/**
 * Loadgen cells are empty in ticks where no load generator reported. `loadgen_lost` is this tick's
 * (empty for rows stored before it was kept per tick); latencies are the merged histogram's, empty in
 * a tick whose reports held no delivery (percentiles of nothing, not 0 ms: a spreadsheet's MIN or
 * average of the column must not count them).
 */
export function totalsRecord(t: StoredTotalsRow): CsvCell[] {
  const l = t.loadgen;
  const lg: CsvCell[] = l === null
    ? ['', '', '', '', '', '', '', '']
    : l.samples === 0
      ? [l.sent, l.received, l.lost ?? '', '', '', '', '', '']
      : [l.sent, l.received, l.lost ?? '', round3(l.p50Ms), round3(l.p90Ms), round3(l.p99Ms), round3(l.p999Ms), round3(l.maxMs)];
  return [timeUtc(t.time), t.time, round3(t.elapsedS), t.messages, round3(t.mps), round3(t.mpsAvg), t.joins, t.leaves,
    t.members, t.connections, t.deliveries, t.bytesIn, t.bytesOut, t.errors, ...lg];
}
