/**
 * Files someone picked, dropped or named (`chatpulse import`), told apart by their header rather than
 * their name (a download is often `rooms (1).csv`), checked against the size limit, and rebuilt into a
 * run by run-csv.ts. No Node imports: the browser bundle uses it.
 */
import { CSV_FILES, ROOMS_COLUMNS } from './csv-columns.js';
import { CsvReadError, readCsv } from './csv-reader.js';
import { snapshotsFromCsv, type CsvNames, type CsvRun, type CsvTexts } from './run-csv.js';

const fail = (msg: string): never => {
  throw new CsvReadError(msg);
};

/** Bytes (UTF-16 code units when read as text) of one file, at most. */
export const MAX_CSV_BYTES = 50 * 1024 * 1024;

/**
 * Which chatpulse CSV a text is, from its header: `rooms`, `totals` or `mps_by_room`. Anything else is
 * one `RunCsvError` naming the first column of the closest kind that is missing.
 */
export function csvKindOf(text: string, file: string): 'rooms' | 'totals' | 'mps_by_room' {
  const header = headerOf(text, file);
  if (header[0] === 'time_utc' && header[1] !== 'epoch_ms') return 'mps_by_room';
  if (header.includes('room')) return 'rooms';
  if (header.includes('deliveries') || header.includes('connections')) return 'totals';
  const missing = ROOMS_COLUMNS.find((c) => !header.includes(c));
  return fail(`${file}: not a chatpulse rooms.csv or totals.csv — the header has no column '${missing ?? 'room'}' (found: ${header.slice(0, 6).join(', ').slice(0, 120)})`);
}

/** The header row's cells (room names in an mps_by_room.csv header may hold commas and quotes). */
function headerOf(text: string, file: string): string[] {
  const end = text.indexOf('\n');
  const first = (end === -1 ? text : text.slice(0, end)).slice(0, 1024 * 1024).replace(/\r$/, '');
  try {
    return readCsv(first, { file }).header;
  } catch {
    return first.replace(/^\uFEFF/, '').split(',');
  }
}

/**
 * Sorts picked or dropped files by their header and rebuilds the run. `mps_by_room.csv` alone is
 * refused with the files that work; beside rooms.csv or totals.csv it is ignored.
 */
export function runFromCsvFiles(files: readonly { name: string; text: string }[]): CsvRun {
  if (files.length === 0) fail('no file: open rooms.csv and/or totals.csv of a run');
  const texts: CsvTexts = {};
  const names: CsvNames = {};
  let wide: string | undefined;
  for (const f of files) {
    if (f.text.length > MAX_CSV_BYTES) fail(`${f.name}: too big (${Math.round(f.text.length / 1048576)} MB): the limit is ${MAX_CSV_BYTES / 1048576} MB`);
    const kind = csvKindOf(f.text, f.name);
    if (kind === 'mps_by_room') {
      wide = f.name;
      continue;
    }
    if (texts[kind] !== undefined) fail(`two ${CSV_FILES[kind]} files (${names[kind]} and ${f.name}): open one run's rooms.csv and/or totals.csv`);
    texts[kind] = f.text;
    names[kind] = f.name;
  }
  if (texts.rooms === undefined && texts.totals === undefined) {
    fail(`${wide ?? 'the file'}: an mps_by_room.csv holds only MPS and cannot be replayed: open the run's rooms.csv and/or totals.csv`);
  }
  return snapshotsFromCsv(texts, names);
}

