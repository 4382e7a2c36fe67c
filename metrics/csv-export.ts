import fs from 'node:fs';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import {
  CSV_FILES, ROOMS_COLUMNS, TOTALS_COLUMNS, roomRecord, round3, timeUtc, totalsRecord, type CsvCell, type CsvKind,
} from './csv-columns.js';
import type { RunReader, TimeRange } from './run-reader.js';
import { makeDir } from '../protocol/make-dir.js';

/** Ticks read per page: small synchronous reads, so the tick can write between them. */
const PAGE_TICKS = 200;

/**
 * RFC 4180 as spreadsheets want it: UTF-8 with BOM, CRLF, a header row, `.` decimals. Room names are
 * user input: `escape_formulas` prefixes `'` to text cells starting with `=`, `+`, `-`, `@`, tab or
 * CR, so a room named `-2-3` stays text and never becomes a formula. A cell holding a lone CR or LF is
 * quoted too: with a CRLF record delimiter csv-stringify quotes only CRLF, and a bare LF split the row.
 */
function stringifier(columns: readonly string[]) {
  return stringify({ bom: true, header: true, columns: [...columns], record_delimiter: '\r\n', escape_formulas: true, quoted_match: /[\r\n]/ });
}

/** Page starts (exclusive tick numbers) covering the ticks of `range`. */
function* tickPages(reader: RunReader, runId: string, range: TimeRange): Generator<number> {
  const first = reader.firstTick(runId, range);
  if (first === undefined) return;
  const last = reader.getRun(runId)?.ticks ?? 0;
  for (let after = first - 1; after < last; after += PAGE_TICKS) yield after;
}

/** Header and records of one CSV file of a run (or of `range` within it), read page by page. */
export function csvTable(reader: RunReader, runId: string, kind: CsvKind, range: TimeRange = {}): { columns: string[]; records: Iterable<CsvCell[]> } {
  if (kind === 'rooms') return { columns: [...ROOMS_COLUMNS], records: roomRecords(reader, runId, range) };
  if (kind === 'totals') return { columns: [...TOTALS_COLUMNS], records: totalsRecords(reader, runId, range) };
  const rooms = reader.roomNames(runId, range);
  return { columns: ['time_utc', ...rooms], records: wide(reader, runId, range, rooms) };
}

function* roomRecords(reader: RunReader, runId: string, range: TimeRange): Generator<CsvCell[]> {
  for (const after of tickPages(reader, runId, range)) {
    for (const r of reader.roomRows(runId, range, after, PAGE_TICKS)) yield roomRecord(r);
  }
}

function* totalsRecords(reader: RunReader, runId: string, range: TimeRange): Generator<CsvCell[]> {
  for (const after of tickPages(reader, runId, range)) {
    for (const t of reader.totalsRows(runId, range, after, PAGE_TICKS)) yield totalsRecord(t);
  }
}

/**
 * `mps_by_room.csv`: one row per tick — every tick, as in totals.csv, so that the two line up row for
 * row in a spreadsheet, quiet ticks before the first room included — one MPS column per room; empty
 * where the room had no row.
 */
function* wide(reader: RunReader, runId: string, range: TimeRange, rooms: string[]): Generator<CsvCell[]> {
  const column = new Map(rooms.map((r, i) => [r, i + 1]));
  for (const after of tickPages(reader, runId, range)) {
    const samples = reader.roomRows(runId, range, after, PAGE_TICKS);
    let k = 0;
    for (const t of reader.totalsRows(runId, range, after, PAGE_TICKS)) {
      const row: CsvCell[] = [timeUtc(t.time), ...rooms.map(() => '')];
      for (; k < samples.length && (samples[k] as { tick: number }).tick <= t.tick; k++) {
        const r = samples[k] as (typeof samples)[number];
        const i = r.tick === t.tick ? column.get(r.room) : undefined;
        if (i !== undefined) row[i] = round3(r.mps);
      }
      yield row;
    }
  }
}

/** Streams one CSV file of a run (or of a time range) to `out` — a file or an HTTP response. */
export async function streamCsv(reader: RunReader, runId: string, kind: CsvKind, out: Writable, range: TimeRange = {}): Promise<void> {
  const { columns, records } = csvTable(reader, runId, kind, range);
  await pipeline(Readable.from(records), stringifier(columns), out);
}

/**
 * Writes a file through `write` under a temporary name and renames it into place, so a reader never
 * sees half a file; on failure the temporary file is removed.
 */
async function writeAtomically(file: string, write: (out: Writable) => Promise<void>): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await write(fs.createWriteStream(tmp));
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes any table as a CSV file the way every chatpulse CSV is written (BOM, CRLF, header, formula
 * escaping), renamed into place when complete.
 */
export async function writeCsvFile(file: string, columns: readonly string[], records: Iterable<CsvCell[]>): Promise<void> {
  await writeAtomically(file, (out) => pipeline(Readable.from(records), stringifier(columns), out));
}

/**
 * Writes `rooms.csv`, `totals.csv` and `mps_by_room.csv` of a run into `<resultsDir>/<runId>/`, each
 * renamed into place when complete. Returns the folder.
 */
export async function writeRunCsv(reader: RunReader, runId: string, resultsDir: string): Promise<string> {
  const dir = path.join(resultsDir, runId);
  makeDir(dir);
  for (const kind of Object.keys(CSV_FILES) as CsvKind[]) {
    await writeAtomically(path.join(dir, CSV_FILES[kind]), (out) => streamCsv(reader, runId, kind, out));
  }
  return dir;
}
