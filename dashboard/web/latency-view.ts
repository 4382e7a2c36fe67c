import type { Snapshot } from '../../protocol/snapshot.js';
import { createTimeChart, type LineChart, type LineDataset, type TimeChartOptions } from './chart-setup.js';
import { byId, formatNumber, setText } from './dom.js';
import { noLoadgenText } from './loadgen-hint.js';
import { Series } from './series.js';

/**
 * p50 and p99 (corrected for coordinated omission, ms) of the reports that arrived in this tick — of one
 * histogram merged from every generator's, as metrics summarises them; null when no load generator
 * reported, or none of its reports held a delivery (their percentiles are of nothing: 0 ms would draw a
 * server faster than any). Live and stored snapshots carry the same summary, so live and replay draw the same line.
 */
export function latencyOf(s: Snapshot): { p50: number; p99: number } | null {
  const sum = s.totals.loadgen;
  return sum && sum.samples !== 0 ? { p50: sum.p50Ms, p99: sum.p99Ms } : null;
}

/** Loadgen delivery latency over time, drawn only for ticks in which a load generator reported. */
export class LatencyView {
  readonly chart: LineChart;
  readonly p50: Series;
  readonly p99: Series;
  readonly #sets: [LineDataset, LineDataset];
  /** Showing a run as it happens (see `ChartSet.setSource`); false for a replay or a report. */
  live = true;
  /** Some tick shown so far had a load generator's report. */
  #reported = false;

  constructor(canvas: HTMLCanvasElement, opts: TimeChartOptions & { maxPoints?: number }) {
    this.chart = createTimeChart(canvas, { ...opts, yTitle: 'ms' });
    this.p50 = new Series(opts.maxPoints ?? 4000);
    this.p99 = new Series(opts.maxPoints ?? 4000);
    this.#sets = [
      { label: 'p50 corrected', data: [], borderColor: '#2563eb' },
      { label: 'p99 corrected', data: [], borderColor: '#dc2626' },
    ];
    this.chart.data.datasets = this.#sets;
    const box = byId<HTMLInputElement>('latency-log');
    box.checked = readLogChoice();
    box.addEventListener('change', () => this.setLog(box.checked));
    this.setLog(box.checked);
  }

  /**
   * Log y scale: a start-up spike of hundreds of ms stays on the chart while steady 2 ms lines keep
   * their height instead of lying flat on the floor. The choice is kept in localStorage.
   */
  setLog(on: boolean): void {
    const y = this.chart.options.scales?.y;
    if (y === undefined) return;
    y.type = on ? 'logarithmic' : 'linear';
    saveLogChoice(on);
    this.chart.update('none');
  }

  get log(): boolean {
    return this.chart.options.scales?.y?.type === 'logarithmic';
  }

  reset(snapshots: readonly Snapshot[]): void {
    this.p50.clear();
    this.p99.clear();
    this.#reported = false;
    for (const s of snapshots) this.append(s);
    if (snapshots.length === 0) this.#sources(null);
  }

  append(s: Snapshot): void {
    const l = latencyOf(s);
    if (l !== null) {
      this.p50.push(s.time, l.p50);
      this.p99.push(s.time, l.p99);
    }
    this.#sources(s);
  }

  sync(): void {
    this.#sets[0].data = this.p50.points;
    this.#sets[1].data = this.p99.points;
  }

  /**
   * One line per load generator of the tick shown last, as text: source names are user input. With
   * none: live, the command that connects one; a stored run says only whether any ever reported (its
   * last tick, after the load, usually has none).
   */
  #sources(s: Snapshot | null): void {
    const list = byId('loadgen-sources');
    // A tick of an imported run keeps the generators' sums (totals.loadgen) but not their reports.
    if ((s?.loadgen ?? []).length > 0 || (s?.totals.loadgen ?? null) !== null) this.#reported = true;
    const lines = (s?.loadgen ?? []).map((r) => {
      const c = r.latencyMs.corrected;
      const p99 = c.count > 0 ? `p99 ${formatNumber(c.p99)} ms` : 'no delivery this tick';
      return `${r.source} → ${r.target}: ${r.clients} clients, ${p99}${r.saturated ? ' (saturated: latencies suspect)' : ''}`;
    });
    if (lines.length === 0) {
      if (this.live) lines.push(s === null || !latencyOf(s) ? noLoadgenText(location) : '');
      else lines.push(this.#reported ? '' : 'no load generator reported to this run');
    }
    while (list.children.length > lines.length) list.lastElementChild?.remove();
    lines.forEach((text, i) => {
      const li = (list.children[i] as HTMLElement | undefined) ?? list.appendChild(document.createElement('li'));
      setText(li, text);
    });
    const l = s ? latencyOf(s) : null;
    setText(byId('t-p99'), l ? `${formatNumber(l.p99)} ms` : '—');
  }
}

const LOG_KEY = 'chatpulse.latency.log';

function readLogChoice(): boolean {
  try {
    return localStorage.getItem(LOG_KEY) === '1';
  } catch {
    return false; // storage refused (private mode, sandboxed frame): linear, as before
  }
}

function saveLogChoice(on: boolean): void {
  try {
    localStorage.setItem(LOG_KEY, on ? '1' : '0');
  } catch {
    // not kept: the toggle still works for this page
  }
}
