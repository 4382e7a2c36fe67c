import { Chart, type ChartDataset, type Scale } from 'chart.js';
import type { SpectrumPoint } from '../../protocol/run-report.js';

/** 10 → "90%", 1000 → "99.9%": the percentile at x = 1/(1 − p) on the spectrum's log axis. */
export function percentLabel(x: number): string {
  return `${Number((100 * (1 - 1 / x)).toFixed(6))}%`;
}

export interface SpectrumLine {
  label: string;
  points: readonly SpectrumPoint[];
  color: string;
  dash?: number[];
}

/**
 * The latency percentile spectrum as HdrHistogram and wrk2 plot it: latency against percentile on a
 * log axis of 1/(1 − p), one tick per decade (0%, 90%, 99%, 99.9% …), so the tail gets the room.
 */
export type SpectrumChart = Chart<'line', { x: number; y: number }[]>;

export function createSpectrumChart(canvas: HTMLCanvasElement, lines: readonly SpectrumLine[], logY = false): SpectrumChart {
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = lines.map((l) => ({
    label: l.label, data: l.points.map((p) => ({ x: p.x, y: p.ms })), borderColor: l.color, backgroundColor: l.color,
    borderDash: l.dash ?? [], pointRadius: 0, borderWidth: 2,
  }));
  return new Chart<'line', { x: number; y: number }[]>(canvas, {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false, normalized: true, responsive: true, maintainAspectRatio: false, animation: false,
      scales: {
        x: {
          type: 'logarithmic', min: 1, title: { display: true, text: 'percentile' },
          afterBuildTicks: (axis: Scale) => {
            const ticks = [];
            for (let v = 1; v <= axis.max * 1.0001; v *= 10) ticks.push({ value: v });
            axis.ticks = ticks;
          },
          ticks: { callback: (v) => percentLabel(Number(v)) },
        },
        y: { type: logY ? 'logarithmic' : 'linear', beginAtZero: !logY, title: { display: true, text: 'latency ms' } },
      },
      plugins: { tooltip: { callbacks: { title: (items) => (items[0] ? `p${percentLabel(items[0].parsed.x ?? 1).replace('%', '')}` : '') } } },
    },
  });
}
