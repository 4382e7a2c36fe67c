import type { Snapshot } from '../../protocol/snapshot.js';
import type { ChartSet } from './chart-set.js';
import type { LineChart, LineDataset } from './chart-setup.js';
import { latencyOf } from './latency-view.js';
import { Series } from './series.js';

const GREY = '#6b7280';
const LIGHT_GREY = '#9ca3af';
/** Points per baseline line, as per room line: a longer baseline is thinned (series.ts). */
const MAX_POINTS = 4000;
/** Short dashes: a baseline's instant MPS and its p50. */
const DOTS = [2, 3];
/** Long dashes: a baseline's moving average and its p99. */
const DASHES = [8, 4];

/** One baseline line: its points at x = elapsed ms since the baseline's start, and the dataset that draws them shifted. */
class BaselineLine {
  readonly chart: LineChart;
  readonly series = new Series(MAX_POINTS);
  readonly set: LineDataset;

  constructor(chart: LineChart, color: string, dash: number[]) {
    this.chart = chart;
    // order 1: under the run's own lines (order 0) and after them in the legend.
    this.set = { label: '', data: [], borderColor: color, backgroundColor: color, borderDash: dash, order: 1 };
  }

  /** Draws the line from `origin` (epoch ms where elapsed 0 of the shown run sits), or not at all (null). */
  align(origin: number | null): void {
    this.set.data = origin === null ? [] : this.series.points.map((p) => ({ x: origin + p.x, y: p.y }));
  }

  attach(): void {
    const sets = this.chart.data.datasets;
    if (!sets.includes(this.set)) sets.push(this.set);
  }

  /** Removes the dataset in place: the latency view keeps its own array and must go on seeing its lines. */
  detach(): void {
    const sets = this.chart.data.datasets;
    const i = sets.indexOf(this.set);
    if (i >= 0) sets.splice(i, 1);
  }
}

/**
 * A stored run drawn in grey dashes under the shown one, to compare against: its total MPS and moving
 * average on the MPS chart, its p50 and p99 (corrected) on the latency chart. Aligned by elapsed time,
 * so both runs start at the same x: a baseline tick at `elapsedS` e sits at
 * `first.time - first.elapsedS * 1000 + e * 1000`, `first` being the shown run's first tick.
 *
 * Its lines are ordinary datasets on the same x scale (zoom and pan move them), never rooms: the MPS
 * view does not know them. It needs only a `ChartSet`, so the live page and a static report can use it.
 */
export class BaselineOverlay {
  readonly #charts: ChartSet;
  readonly #mps: BaselineLine;
  readonly #mpsAvg: BaselineLine;
  readonly #p50: BaselineLine;
  readonly #p99: BaselineLine;
  #active = false;

  constructor(charts: ChartSet) {
    this.#charts = charts;
    this.#mps = new BaselineLine(charts.mps.chart, GREY, DOTS);
    this.#mpsAvg = new BaselineLine(charts.mps.chart, LIGHT_GREY, DASHES);
    this.#p50 = new BaselineLine(charts.latency.chart, GREY, DOTS);
    this.#p99 = new BaselineLine(charts.latency.chart, GREY, DASHES);
    // charts.reset() replaces the MPS chart's datasets and may show another run: come back, realigned.
    charts.onRunStart(() => this.realign());
  }

  get active(): boolean {
    return this.#active;
  }

  /** Shows `baseline` (oldest tick first) as "baseline <label>"; replaces any baseline shown before. */
  set(baseline: readonly Snapshot[], label: string): void {
    for (const l of this.#lines()) l.series.clear();
    for (const s of baseline) {
      const x = s.elapsedS * 1000;
      this.#mps.series.push(x, s.totals.mps);
      this.#mpsAvg.series.push(x, s.totals.mpsAvg);
      const lat = latencyOf(s);
      if (lat !== null) {
        this.#p50.series.push(x, lat.p50);
        this.#p99.series.push(x, lat.p99);
      }
    }
    const name = `baseline ${label}`;
    this.#mps.set.label = `${name}: all rooms`;
    this.#mpsAvg.set.label = `${name}: all rooms (avg)`;
    this.#p50.set.label = `${name} p50 corrected`;
    this.#p99.set.label = `${name} p99 corrected`;
    this.#active = true;
    const last = baseline[baseline.length - 1];
    const first = baseline[0];
    this.#charts.minSpanMs = last && first ? (last.elapsedS - first.elapsedS) * 1000 : 0;
    this.realign();
    this.#charts.redraw();
  }

  clear(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#charts.minSpanMs = 0;
    for (const l of this.#lines()) {
      l.series.clear();
      l.detach();
    }
    this.#charts.redraw();
  }

  /** Re-attaches the lines and aligns them on the shown run's start. Cheap: no redraw. */
  realign(): void {
    if (!this.#active) return;
    const first = this.#charts.first;
    const origin = first === null ? null : first.time - first.elapsedS * 1000;
    for (const l of this.#lines()) {
      l.attach();
      l.align(origin);
    }
  }

  #lines(): BaselineLine[] {
    return [this.#mps, this.#mpsAvg, this.#p50, this.#p99];
  }
}
