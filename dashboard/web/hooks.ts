import type { Chart } from 'chart.js';
import type { Snapshot } from '../../protocol/snapshot.js';
import type { ThinnedHistory } from './thinned-history.js';
import type { BaselineOverlay } from './baseline-overlay.js';
import type { ChartSet } from './chart-set.js';
import type { CountdownView } from './countdown.js';
import type { LiveSocket } from './live-socket.js';
import type { Replay, ReplayState } from './replay.js';

export interface HookDeps {
  charts: ChartSet;
  baseline: BaselineOverlay;
  countdown: CountdownView;
  replay: Replay;
  socket: LiveSocket;
  liveRing: ThinnedHistory<Snapshot>;
  mode: () => 'live' | 'replay';
  runId: () => string | null;
  errors: string[];
  csvUrl: (kind: 'rooms' | 'totals', ranged: boolean) => string | null;
}

/** What tests (and curious users in the console) can read: `window.__chatpulse`. Read-only views. */
export interface ChatpulseHooks {
  ready: true;
  connected(): boolean;
  reconnects(): number;
  mode(): 'live' | 'replay';
  runId(): string | null;
  following(): boolean;
  xRange(): { min: number; max: number } | null;
  /** Points held per room line of the MPS chart. */
  mpsPoints(): Record<string, number>;
  /** x of the first and last point of the totals chart (epoch ms). */
  timeSpan(): { first: number; last: number; points: number } | null;
  latencyPoints(): number;
  bars(): { room: string; joins: number; leaves: number }[];
  /** The lobby's joins and leaves (a note under the bars, not a bar). */
  lobby(): { room: string; joins: number; leaves: number };
  lastTick(): number | null;
  liveTicks(): number;
  replay(): ReplayState;
  /** Whether a baseline run is overlaid on the MPS and latency charts. */
  baselineActive(): boolean;
  countdown(): number | null;
  csvUrl(kind: 'rooms' | 'totals', ranged: boolean): string | null;
  errors(): string[];
  /** Redraw now instead of at the next animation frame. */
  redraw(): void;
  /** The Chart.js instance of one chart, to read its scales and datasets inside `page.evaluate`. */
  chart(name: 'mps' | 'joins' | 'totals' | 'latency'): Chart;
}

declare global {
  interface Window {
    __chatpulse?: ChatpulseHooks;
  }
}

export function installHooks(d: HookDeps): void {
  window.__chatpulse = {
    ready: true,
    connected: () => d.socket.connected,
    reconnects: () => d.socket.reconnects,
    mode: d.mode,
    runId: d.runId,
    following: () => d.charts.following,
    xRange: () => d.charts.visibleRange(),
    mpsPoints: () => d.charts.mps.pointCounts(),
    timeSpan: () => {
      const pts = d.charts.totals.series.mps.points;
      const first = pts[0];
      const last = pts[pts.length - 1];
      return first && last ? { first: first.x, last: last.x, points: pts.length } : null;
    },
    latencyPoints: () => d.charts.latency.p99.points.length,
    bars: () => d.charts.joins.bars(),
    lobby: () => d.charts.joins.lobby(),
    lastTick: () => d.charts.last?.tick ?? null,
    liveTicks: () => d.liveRing.size,
    replay: () => d.replay.state(),
    baselineActive: () => d.baseline.active,
    countdown: () => d.countdown.remainingS(),
    csvUrl: d.csvUrl,
    errors: () => [...d.errors],
    redraw: () => d.charts.redraw(),
    chart: (name) => d.charts.charts[name],
  };
}
