import type { Snapshot } from '../../protocol/snapshot.js';
import { createTimeChart, type LineChart, type LineDataset, type TimeChartOptions } from './chart-setup.js';
import { roomColor, withAlpha } from './colors.js';
import { Series } from './series.js';

const OTHER = '_other';

interface RoomLines {
  inst: Series;
  avg: Series;
  instSet: LineDataset;
  avgSet: LineDataset;
}

/**
 * MPS per room over time: a solid line (this tick) and a dashed one (moving average) per room, in the
 * room's own colour. The busiest `maxRooms` rooms of the run so far get lines; the rest are summed as
 * `_other`. As ticks come (live, or a replay playing) the busiest rooms change: a room that becomes one
 * is drawn from its first tick on and the one it displaces joins `_other` — first come is not busiest
 * (live, a lobby with no messages kept a line while the busiest room was summed in `_other`).
 */
export class MpsView {
  readonly chart: LineChart;
  readonly maxRooms: number;
  readonly #rooms = new Map<string, RoomLines>();
  readonly #maxPoints: number;
  /** The rooms' moving-average lines: kept out of the legend (the heading explains the dashes). */
  readonly #avgSets = new WeakSet<object>();
  /** The ticks drawn (as many as a line holds), to redraw from when the busiest rooms change. */
  #drawn: Snapshot[] = [];
  /** Messages per room over the ticks shown. */
  readonly #messages = new Map<string, number>();
  /** The rooms with lines of their own, busiest first. */
  #named: string[] = [];

  constructor(canvas: HTMLCanvasElement, opts: TimeChartOptions & { maxRooms?: number; maxPoints?: number }) {
    this.chart = createTimeChart(canvas, { ...opts, yTitle: 'messages / s' });
    this.maxRooms = opts.maxRooms ?? 8;
    this.#maxPoints = opts.maxPoints ?? 4000;
    const legend = this.chart.options.plugins?.legend;
    // By dataset, not by label text: a room or a baseline named "x (avg)" keeps its legend entry.
    if (legend?.labels) legend.labels.filter = (item, data) => !this.#avgSets.has(data.datasets[item.datasetIndex ?? -1] ?? {});
  }

  /** Redraw from a whole run (or its start up to a replay position). */
  reset(snapshots: readonly Snapshot[]): void {
    this.#messages.clear();
    for (const s of snapshots) this.#count(s);
    this.#drawn = snapshots.slice(-this.#maxPoints);
    this.chart.data.datasets = [];
    this.#rooms.clear();
    this.#redraw();
  }

  append(s: Snapshot): void {
    this.#count(s);
    this.#drawn.push(s);
    if (this.#drawn.length > this.#maxPoints) this.#drawn.shift();
    const top = topRoomsOf(this.#messages, this.maxRooms);
    if (top.length === this.#named.length && top.every((room) => this.#rooms.has(room))) this.#add(s);
    else this.#redraw();
  }

  /** Points held per room line (instant), for tests and the status line. */
  pointCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [room, l] of this.#rooms) out[room] = l.inst.points.length;
    return out;
  }

  /** Hands the current arrays to Chart.js (decimation keeps its own copy). */
  sync(): void {
    for (const l of this.#rooms.values()) {
      l.instSet.data = l.inst.points;
      l.avgSet.data = l.avg.points;
    }
  }

  #count(s: Snapshot): void {
    for (const r of s.rooms) if (r.room !== OTHER) this.#messages.set(r.room, (this.#messages.get(r.room) ?? 0) + r.messages);
  }

  /** The lines of the busiest rooms now, from the ticks drawn; other datasets (a baseline overlay) stay. */
  #redraw(): void {
    const own = new Set<object>();
    for (const l of this.#rooms.values()) own.add(l.instSet).add(l.avgSet);
    const others = this.chart.data.datasets.filter((d) => !own.has(d));
    this.chart.data.datasets = [];
    this.#rooms.clear();
    this.#named = topRoomsOf(this.#messages, this.maxRooms);
    for (const room of this.#named) this.#lines(room);
    for (const s of this.#drawn) this.#add(s);
    this.chart.data.datasets.push(...others);
  }

  #add(s: Snapshot): void {
    let otherMps = 0;
    let otherAvg = 0;
    let hasOther = false;
    const seen = new Set<string>();
    for (const r of s.rooms) {
      const lines = r.room === OTHER ? undefined : this.#rooms.get(r.room);
      if (lines === undefined) {
        otherMps += r.mps;
        otherAvg += r.mpsAvg;
        hasOther = true;
        continue;
      }
      lines.inst.push(s.time, r.mps);
      lines.avg.push(s.time, r.mpsAvg);
      seen.add(r.room);
    }
    if (hasOther || this.#rooms.has(OTHER)) {
      const o = this.#lines(OTHER);
      o.inst.push(s.time, otherMps);
      o.avg.push(s.time, otherAvg);
      seen.add(OTHER);
    }
    // A room missing from a tick had no traffic in it: draw 0 rather than a stale line.
    for (const [room, l] of this.#rooms) {
      if (!seen.has(room) && l.inst.points.length > 0) {
        l.inst.push(s.time, 0);
        l.avg.push(s.time, 0);
      }
    }
  }

  #lines(room: string): RoomLines {
    const have = this.#rooms.get(room);
    if (have) return have;
    const color = roomColor(room);
    const inst = new Series(this.#maxPoints);
    const avg = new Series(this.#maxPoints);
    const instSet: LineDataset = { label: room, data: inst.points, borderColor: color, backgroundColor: color };
    const avgSet: LineDataset = { label: `${room} (avg)`, data: avg.points, borderColor: withAlpha(color, 0.8), backgroundColor: color, borderDash: [6, 4] };
    this.#avgSets.add(avgSet);
    this.chart.data.datasets.push(instSet, avgSet);
    const lines = { inst, avg, instSet, avgSet };
    this.#rooms.set(room, lines);
    return lines;
  }
}

/** The `n` rooms with the most messages (ties by name). */
function topRoomsOf(messages: ReadonlyMap<string, number>, n: number): string[] {
  return [...messages.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([room]) => room);
}
