/**
 * A run rebuilt from its CSV files (`rooms.csv` and/or `totals.csv`, DESIGN §11) as the Snapshots the
 * charts draw and the store records: the dashboard replays a file someone sent, `chatpulse import`
 * puts it back in a store. No Node imports: the browser bundle uses it. Files picked or dropped, of
 * any name, are sorted by their header in csv-files.ts.
 *
 * What the CSV does not hold comes back empty: private messages, connections opened, errors and
 * disconnects by reason, the generators' own reports. Running totals (`…Total`) are sums of the rows.
 */
import { CSV_FILES, ROOMS_COLUMNS, TOTALS_COLUMNS } from './csv-columns.js';
import { CsvReadError, readCsv, unguardCell, type CsvTable } from './csv-reader.js';
import type { LoadgenSummary, RoomSample, Snapshot, TotalsSample } from './snapshot.js';

export { CsvReadError as RunCsvError };

/** Rows of one file, at most. */
export const MAX_CSV_ROWS = 1_000_000;

export interface CsvTexts {
  rooms?: string;
  totals?: string;
}

export interface CsvRun {
  snapshots: Snapshot[];
  run: {
    /** `2026-11-22T14-03-05Z-csv`: the shape of a run id, from the run's start. */
    id: string;
    label: string;
    /** Epoch ms: the first tick's time less its elapsed seconds. */
    start: number;
  };
}

/** The names a file goes by in messages (the browser knows the picked file's name). */
export interface CsvNames {
  rooms?: string;
  totals?: string;
}

const fail = (msg: string): never => {
  throw new CsvReadError(msg);
};

/**
 * Snapshots from rooms.csv and/or totals.csv. Either alone works: rooms alone gives totals summed
 * from the rooms; totals alone gives no room lines. Every problem is one `RunCsvError` naming the file,
 * line and column.
 */
export function snapshotsFromCsv(texts: CsvTexts, names: CsvNames = {}): CsvRun {
  const roomsName = names.rooms ?? CSV_FILES.rooms;
  const totalsName = names.totals ?? CSV_FILES.totals;
  if (texts.rooms === undefined && texts.totals === undefined) fail('no file: open rooms.csv and/or totals.csv of a run');
  const roomTicks = texts.rooms === undefined ? undefined : readRooms(texts.rooms, roomsName);
  const totalTicks = texts.totals === undefined ? undefined : readTotals(texts.totals, totalsName);
  const base = totalTicks ?? (roomTicks ?? []).map(totalsOfRooms);
  const roomsOf: (TickRooms | undefined)[] = totalTicks === undefined ? roomTicks ?? []
    : roomTicks === undefined ? [] : matchRooms(roomTicks, totalTicks, roomsName, totalsName);
  if (base.length === 0) fail(`${totalTicks ? totalsName : roomsName}: no rows after the header`);
  const first = base[0] as TickTotals;
  // A range export (`?from=&to=`) starts mid-run: its first row's elapsed_s is the run's, not one
  // tick's. The slice is taken as a run of its own — elapsed from one usual tick before its first row —
  // or its first tick would last from the run's start (13 s for 1) and its mean include time not in it.
  // Only totals.csv can tell: it has a row for every tick, idle ones too, where rooms.csv starts at the
  // first tick with a room row (30 s into a whole run, say). Three ticks at least, the closing one not
  // counted as usual (a run that closed 0.2 s after its last tick is not a run of 0.2 s ticks).
  const usual = totalTicks !== undefined && totalTicks.length >= 3 ? usualTick(totalTicks.slice(0, -1)) : Number.POSITIVE_INFINITY;
  const offset = first.elapsedS > usual * 1.5 ? first.elapsedS - usual : 0;
  const start = Math.round(first.time - (first.elapsedS - offset) * 1000);
  const roomTotals = new Map<string, { messages: number; joins: number; leaves: number }>();
  const sums = { messages: 0, deliveries: 0, connections: 0, bytesIn: 0, bytesOut: 0, errors: 0, lost: 0 };
  let prevElapsed = 0;
  const snapshots = base.map((t, k): Snapshot => {
    const rooms: RoomSample[] = (roomsOf[k]?.rooms ?? []).map((r) => {
      // By the room's key, as the server keeps them (metrics/room-table.ts): `dev` and `Dev` are one room.
      const key = r.room.toLowerCase();
      let sum = roomTotals.get(key);
      if (sum === undefined) roomTotals.set(key, (sum = { messages: 0, joins: 0, leaves: 0 }));
      sum.messages += r.messages;
      sum.joins += r.joins;
      sum.leaves += r.leaves;
      return { ...r, messagesTotal: sum.messages, joinsTotal: sum.joins, leavesTotal: sum.leaves };
    });
    sums.messages += t.messages;
    sums.deliveries += t.deliveries;
    sums.bytesIn += t.bytesIn;
    sums.bytesOut += t.bytesOut;
    sums.errors += t.errors;
    let loadgen: LoadgenSummary | null = null;
    if (t.loadgen !== null) {
      sums.lost += t.loadgen.lost;
      loadgen = { ...t.loadgen, lostTotal: sums.lost };
    }
    // As the aggregator measures it: at least 1 ms (the tick written at close can share its time with the last).
    const elapsedS = round3(t.elapsedS - offset);
    const intervalS = Math.max(0.001, round3(elapsedS - prevElapsed));
    prevElapsed = elapsedS;
    const totals: TotalsSample = {
      messages: t.messages, mps: t.mps, mpsAvg: t.mpsAvg, joins: t.joins, leaves: t.leaves, members: t.members,
      messagesTotal: sums.messages, privateMessages: 0, privateMessagesTotal: 0, deliveries: t.deliveries,
      deliveriesTotal: sums.deliveries, connections: t.connections, connectionsTotal: 0, bytesIn: t.bytesIn, bytesOut: t.bytesOut,
      bytesInTotal: sums.bytesIn, bytesOutTotal: sums.bytesOut, errors: t.errors, errorsTotal: sums.errors,
      errorsByReason: {}, disconnectsByReason: {}, loadgen,
    };
    return { runId: '', tick: k + 1, time: t.time, elapsedS, intervalS, rooms, totals, loadgen: [] };
  });
  const id = `${new Date(start).toISOString().slice(0, 19).replaceAll(':', '-')}Z-csv`;
  for (const s of snapshots) s.runId = id;
  const label = [texts.rooms === undefined ? null : roomsName, texts.totals === undefined ? null : totalsName].filter((x) => x !== null).join(' + ');
  return { snapshots, run: { id, label, start } };
}

/** The median time between ticks, in seconds (the run's `--interval`, give or take); one tick: its elapsed_s. */
function usualTick(ticks: readonly { elapsedS: number }[]): number {
  const gaps: number[] = [];
  for (let k = 1; k < ticks.length; k++) {
    const gap = (ticks[k] as { elapsedS: number }).elapsedS - (ticks[k - 1] as { elapsedS: number }).elapsedS;
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length === 0) return (ticks[0] as { elapsedS: number }).elapsedS;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1] as number;
}

interface TickRooms {
  time: number;
  elapsedS: number;
  rooms: Omit<RoomSample, 'messagesTotal' | 'joinsTotal' | 'leavesTotal'>[];
  firstLine: number;
}

interface TickTotals {
  time: number;
  elapsedS: number;
  line: number;
  messages: number; mps: number; mpsAvg: number; joins: number; leaves: number; members: number;
  connections: number; deliveries: number; bytesIn: number; bytesOut: number; errors: number;
  loadgen: Omit<LoadgenSummary, 'lostTotal'> | null;
}

/** The table of `text` with its header checked against `columns` (in any order), and a cell reader. */
function table(text: string, file: string, kind: 'rooms' | 'totals') {
  const columns = kind === 'rooms' ? ROOMS_COLUMNS : TOTALS_COLUMNS;
  const t: CsvTable = readCsv(text, { file, maxRows: MAX_CSV_ROWS });
  const twice = t.header.find((c, i) => c !== '' && t.header.indexOf(c) !== i);
  if (twice !== undefined) fail(`${file} line 1: the column '${twice.slice(0, 40)}' appears twice — which one holds the figures?`);
  const index = new Map(t.header.map((c, i) => [c, i]));
  const missing = columns.find((c) => !index.has(c));
  if (missing !== undefined) fail(`${file} line 1: not a chatpulse ${CSV_FILES[kind]} — the header has no column '${missing}'`);
  const cell = (row: string[], col: string): string => row[index.get(col) as number] ?? '';
  const num = (row: string[], line: number, col: string): number => {
    const raw = cell(row, col);
    const at = `${file} line ${line}, column ${col}: ${JSON.stringify(raw.slice(0, 40))}`;
    if (!NUMBER.test(raw)) fail(`${at} is not a number`);
    const x = Number(raw);
    const rule = RULES[col] ?? AMOUNT;
    if (!rule.ok(x)) fail(`${at} is not ${rule.what}`);
    return x;
  };
  const optNum = (row: string[], line: number, col: string): number | null => (cell(row, col) === '' ? null : num(row, line, col));
  return { t, cell, num, optNum, index };
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * What a number column may hold. A count is what a server counted (messages, members, bytes): a
 * negative, fractional or overflowing one (`1e400` is Infinity) would be stored and drawn as it came
 * — `∞` on a tile, `Infinity` in the CSV written back. Rates, seconds and milliseconds are finite and
 * not negative; a time is a date a run can have (a negative one made a run id of 1913).
 */
interface Rule {
  ok(x: number): boolean;
  what: string;
}
const COUNT: Rule = { ok: (x) => Number.isSafeInteger(x) && x >= 0, what: 'a count (a whole number, 0 or more)' };
const AMOUNT: Rule = { ok: (x) => Number.isFinite(x) && x >= 0, what: 'a finite number, 0 or more' };
const EPOCH_MS: Rule = { ok: (x) => Number.isSafeInteger(x) && x > 0 && x <= 8.64e15, what: 'a time in ms since 1970 (a whole number above 0)' };
const COUNT_COLUMNS = ['messages', 'joins', 'leaves', 'members', 'connections', 'deliveries', 'bytes_in', 'bytes_out', 'errors',
  'loadgen_sent', 'loadgen_received', 'loadgen_lost'];
const RULES: Record<string, Rule> = { epoch_ms: EPOCH_MS, ...Object.fromEntries(COUNT_COLUMNS.map((c) => [c, COUNT])) };
/** What happened in a tick (members and connections are states, not events). */
const EVENT_COLUMNS = COUNT_COLUMNS.filter((c) => c !== 'members' && c !== 'connections');

/**
 * A tick pasted twice: `rows` repeat `prevRows` cell for cell, at the same time, and record events —
 * summed twice otherwise. (A server's closing tick can share its time with the one before, but an
 * identical one can only be idle, which is harmless to keep.)
 */
function repeatsTick(file: string, line: number, prevLine: number, rows: string[][], prevRows: string[][], eventCells: number[]): void {
  if (rows.length !== prevRows.length || !rows.every((r, i) => sameCells(r, prevRows[i] as string[]))) return;
  if (!rows.some((r) => eventCells.some((c) => r[c] !== undefined && r[c] !== '' && Number(r[c]) > 0))) return;
  fail(`${file} line ${line}: repeats the tick of line ${prevLine} cell for cell (pasted twice?) — its counts would be summed twice`);
}

function sameCells(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Ticks in time order: a row earlier than the one before is refused. */
function inOrder(file: string, line: number, time: number, prev: number): void {
  if (time < prev) fail(`${file} line ${line}, column epoch_ms: ticks out of order (${time} comes after ${prev})`);
}

/**
 * Room rows grouped into ticks. A tick is a run of rows with one `epoch_ms` in which no room comes
 * twice: the tick a server writes as it closes can share its time with the one before.
 */
function readRooms(text: string, file: string): TickRooms[] {
  const { t, cell, num, index } = table(text, file, 'rooms');
  const ticks: TickRooms[] = [];
  let tick: TickRooms | undefined;
  let seen = new Set<string>();
  const eventCells = EVENT_COLUMNS.filter((c) => index.has(c)).map((c) => index.get(c) as number);
  /** The raw rows of the tick being read and of the one before it, to catch a tick pasted twice. */
  let rows: string[][] = [];
  let prevRows: string[][] = [];
  let prevLine = 0;
  const tickDone = () => {
    if (tick !== undefined && prevRows.length > 0 && ticks.length > 1 && (ticks[ticks.length - 2] as TickRooms).time === tick.time) {
      repeatsTick(file, tick.firstLine, prevLine, rows, prevRows, eventCells);
    }
  };
  t.rows.forEach((row, k) => {
    const line = t.lines[k] as number;
    const time = num(row, line, 'epoch_ms');
    if (tick !== undefined) inOrder(file, line, time, tick.time);
    const room = unguardCell(cell(row, 'room'));
    if (room === '') fail(`${file} line ${line}, column room: empty`);
    if (tick === undefined || tick.time !== time || seen.has(room)) {
      tickDone();
      prevRows = rows;
      prevLine = tick?.firstLine ?? 0;
      rows = [];
      ticks.push((tick = { time, elapsedS: num(row, line, 'elapsed_s'), rooms: [], firstLine: line }));
      seen = new Set();
    }
    rows.push(row);
    seen.add(room);
    tick.rooms.push({
      room, messages: num(row, line, 'messages'), mps: num(row, line, 'mps'), mpsAvg: num(row, line, 'mps_avg'),
      joins: num(row, line, 'joins'), leaves: num(row, line, 'leaves'), members: num(row, line, 'members'),
    });
  });
  tickDone();
  return ticks;
}

function readTotals(text: string, file: string): TickTotals[] {
  const { t, num, optNum, index } = table(text, file, 'totals');
  const eventCells = EVENT_COLUMNS.filter((c) => index.has(c)).map((c) => index.get(c) as number);
  let prev = -Infinity;
  return t.rows.map((row, k) => {
    const line = t.lines[k] as number;
    const n = (col: string) => num(row, line, col);
    const time = n('epoch_ms');
    inOrder(file, line, time, prev);
    if (time === prev) repeatsTick(file, line, t.lines[k - 1] as number, [row], [t.rows[k - 1] as string[]], eventCells);
    prev = time;
    const sent = optNum(row, line, 'loadgen_sent');
    // Empty latency cells: the tick's reports held no delivery (no percentile to read, none made up).
    const measured = optNum(row, line, 'latency_p50_ms') !== null;
    const ms = (col: string) => (measured ? n(col) : 0);
    const loadgen = sent === null ? null : {
      sources: 1, sent, received: n('loadgen_received'), lost: optNum(row, line, 'loadgen_lost') ?? 0,
      p50Ms: ms('latency_p50_ms'), p90Ms: ms('latency_p90_ms'), p99Ms: ms('latency_p99_ms'), p999Ms: ms('latency_p999_ms'),
      maxMs: ms('latency_max_ms'), samples: measured ? n('loadgen_received') : 0, merged: true,
    };
    return {
      time, elapsedS: n('elapsed_s'), line, messages: n('messages'), mps: n('mps'), mpsAvg: n('mps_avg'), joins: n('joins'),
      leaves: n('leaves'), members: n('members'), connections: n('connections'), deliveries: n('deliveries'),
      bytesIn: n('bytes_in'), bytesOut: n('bytes_out'), errors: n('errors'), loadgen,
    };
  });
}

/** Totals of a tick known only from rooms.csv: the rooms summed (MPS is then a sum of rounded rates). */
function totalsOfRooms(t: TickRooms): TickTotals {
  const sum = (f: (r: TickRooms['rooms'][number]) => number) => t.rooms.reduce((a, r) => a + f(r), 0);
  return {
    time: t.time, elapsedS: t.elapsedS, line: t.firstLine, messages: sum((r) => r.messages), mps: round3(sum((r) => r.mps)),
    mpsAvg: round3(sum((r) => r.mpsAvg)), joins: sum((r) => r.joins), leaves: sum((r) => r.leaves), members: sum((r) => r.members),
    connections: 0, deliveries: 0, bytesIn: 0, bytesOut: 0, errors: 0, loadgen: null,
  };
}

/**
 * The room ticks of rooms.csv beside the totals ticks of totals.csv of the same run: every room tick
 * must be a totals tick (a range export is a part of the run; a tick without rooms has no rows).
 */
function matchRooms(rooms: TickRooms[], totals: TickTotals[], roomsName: string, totalsName: string): (TickRooms | undefined)[] {
  const first = totals[0];
  const last = totals[totals.length - 1];
  const rFirst = rooms[0];
  const rLast = rooms[rooms.length - 1];
  if (first === undefined || last === undefined || rFirst === undefined || rLast === undefined) return [];
  if (rLast.time < first.time || rFirst.time > last.time) {
    fail(`${roomsName} and ${totalsName} are of different runs: their times do not overlap (${iso(rFirst.time)}–${iso(rLast.time)} against ${iso(first.time)}–${iso(last.time)})`);
  }
  let j = 0;
  const out = totals.map((t) => {
    const r = rooms[j];
    if (r === undefined || r.time > t.time) return undefined;
    if (r.time < t.time) fail(`${roomsName} line ${r.firstLine}, column epoch_ms: ${r.time} is no tick of ${totalsName} — are they of the same run?`);
    j++;
    return r;
  });
  const extra = rooms[j];
  if (extra !== undefined) fail(`${roomsName} line ${extra.firstLine}, column epoch_ms: ${extra.time} is no tick of ${totalsName} — are they of the same run?`);
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const round3 = (x: number) => Math.round(x * 1000) / 1000;
