import type { RoomTotals, RunTotals } from '../protocol/run-report.js';
import type { RunReader } from './run-reader.js';

export type { RoomTotals, RunTotals };

const PAGE = 500;
const r3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * A tick shorter than half the run's usual one does not set a peak: the closing tick of a shutdown
 * (3 messages in its 132 ms read as 22.7 messages/s beside a steady 3 per second) is a rate over a
 * sliver of a second. Its messages still count in every sum and mean.
 */
const SHORT_TICK = 0.5;

/** Reads a run's ticks page by page and sums them. */
export function readRunTotals(reader: RunReader, runId: string): RunTotals {
  const t: RunTotals = {
    ticks: 0, firstTime: null, lastTime: null, durationS: 0, messages: 0, privateMessages: 0, deliveries: 0, joins: 0, leaves: 0,
    bytesIn: 0, bytesOut: 0, errors: 0, activeS: 0, mpsMean: 0, mpsMeanActive: 0, mpsPeak: 0, peakConnections: 0, peakMembers: 0,
    counters: { messagesTotal: 0, privateMessagesTotal: 0, deliveriesTotal: 0, connectionsTotal: 0, errorsTotal: 0 },
    errorsByReason: {}, disconnectsByReason: {}, rooms: [],
  };
  // Ticks are numbered 1…N in a run, so pages of tick numbers cover it exactly.
  const last = reader.getRun(runId)?.ticks ?? 0;
  const usual = usualTickSeconds(reader, runId, last);
  /** Ticks too short to set a peak (see SHORT_TICK), for the rooms' peaks below. */
  const short = new Set<number>();
  for (let after = 0; after < last; after += PAGE) {
    for (const r of reader.totalsRows(runId, {}, after, PAGE)) {
      t.ticks++;
      t.firstTime ??= r.time;
      t.lastTime = r.time;
      t.durationS = r.elapsedS;
      t.messages += r.messages;
      if (r.messages > 0) t.activeS += r.intervalS;
      t.privateMessages += r.privateMessages;
      t.deliveries += r.deliveries;
      t.joins += r.joins;
      t.leaves += r.leaves;
      t.bytesIn += r.bytesIn;
      t.bytesOut += r.bytesOut;
      t.errors += r.errors;
      if (r.intervalS < usual * SHORT_TICK) short.add(r.tick);
      else t.mpsPeak = Math.max(t.mpsPeak, r.mps);
      t.peakConnections = Math.max(t.peakConnections, r.connections);
      t.peakMembers = Math.max(t.peakMembers, r.members);
      t.counters = {
        messagesTotal: r.messagesTotal, privateMessagesTotal: r.privateMessagesTotal, deliveriesTotal: r.deliveriesTotal,
        connectionsTotal: r.connectionsTotal, errorsTotal: r.errorsTotal,
      };
      t.errorsByReason = r.errorsByReason;
      t.disconnectsByReason = r.disconnectsByReason;
    }
  }
  const rooms = new Map<string, RoomTotals>();
  for (let after = 0; after < last; after += PAGE) {
    for (const r of reader.roomRows(runId, {}, after, PAGE)) {
      let room = rooms.get(r.room);
      if (room === undefined) {
        room = { room: r.room, messages: 0, mpsMean: 0, mpsPeak: 0, joins: 0, leaves: 0, peakMembers: 0 };
        rooms.set(r.room, room);
      }
      room.messages += r.messages;
      if (!short.has(r.tick)) room.mpsPeak = Math.max(room.mpsPeak, r.mps);
      room.joins += r.joins;
      room.leaves += r.leaves;
      room.peakMembers = Math.max(room.peakMembers, r.members);
    }
  }
  const secs = t.durationS > 0 ? t.durationS : 1;
  t.mpsMean = r3(t.messages / secs);
  t.activeS = r3(t.activeS);
  t.mpsMeanActive = t.activeS > 0 ? r3(t.messages / t.activeS) : 0;
  t.mpsPeak = r3(t.mpsPeak);
  t.rooms = [...rooms.values()]
    .map((r) => ({ ...r, mpsMean: r3(r.messages / secs), mpsPeak: r3(r.mpsPeak) }))
    .sort((a, b) => Number(a.room === '_other') - Number(b.room === '_other') || b.messages - a.messages || a.room.localeCompare(b.room));
  return t;
}

/** The median tick length of the run, in seconds (its `--interval`, give or take timer jitter). */
function usualTickSeconds(reader: RunReader, runId: string, last: number): number {
  const lengths: number[] = [];
  for (let after = 0; after < last; after += PAGE) for (const r of reader.totalsRows(runId, {}, after, PAGE)) lengths.push(r.intervalS);
  lengths.sort((a, b) => a - b);
  return lengths.length === 0 ? 0 : (lengths[lengths.length >> 1] as number);
}
