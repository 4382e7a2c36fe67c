import type { Snapshot } from '../../protocol/snapshot.js';
import { createTimeChart, type LineChart, type LineDataset, type TimeChartOptions } from './chart-setup.js';
import { byId, formatNumber, setText } from './dom.js';
import { Series } from './series.js';

type Line = 'mps' | 'mpsAvg' | 'members' | 'connections';

/** Whole-server totals over time (MPS, its average, members, connections) and the number tiles. */
export class TotalsView {
  readonly chart: LineChart;
  readonly #series: Record<Line, Series>;
  readonly #sets: LineDataset[];
  readonly #order: Line[] = ['mps', 'mpsAvg', 'members', 'connections'];

  constructor(canvas: HTMLCanvasElement, opts: TimeChartOptions & { maxPoints?: number }) {
    this.chart = createTimeChart(canvas, { ...opts, yTitle: 'messages / s', y2Title: 'members, connections' });
    const n = opts.maxPoints ?? 4000;
    this.#series = { mps: new Series(n), mpsAvg: new Series(n), members: new Series(n), connections: new Series(n) };
    this.#sets = [
      { label: 'MPS', data: [], borderColor: '#1d2330', yAxisID: 'y' },
      { label: 'MPS (moving avg)', data: [], borderColor: '#667085', borderDash: [6, 4], yAxisID: 'y' },
      // Members and connections are often equal: members is drawn wide underneath, connections dashed
      // on top of it (a lower `order` draws later), so both stay visible when the lines coincide.
      { label: 'members', data: [], borderColor: '#16a34a', borderWidth: 4, order: 1, yAxisID: 'y2' },
      { label: 'connections', data: [], borderColor: '#d97706', borderDash: [5, 4], order: 0, yAxisID: 'y2' },
    ];
    this.chart.data.datasets = this.#sets;
  }

  get series(): Readonly<Record<Line, Series>> {
    return this.#series;
  }

  reset(snapshots: readonly Snapshot[]): void {
    for (const s of Object.values(this.#series)) s.clear();
    for (const s of snapshots) this.append(s);
    if (snapshots.length === 0) this.#tiles(null);
  }

  append(s: Snapshot): void {
    const t = s.totals;
    this.#series.mps.push(s.time, t.mps);
    this.#series.mpsAvg.push(s.time, t.mpsAvg);
    this.#series.members.push(s.time, t.members);
    this.#series.connections.push(s.time, t.connections);
    this.#tiles(s);
  }

  sync(): void {
    this.#order.forEach((k, i) => {
      const set = this.#sets[i];
      if (set) set.data = this.#series[k].points;
    });
  }

  #tiles(s: Snapshot | null): void {
    setText(byId('t-messages'), formatNumber(s?.totals.messagesTotal ?? 0));
    setText(byId('t-mps'), formatNumber(s?.totals.mpsAvg ?? 0));
    setText(byId('t-members'), formatNumber(s?.totals.members ?? 0));
    setText(byId('t-connections'), formatNumber(s?.totals.connections ?? 0));
  }
}
