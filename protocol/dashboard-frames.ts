/**
 * Every WebSocket frame and HTTP JSON response of the dashboard (DESIGN §6), declared once and imported
 * by the server (dashboard/*.ts) and the browser bundle (dashboard/web/*.ts). Browser-safe: type-only
 * imports, no Node modules.
 */
import type { LoadgenTickReport } from './loadgen-report.js';
import type { Snapshot } from './snapshot.js';

/** `imported`: put back into a store from its CSV files by `chatpulse import`. */
export type RunStatus = 'running' | 'completed' | 'aborted' | 'imported';

/**
 * A run as every view lists it: `GET /api/runs`, the dashboard's history frames, the results. The
 * store's own record (metrics/run-schema.ts `StoredRun`) extends it with the config browsers never get.
 */
export interface RunInfo {
  id: string;
  /** `--label` text; user input, shown as text only. */
  label: string;
  /** Epoch ms. */
  start: number;
  /** Epoch ms of the last tick written (or of the close); null before the first tick. */
  end: number | null;
  /** `aborted`: the process died without closing the run; its stored ticks are kept. */
  status: RunStatus;
  /** Ticks stored so far. */
  ticks: number;
}

// ---- WS /ws: server → browser ----------------------------------------------------------------------

/**
 * First frame after connecting (and after every reconnect): the current run from its start. Long runs
 * are thinned to at most `maxTicks` evenly spaced ticks (first and last kept); `thinned` says so.
 */
export interface HistoryFrame {
  type: 'history';
  run: RunInfo | null;
  snapshots: Snapshot[];
  thinned: boolean;
  /** Server clock (epoch ms) when sent, so the page can correct countdowns for clock skew. */
  serverTime: number;
}

/** One per tick. */
export interface SnapshotFrame {
  type: 'snapshot';
  snapshot: Snapshot;
}

/** During a demo: ends at `endsAt` (server epoch ms). `endsAt: null` clears it. */
export interface CountdownFrame {
  type: 'countdown';
  endsAt: number | null;
  totalS: number;
  label: string;
  serverTime: number;
}

export type ServerFrame = HistoryFrame | SnapshotFrame | CountdownFrame;

// ---- WS /ingest: loadgen → server, and the server's answer to a rejected frame --------------------

export type IngestFrame = LoadgenTickReport;

/** Sent back on /ingest when a frame is dropped; the connection stays open. */
export interface IngestErrorFrame {
  type: 'ingest-error';
  error: string;
}

// ---- HTTP JSON -------------------------------------------------------------------------------------

/** `GET /api/runs`: newest first. */
export interface RunsResponse {
  type: 'runs';
  runs: RunInfo[];
  /** Id of the run this process is recording, if any. */
  currentRunId: string | null;
}

/** `GET /api/runs/:id/samples?from=&to=`: ticks with `from <= time <= to` (epoch ms), oldest first. */
export interface SamplesResponse {
  type: 'samples';
  run: RunInfo;
  from: number | null;
  to: number | null;
  /** 1, or the `every` asked for: only ticks 1, 1 + every, 1 + 2 × every, … and the run's last are here. */
  every: number;
  snapshots: Snapshot[];
  /** True when the range held more than the server returns at once; ask again from the last time. */
  truncated: boolean;
}

/** Every 4xx/5xx answer of the API. */
export interface ErrorResponse {
  type: 'error';
  status: number;
  error: string;
}

/** Paths, so both ends agree. */
export const paths = {
  ws: '/ws',
  ingest: '/ingest',
  runs: '/api/runs',
  samples: (id: string) => `/api/runs/${encodeURIComponent(id)}/samples`,
  roomsCsv: (id: string) => `/api/runs/${encodeURIComponent(id)}/rooms.csv`,
  totalsCsv: (id: string) => `/api/runs/${encodeURIComponent(id)}/totals.csv`,
  chat: '/chat',
} as const;
