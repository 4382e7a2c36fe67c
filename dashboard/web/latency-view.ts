import type { Snapshot } from '../../protocol/snapshot.js';
import { createTimeChart, type LineChart, type LineDataset, type TimeChartOptions } from './chart-setup.js';
import { byId, formatNumber, setText } from './dom.js';
import { noLoadgenText } from './loadgen-hint.js';
import { Series } from './series.js';

/**
 * p50 and p99 (corrected for coordinated omission, ms) of the reports that arrived in this tick — of one
 * histogram merged from every generator's, as metrics summarises them; null when no load generator
 * reported. Live and stored snapshots carry the same summary, so live and replay draw the same line.
 */
export function latencyOf(s: Snapshot): { p50: number; p99: number } | null {
  const sum = s.totals.loadgen;
  return sum ? { p50: sum.p50Ms, p99: sum.p99Ms } : null;
}

/** Loadgen delivery latency over time, drawn only for ticks in which a load generator reported. */
export class LatencyView {
  readonly chart: LineChart;
  readonly p50: Series;
  readonly p99: Series;
  readonly #sets: [LineDataset, LineDataset];

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

  /** One line per load generator, as text: source names are user input. */
  #sources(s: Snapshot | null): void {
    const list = byId('loadgen-sources');
    const lines = (s?.loadgen ?? []).map((r) =>
      `${r.source} → ${r.target}: ${r.clients} clients, p99 ${formatNumber(r.latencyMs.corrected.p99)} ms${r.saturated ? ' (saturated: latencies suspect)' : ''}`,
    );
    if (lines.length === 0) lines.push(s === null || !latencyOf(s) ? noLoadgenText(location) : '');
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
