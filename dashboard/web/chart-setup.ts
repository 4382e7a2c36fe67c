import {
  BarController, BarElement, CategoryScale, Chart, Decimation, Legend, LinearScale, LineController, LineElement,
  PointElement, Tooltip, type ChartDataset, type ChartOptions, type Plugin,
} from 'chart.js';
import zoomModule from 'chartjs-plugin-zoom';
import { formatClock } from './dom.js';
import type { Point } from './series.js';

// The plugin's typings describe a CommonJS module; the bundler hands us its ESM default export.
const zoomPlugin = ('default' in zoomModule ? zoomModule.default : zoomModule) as Plugin;
Chart.register(LineController, BarController, LineElement, PointElement, BarElement, LinearScale, CategoryScale, Legend, Tooltip, Decimation, zoomPlugin);
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
      y: { type: 'linear', beginAtZero: true, title: { display: opts.yTitle !== undefined, text: opts.yTitle ?? '' } },
      ...(opts.y2Title !== undefined && {
        y2: { type: 'linear' as const, position: 'right' as const, beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: opts.y2Title } },
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

/** Current x range of a chart's scale, or null before it has drawn. */
export function xRange(chart: Chart): { min: number; max: number } | null {
  const x = chart.scales.x;
  return x === undefined ? null : { min: x.min, max: x.max };
}
