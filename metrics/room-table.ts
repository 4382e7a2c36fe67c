import { RateAverage } from './moving-average.js';
import type { RoomSample } from './snapshot.js';

/** The row that every room without a row of its own is summed into. */
export const OTHER_ROOM = '_other';

/** One live room's counts for the current tick: touched on the hot path by plain increments. */
class RoomCounter {
  messages = 0;
  joins = 0;
  leaves = 0;
  members = 0;
  /** Ticks in a row with no members and no traffic. */
  idleTicks = 0;
  slot: RoomSlot | null = null;
  /** Spellings this counter is filed under (rooms are case-insensitive; see `#counter`). */
  readonly names: string[] = [];
  constructor(readonly key: string) {}
}

/** A row of the snapshot: a named room or `_other`. Holds the figures that live across ticks. */
class RoomSlot {
  messages = 0;
  joins = 0;
  leaves = 0;
  members = 0;
  messagesTotal = 0;
  joinsTotal = 0;
  leavesTotal = 0;
  readonly avg: RateAverage;
  constructor(readonly room: string, window: number) {
    this.avg = new RateAverage(window);
  }
}

export interface RoomTableOptions {
  /** Named rows at most; the rest are summed as `_other`. @default 50 */
  metricRooms: number;
  /** Ticks in the moving average. @default 5 */
  window: number;
  /** Ticks a named room must stay empty and silent before it gives its row back. @default 60 */
  releaseAfterTicks: number;
}

/**
 * Per-room counting with a bounded number of rows.
 *
 * The folding rule (DESIGN §4, README "Metrics"): there are at most `metricRooms` named rows at any
 * time, plus `_other`. At each tick, free rows go to the busiest rooms still in `_other` (messages this
 * tick, then members, then name). A room keeps its row — sticky — while it has members or traffic, so
 * a busy room never flaps between its own series and `_other`. Only a room that has been empty and
 * silent for `releaseAfterTicks` ticks gives its row back; its Prometheus series then ends (Prometheus
 * marks it stale) and the row goes to the busiest waiting room. So the exposition never holds more than
 * `metricRooms + 1` series per room metric, and new series can appear only as fast as dead rooms
 * release theirs — however many room names clients invent. A room's counts go to whichever row it had
 * in that tick; `rate()` over the series stays correct because each series is monotonic while it lives.
 */
export class RoomTable {
  readonly options: RoomTableOptions;
  readonly #byName = new Map<string, RoomCounter>();
  readonly #byKey = new Map<string, RoomCounter>();
  readonly #named = new Set<RoomSlot>();
  readonly #other: RoomSlot;
  /** True once any room has been summed into `_other`: from then on its row is always shown. */
  #otherUsed = false;
  /**
   * The totals of rooms that gave their row back, by key, so that a room that gets a row again goes on
   * from them: a room's `…Total` is what was counted under its name in the run (the dashboard's bars
   * and the report show it as such), not since it last came back — which read 1 join for a room joined
   * four times with a quiet minute between. Its series restarted at 0 before; now it resumes where it
   * stopped, which Prometheus reads the same way. Bounded: the oldest are forgotten beyond
   * `MAX_RETIRED` (a room of a long-gone past then counts again from 0).
   */
  readonly #retired = new Map<string, Totals>();

  constructor(options: Partial<RoomTableOptions> = {}) {
    this.options = { metricRooms: 50, window: 5, releaseAfterTicks: 60, ...options };
    const { metricRooms, releaseAfterTicks } = this.options;
    if (!Number.isInteger(metricRooms) || metricRooms < 0) {
      throw new RangeError(`Expected \`metricRooms\` to be a whole number >= 0, got \`${metricRooms}\``);
    }
    if (!Number.isInteger(releaseAfterTicks) || releaseAfterTicks < 1) {
      throw new RangeError(`Expected \`releaseAfterTicks\` to be a whole number >= 1, got \`${releaseAfterTicks}\``);
    }
    this.#other = new RoomSlot(OTHER_ROOM, this.options.window);
  }

  message(room: string): void {
    this.#counter(room).messages++;
  }

  join(room: string, members: number): void {
    const c = this.#counter(room);
    c.joins++;
    c.members = members;
  }

  leave(room: string, members: number): void {
    const c = this.#counter(room);
    c.leaves++;
    c.members = members;
  }

  /** Rooms tracked now (live rooms plus named rooms waiting to be released): bounded by the core's room cap. */
  get tracked(): number {
    return this.#byKey.size;
  }

  /** Ends a tick of `seconds`: assigns rows, turns counts into samples, resets the tick counts. */
  tick(seconds: number): RoomSample[] {
    this.#releaseAndPromote();
    for (const c of this.#byKey.values()) {
      const slot = c.slot ?? this.#other;
      if (c.slot === null) this.#otherUsed = true;
      slot.messages += c.messages;
      slot.joins += c.joins;
      slot.leaves += c.leaves;
      slot.members += c.members;
      c.messages = c.joins = c.leaves = 0;
      if (c.slot === null && c.members === 0) this.#drop(c);
    }
    const rows: RoomSample[] = [];
    for (const slot of this.#named) rows.push(sample(slot, seconds));
    rows.sort(busiestFirst);
    // Sampled only from the first tick it holds a room: its moving average, like a named row's, counts
    // the ticks it existed, not zeros from before (which read 8.4 for a row at 40 MPS from its start).
    if (this.#otherUsed) rows.push(sample(this.#other, seconds));
    return rows;
  }

  #counter(room: string): RoomCounter {
    const hit = this.#byName.get(room);
    if (hit !== undefined) return hit;
    // Only on a room's first event: the lower-cased key files `Dev` and `dev` under one counter.
    const key = room.toLowerCase();
    let c = this.#byKey.get(key);
    if (c === undefined) {
      c = new RoomCounter(key);
      this.#byKey.set(key, c);
    }
    c.names.push(room);
    this.#byName.set(room, c);
    return c;
  }

  #drop(c: RoomCounter): void {
    this.#byKey.delete(c.key);
    for (const n of c.names) this.#byName.delete(n);
  }

  #releaseAndPromote(): void {
    const { metricRooms, releaseAfterTicks, window } = this.options;
    const waiting: RoomCounter[] = [];
    for (const c of this.#byKey.values()) {
      const busy = c.messages > 0 || c.joins > 0 || c.leaves > 0 || c.members > 0;
      c.idleTicks = busy ? 0 : c.idleTicks + 1;
      if (c.slot !== null && c.idleTicks >= releaseAfterTicks) {
        this.#named.delete(c.slot);
        this.#retire(c.key, c.slot);
        c.slot = null;
        this.#drop(c);
      } else if (c.slot === null && busy && c.key !== OTHER_ROOM) {
        // A client's own room called `_other` is summed into `_other`: one series, one meaning.
        waiting.push(c);
      }
    }
    const free = metricRooms - this.#named.size;
    if (free <= 0 || waiting.length === 0) return;
    if (waiting.length > free) {
      waiting.sort((a, b) => b.messages - a.messages || b.members - a.members || compareNames(a, b));
    }
    for (let i = 0; i < free && i < waiting.length; i++) {
      const c = waiting[i] as RoomCounter;
      c.slot = new RoomSlot(c.names[0] as string, window);
      const before = this.#retired.get(c.key);
      if (before !== undefined) {
        this.#retired.delete(c.key);
        c.slot.messagesTotal = before.messagesTotal;
        c.slot.joinsTotal = before.joinsTotal;
        c.slot.leavesTotal = before.leavesTotal;
      }
      this.#named.add(c.slot);
    }
  }

  #retire(key: string, slot: RoomSlot): void {
    this.#retired.delete(key);
    this.#retired.set(key, { messagesTotal: slot.messagesTotal, joinsTotal: slot.joinsTotal, leavesTotal: slot.leavesTotal });
    if (this.#retired.size > MAX_RETIRED) this.#retired.delete(this.#retired.keys().next().value as string);
  }
}

interface Totals {
  messagesTotal: number;
  joinsTotal: number;
  leavesTotal: number;
}

/** Released rooms whose totals are remembered, at most (a few hundred KiB). */
const MAX_RETIRED = 10_000;

function sample(slot: RoomSlot, seconds: number): RoomSample {
  slot.messagesTotal += slot.messages;
  slot.joinsTotal += slot.joins;
  slot.leavesTotal += slot.leaves;
  const mps = slot.messages / seconds;
  const row: RoomSample = {
    room: slot.room,
    messages: slot.messages,
    messagesTotal: slot.messagesTotal,
    mps,
    mpsAvg: slot.avg.push(slot.messages, seconds),
    joins: slot.joins,
    leaves: slot.leaves,
    joinsTotal: slot.joinsTotal,
    leavesTotal: slot.leavesTotal,
    members: slot.members,
  };
  slot.messages = slot.joins = slot.leaves = slot.members = 0;
  return row;
}

function compareNames(a: RoomCounter, b: RoomCounter): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function busiestFirst(a: RoomSample, b: RoomSample): number {
  return b.mps - a.mps || b.members - a.members || (a.room < b.room ? -1 : a.room > b.room ? 1 : 0);
}
