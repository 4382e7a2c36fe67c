import type { Chart } from 'chart.js';
import type { Snapshot } from '../../protocol/snapshot.js';
import { type LineChart, xRange } from './chart-setup.js';
import { byId, setText } from './dom.js';
import { JoinsView } from './joins-view.js';
import { LatencyView } from './latency-view.js';
import { MpsView } from './mps-view.js';
import { TotalsView } from './totals-view.js';

/**
 * All charts of the page, fed from one stream of snapshots (live or replay). Owns "following": a
 * user zoom or pan on any time chart stops following live data and applies the same x range to the
 * other time charts; `resetZoom()` goes back to following. Redraws are coalesced to one per frame.
 */
export class ChartSet {
  readonly mps: MpsView;
  readonly joins: JoinsView;
  readonly totals: TotalsView;
  readonly latency: LatencyView;
  #following = true;
  #syncing = false;
  #frame = 0;
  #first: Snapshot | null = null;
  #last: Snapshot | null = null;
  readonly #startListeners: (() => void)[] = [];
  #source = 'live data';

  constructor() {
    const onUserZoom = (chart: LineChart) => this.#userZoomed(chart);
    const onUserZoomStart = () => {
      if (this.#syncing) return;
      this.#following = false;
      this.#showFollowing();
    };
    this.mps = new MpsView(byId<HTMLCanvasElement>('chart-mps'), { onUserZoom, onUserZoomStart });
    this.joins = new JoinsView(byId<HTMLCanvasElement>('chart-joins'));
    this.totals = new TotalsView(byId<HTMLCanvasElement>('chart-totals'), { onUserZoom, onUserZoomStart });
    this.latency = new LatencyView(byId<HTMLCanvasElement>('chart-latency'), { onUserZoom, onUserZoomStart });
    this.#showFollowing();
  }

  get timeCharts(): LineChart[] {
    return [this.mps.chart, this.totals.chart, this.latency.chart];
  }

  get charts(): Record<'mps' | 'joins' | 'totals' | 'latency', Chart> {
    return { mps: this.mps.chart as unknown as Chart, joins: this.joins.chart as unknown as Chart, totals: this.totals.chart as unknown as Chart, latency: this.latency.chart as unknown as Chart };
  }

  /**
   * While following, the x axis spans at least this long from the run's first tick: a baseline run
   * longer than the shown one stays in view to its end. 0 when none is overlaid.
   */
  minSpanMs = 0;

  get following(): boolean {
    return this.#following;
  }

  get last(): Snapshot | null {
    return this.#last;
  }

  /** The first tick of the run shown (null before data): where the run starts on the x axis. */
  get first(): Snapshot | null {
    return this.#first;
  }

  /**
   * Calls `fn` whenever the shown run may have changed or got its first tick: after every `reset()` and
   * after the `append()` that follows an empty reset. Extra lines (a baseline overlay) re-attach and
   * re-align here; `reset()` replaces the MPS chart's datasets.
   */
  onRunStart(fn: () => void): void {
    this.#startListeners.push(fn);
  }

  reset(snapshots: readonly Snapshot[]): void {
    this.mps.reset(snapshots);
    this.joins.reset(snapshots);
    this.totals.reset(snapshots);
    this.latency.reset(snapshots);
    this.#first = snapshots[0] ?? null;
    this.#last = snapshots[snapshots.length - 1] ?? null;
    for (const fn of this.#startListeners) fn();
    this.resetZoom();
  }

  append(s: Snapshot): void {
    this.mps.append(s);
    this.joins.append(s);
    this.totals.append(s);
    this.latency.append(s);
    this.#last = s;
    if (this.#first === null) {
      this.#first = s;
      for (const fn of this.#startListeners) fn();
    }
    this.#schedule();
  }

  /**
   * What the charts follow while not zoomed, as the page says it: `live data` or `the replay`. `live`:
   * the charts show a run as it happens (the latency panel then offers the command that connects a
   * load generator); a replay or a report shows a stored run.
   */
  setSource(source: string, live = source === 'live data'): void {
    this.#source = source;
    this.latency.live = live;
    this.#showFollowing();
  }

  /** Back to following live data: the x axis spans the whole run again. */
  resetZoom(): void {
    this.#following = true;
    this.#syncing = true;
    for (const c of this.timeCharts) {
      c.resetZoom('none');
      const x = c.options.scales?.x;
      if (x) {
        delete x.min;
        delete x.max;
      }
    }
    this.#syncing = false;
    this.#showFollowing();
    this.redraw();
  }

  /** Visible x range of the MPS chart (epoch ms), or null before data. */
  visibleRange(): { min: number; max: number } | null {
    return xRange(this.mps.chart as unknown as Chart);
  }

  redraw(): void {
    if (this.#frame !== 0) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    if (this.#following) this.#spanRun();
    this.mps.sync();
    this.joins.sync();
    this.totals.sync();
    this.latency.sync();
    for (const c of Object.values(this.charts)) c.update('none');
  }

  /** While following, every time chart shows the run from its first tick to its newest. */
  #spanRun(): void {
    const pts = this.totals.series.mps.points;
    const first = pts[0];
    const last = pts[pts.length - 1];
    for (const c of this.timeCharts) {
      const x = c.options.scales?.x;
      if (x === undefined) continue;
      if (first === undefined || last === undefined) {
        delete x.min;
        delete x.max;
      } else {
        x.min = first.x;
        x.max = Math.max(last.x, first.x + Math.max(1000, this.minSpanMs));
      }
    }
  }

  #schedule(): void {
    if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.redraw());
  }

  #userZoomed(source: LineChart): void {
    if (this.#syncing) return;
    this.#following = false;
    const r = xRange(source as unknown as Chart);
    if (r !== null) {
      this.#syncing = true;
      for (const c of this.timeCharts) if (c !== source) c.zoomScale('x', r, 'none');
      this.#syncing = false;
    }
    this.#showFollowing();
  }

  #showFollowing(): void {
    setText(byId('following'), this.#following ? `following ${this.#source}` : 'zoomed — not following (Reset to follow)');
  }
}
