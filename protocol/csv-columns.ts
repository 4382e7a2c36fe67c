/**
 * The CSV files of a run (DESIGN §11): their names and columns, declared once for the writer
 * (metrics/csv-export.ts) and the readers (protocol/run-csv.ts, in the browser and in `chatpulse import`).
 */
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
