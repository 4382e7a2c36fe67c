/**
 * The CSV files of a run (DESIGN §11): column names and how a stored row becomes a record. No Node
 * imports: the dashboard may show the same names.
 */
import type { RoomSampleRow, StoredTotalsRow } from './run-reader.js';

export const ROOMS_COLUMNS = [
  'time_utc', 'epoch_ms', 'elapsed_s', 'room', 'messages', 'mps', 'mps_avg', 'joins', 'leaves', 'members',
] as const;

export const TOTALS_COLUMNS = [
  'time_utc', 'epoch_ms', 'elapsed_s', 'messages', 'mps', 'mps_avg', 'joins', 'leaves', 'members',
  'connections', 'deliveries', 'bytes_in', 'bytes_out', 'errors',
  'loadgen_sent', 'loadgen_received', 'loadgen_lost',
  'latency_p50_ms', 'latency_p90_ms', 'latency_p99_ms', 'latency_p999_ms', 'latency_max_ms',
] as const;

export type CsvKind = 'rooms' | 'totals' | 'mps_by_room';
export const CSV_FILES: Record<CsvKind, string> = {
  rooms: 'rooms.csv',
  totals: 'totals.csv',
  mps_by_room: 'mps_by_room.csv',
};

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
 * (empty for rows stored before it was kept per tick); latencies are the merged histogram's.
 */
export function totalsRecord(t: StoredTotalsRow): CsvCell[] {
  const l = t.loadgen;
  const lg: CsvCell[] = l === null
    ? ['', '', '', '', '', '', '', '']
    : [l.sent, l.received, l.lost ?? '', round3(l.p50Ms), round3(l.p90Ms), round3(l.p99Ms), round3(l.p999Ms), round3(l.maxMs)];
  return [timeUtc(t.time), t.time, round3(t.elapsedS), t.messages, round3(t.mps), round3(t.mpsAvg), t.joins, t.leaves,
    t.members, t.connections, t.deliveries, t.bytesIn, t.bytesOut, t.errors, ...lg];
}
