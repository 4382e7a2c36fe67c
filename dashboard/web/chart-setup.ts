import {
  BarController, BarElement, CategoryScale, Chart, Decimation, Legend, LinearScale, LineController, LineElement, LogarithmicScale,
  PointElement, Tooltip, type ChartDataset, type ChartOptions, type Plugin, type Scale,
} from 'chart.js';
import zoomModule from 'chartjs-plugin-zoom';
import { formatClock } from './dom.js';
import type { Point } from './series.js';

// The plugin's typings describe a CommonJS module; the bundler hands us its ESM default export.
const zoomPlugin = ('default' in zoomModule ? zoomModule.default : zoomModule) as Plugin;
Chart.register(LineController, BarController, LineElement, PointElement, BarElement, LinearScale, LogarithmicScale, CategoryScale, Legend, Tooltip, Decimation, zoomPlugin);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export type LineChart = Chart<'line', Point[]>;
export type LineDataset = ChartDataset<'line', Point[]>;

export interface TimeChartOptions {
  /** Called as a user zoom or pan (wheel, drag, pinch) starts: stop moving the x range from under it. */
  onUserZoomStart: () => void;
  /** Called after a user zoom or pan with the new x range (wheel zooms report after a short pause). */
  onUserZoom: (chart: LineChart) => void;
  yTitle?: string;
  /** A second y axis on the right (`y2`), for counts next to rates. */
  y2Title?: string;
}

/**
 * A line chart over epoch-ms x values, built for hours of data: no parsing, no animation, LTTB
 * decimation, no point markers. Wheel and pinch zoom, drag pans, shift-drag zooms to a box.
 */
export function createTimeChart(canvas: HTMLCanvasElement, opts: TimeChartOptions): LineChart {
  const onUser = ({ chart }: { chart: Chart }) => opts.onUserZoom(chart as unknown as LineChart);
  const onStart = () => {
    opts.onUserZoomStart();
    return true;
  };
  const options: ChartOptions<'line'> = {
    parsing: false,
    normalized: true,
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    elements: { point: { radius: 0, hitRadius: 4 }, line: { borderWidth: 1.5, tension: 0 } },
    scales: {
      x: { type: 'linear', ticks: { callback: (v) => formatClock(Number(v)), maxRotation: 0, autoSkipPadding: 16 } },
      y: {
        type: 'linear', beginAtZero: true, title: { display: opts.yTitle !== undefined, text: opts.yTitle ?? '' },
        ...(opts.y2Title !== undefined && { afterBuildTicks: (scale: Scale) => evenTicks(scale, false) }),
      },
      ...(opts.y2Title !== undefined && {
        y2: {
          type: 'linear' as const, position: 'right' as const, beginAtZero: true, grid: { drawOnChartArea: false },
          title: { display: true, text: opts.y2Title }, afterBuildTicks: (scale: Scale) => evenTicks(scale, true),
        },
      }),
    },
    plugins: {
      legend: { position: 'bottom', labels: { boxWidth: 14, boxHeight: 2 } },
      tooltip: { callbacks: { title: (items) => (items[0] ? formatClock(items[0].parsed.x ?? 0) : '') } },
      decimation: { enabled: true, algorithm: 'lttb', samples: 600, threshold: 800 },
      zoom: {
        limits: { x: { min: 'original', max: 'original' } },
        pan: { enabled: true, mode: 'x', threshold: 5, onPanStart: onStart, onPanComplete: onUser },
        zoom: {
          mode: 'x',
          wheel: { enabled: true, speed: 0.15 },
          pinch: { enabled: true },
          drag: { enabled: true, modifierKey: 'shift', backgroundColor: 'rgba(37,99,235,0.12)' },
          onZoomStart: onStart,
          onZoomComplete: onUser,
        },
      },
    },
  };
  return new Chart(canvas, { type: 'line', data: { datasets: [] }, options });
}

/** Steps between grid lines on a chart with two y axes: both get this many, so their lines coincide. */
export const GRID_STEPS = 5;

/** The smallest round step (1, 2, 2.5 or 5 × 10^k; at least 1 for counts) that covers `max` in `steps` steps. */
export function roundStep(max: number, steps: number, integer: boolean): number {
  const raw = max / steps;
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= raw * (1 - 1e-9)) ?? 10 * p;
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

/**
 * Ticks from 0 to a round max in `GRID_STEPS` equal steps. Given to both y axes of a two-axis chart,
 * each right-hand tick sits on a left-hand grid line (members at 300 on the 300 line, not near 350).
 */
function evenTicks(scale: Scale, integer: boolean): void {
  const step = roundStep(Math.max(0, scale.max), GRID_STEPS, integer);
  scale.min = 0;
  scale.max = step * GRID_STEPS;
  scale.ticks = Array.from({ length: GRID_STEPS + 1 }, (_, i) => ({ value: Number((i * step).toPrecision(12)) }));
}

/** Current x range of a chart's scale, or null before it has drawn. */
export function xRange(chart: Chart): { min: number; max: number } | null {
  const x = chart.scales.x;
  return x === undefined ? null : { min: x.min, max: x.max };
}
