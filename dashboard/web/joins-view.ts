import { Chart } from 'chart.js';
import type { Snapshot } from '../../protocol/snapshot.js';
import { roomColor, withAlpha } from './colors.js';
import { byId, formatNumber, setText } from './dom.js';

interface Counts {
  joins: number;
  leaves: number;
}

/**
 * Joins and leaves per room since the run started (bars: solid = joins, light = leaves, in the room's
 * colour). Shows the `maxBars` rooms with the most joins; rooms seen are capped at `maxRooms`. The lobby
 * is not a bar: every client joins it first (the loadgen joins it and leaves it), so its count would
 * dwarf every real room; it is a line of text under the chart instead (`#joins-lobby`).
 */
export class JoinsView {
  readonly chart: Chart<'bar', number[], string>;
  readonly #counts = new Map<string, Counts>();
  readonly #maxBars: number;
  readonly #maxRooms: number;
  readonly #lobby: string;

  /** `lobby`: the room every client is put in, the chat server's `LOBBY`. @default 'main' */
  constructor(canvas: HTMLCanvasElement, opts: { maxBars?: number; maxRooms?: number; lobby?: string } = {}) {
    this.#maxBars = opts.maxBars ?? 16;
    this.#maxRooms = opts.maxRooms ?? 500;
    this.#lobby = opts.lobby ?? 'main';
    this.chart = new Chart(canvas, {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'joins', data: [] }, { label: 'leaves', data: [] }] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { type: 'category', ticks: { autoSkip: false, maxRotation: 45 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: {
          legend: {
            position: 'bottom',
            labels: {
              generateLabels: () => [
                { text: 'joins (solid)', fillStyle: '#475467', strokeStyle: '#475467', lineWidth: 0, datasetIndex: 0 },
                { text: 'leaves (light)', fillStyle: '#47546755', strokeStyle: '#47546755', lineWidth: 0, datasetIndex: 1 },
              ],
            },
          },
        },
      },
    });
  }

  reset(snapshots: readonly Snapshot[]): void {
    this.#counts.clear();
    for (const s of snapshots) this.append(s);
  }

  append(s: Snapshot): void {
    for (const r of s.rooms) {
      let c = this.#counts.get(r.room);
      if (c === undefined) {
        if (this.#counts.size >= this.#maxRooms) continue;
        c = { joins: 0, leaves: 0 };
        this.#counts.set(r.room, c);
      }
      c.joins = r.joinsTotal;
      c.leaves = r.leavesTotal;
    }
  }

  /** Rooms drawn, with their counts (for tests and the CSV-free quick look). The lobby is not one. */
  bars(): { room: string; joins: number; leaves: number }[] {
    return [...this.#counts.entries()]
      .filter(([room]) => room !== this.#lobby)
      .sort((a, b) => b[1].joins - a[1].joins || (a[0] < b[0] ? -1 : 1))
      .slice(0, this.#maxBars)
      .map(([room, c]) => ({ room, ...c }));
  }

  /** The lobby's counts, shown as text rather than as a bar. */
  lobby(): { room: string; joins: number; leaves: number } {
    const c = this.#counts.get(this.#lobby);
    return { room: this.#lobby, joins: c?.joins ?? 0, leaves: c?.leaves ?? 0 };
  }

  sync(): void {
    const bars = this.bars();
    const colors = bars.map((b) => roomColor(b.room));
    this.chart.data.labels = bars.map((b) => b.room);
    const [joins, leaves] = this.chart.data.datasets;
    if (joins) Object.assign(joins, { data: bars.map((b) => b.joins), backgroundColor: colors });
    if (leaves) Object.assign(leaves, { data: bars.map((b) => b.leaves), backgroundColor: colors.map((c) => withAlpha(c, 0.35)) });
    const l = this.lobby();
    setText(byId('joins-lobby'), `#${l.room} (the lobby every client joins first, not drawn): ${formatNumber(l.joins)} joins, ${formatNumber(l.leaves)} leaves`);
  }
}
