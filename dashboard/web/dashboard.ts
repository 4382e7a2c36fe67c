/**
 * The dashboard page: live charts from `WS /ws`, zoom/pan, CSV and PNG downloads, replay of stored runs
 * and of CSV files opened in the page, with a baseline run overlaid, and the demo countdown. State lives here; each chart and control is its own module.
 */
import type { Snapshot } from '../../protocol/snapshot.js';
import { paths, type RunInfo, type ServerFrame } from '../../protocol/dashboard-frames.js';
import { ThinnedHistory } from './thinned-history.js';
import { BaselineOverlay } from './baseline-overlay.js';
import { wireBaselinePicker } from './baseline-picker.js';
import { ChartSet } from './chart-set.js';
import { CountdownView } from './countdown.js';
import { byId, formatMinSec, setText } from './dom.js';
import { wireCsvOpen } from './csv-open.js';
import { csvUrl, download, downloadPng } from './downloads.js';
import { installHooks } from './hooks.js';
import { LiveSocket } from './live-socket.js';
import { Replay, type ReplayState } from './replay.js';
import { refreshRunPicker } from './run-picker.js';

const charts = new ChartSet();
const baseline = new BaselineOverlay(charts);
const countdown = new CountdownView();
const liveRing = new ThinnedHistory<Snapshot>(4000);
let liveRun: RunInfo | null = null;
let mode: 'live' | 'replay' = 'live';
const errors: string[] = [];

const status = byId('status');
let connected = false;
function showStatus(isConnected: boolean): void {
  connected = isConnected;
  showHeader();
}

const runName = (run: RunInfo | null) => (run === null ? '—' : run.label.trim() === '' ? run.id : run.label);

/** Header and bar: which run is shown and whether it is live or a replay (never "live" while replaying). */
function showHeader(): void {
  const replaying = mode === 'replay';
  const name = runName(replaying ? replay.run : liveRun);
  const feed = connected ? 'live' : 'disconnected — retrying';
  status.classList.toggle('down', !connected);
  status.classList.toggle('replay', replaying);
  setText(status, replaying ? `replaying ${name}${connected ? '' : ` (live feed ${feed})`}` : feed);
  setText(byId('run-label'), name);
  setText(byId('mode'), replaying ? 'replay' : 'live');
  charts.setSource(replaying ? 'the replay' : 'live data');
}

function onFrame(frame: ServerFrame): void {
  switch (frame.type) {
    case 'history':
      liveRing.clear();
      for (const s of frame.snapshots) liveRing.push(s);
      liveRun = frame.run;
      if (mode === 'live') charts.reset(liveRing.items());
      showHeader();
      break;
    case 'snapshot': {
      const s = frame.snapshot;
      if (liveRun !== null && s.runId !== liveRun.id) {
        // A new run started on the server: start the live view over.
        liveRing.clear();
        liveRun = { ...liveRun, id: s.runId, label: '', start: s.time - s.elapsedS * 1000, end: null, status: 'running', ticks: 0 };
        if (mode === 'live') charts.reset([]);
        showHeader();
      }
      liveRing.push(s);
      if (mode === 'live') charts.append(s);
      break;
    }
    case 'countdown':
      countdown.apply(frame);
      break;
  }
}

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${paths.ws}`;

// ---- replay ----
const picker = byId<HTMLSelectElement>('replay-run');
const playBtn = byId<HTMLButtonElement>('replay-play');
const seek = byId<HTMLInputElement>('replay-seek');
const liveBtn = byId<HTMLButtonElement>('replay-live');
const speedSel = byId<HTMLSelectElement>('replay-speed');

const replay = new Replay({
  onReset: (snaps) => charts.reset(snaps),
  onTick: (s) => charts.append(s),
  onState: showReplay,
});

function showReplay(st: ReplayState): void {
  const active = st.runId !== null;
  playBtn.disabled = !active;
  seek.disabled = !active;
  liveBtn.disabled = !active;
  setText(playBtn, st.playing ? 'Pause' : 'Play');
  if (document.activeElement !== seek) seek.value = String(st.durationMs > 0 ? Math.round((st.positionMs / st.durationMs) * 1000) : 0);
  // A long run is replayed thinned (whole, every n-th tick): said, so no one reads it as every tick.
  const thin = st.every > 1 ? ` · every ${ordinal(st.every)} of ${st.runTicks.toLocaleString('en-US')} ticks` : '';
  setText(byId('replay-pos'), active ? `${formatMinSec(st.positionMs / 1000)} / ${formatMinSec(st.durationMs / 1000)}${st.ended ? ' (end)' : ''}${thin}` : '');
}

/** 2nd, 3rd, 11th, 21st: how the replay's position line names its stride. */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

function backToLive(): void {
  replay.stop();
  showCsvError('');
  mode = 'live';
  picker.value = '';
  charts.reset(liveRing.items());
  showReplay(replay.state());
  showHeader();
}

picker.addEventListener('focus', () => void refreshRunPicker(picker).catch(report));
picker.addEventListener('change', () => {
  const id = picker.value;
  if (id === '') return backToLive();
  mode = 'replay';
  replay.load(id).then(() => {
    showHeader();
    replay.setSpeed(Number(speedSel.value));
  }, report);
});
// ---- replay of a CSV file opened in the page (never uploaded) ----
const csvError = byId('csv-error');
function showCsvError(msg: string): void {
  setText(csvError, msg);
  csvError.hidden = msg === '';
}
wireCsvOpen({
  button: byId<HTMLButtonElement>('csv-open'),
  input: byId<HTMLInputElement>('csv-file'),
  dropZone: document,
  onRun: ({ run, snapshots }) => {
    showCsvError('');
    const last = snapshots[snapshots.length - 1];
    mode = 'replay';
    picker.value = '';
    replay.loadSnapshots({ id: run.id, label: run.label, start: run.start, end: last?.time ?? null, status: 'imported', ticks: snapshots.length }, snapshots);
    replay.setSpeed(Number(speedSel.value));
    showHeader();
  },
  onError: (msg) => {
    errors.push(msg);
    showCsvError(`not replayed: ${msg}`);
  },
});

playBtn.addEventListener('click', () => (replay.state().playing ? replay.pause() : replay.play()));
speedSel.addEventListener('change', () => replay.setSpeed(Number(speedSel.value)));
seek.addEventListener('input', () => replay.seek(Number(seek.value) / 1000));
liveBtn.addEventListener('click', backToLive);

// ---- baseline: a stored run in grey under the shown one, live or replaying ----
wireBaselinePicker(byId<HTMLSelectElement>('baseline-run'), byId('baseline-note'), baseline, (err) => {
  errors.push(err instanceof Error ? err.message : String(err));
});

// ---- zoom, downloads ----
byId('reset-zoom').addEventListener('click', () => charts.resetZoom());
const shownRunId = () => (mode === 'replay' ? replay.run?.id : liveRun?.id) ?? null;
function csv(kind: 'rooms' | 'totals', ranged: boolean): void {
  const id = shownRunId();
  // A replayed file is not in the server's store: its CSV is the file itself.
  if (id === null || (mode === 'replay' && replay.source === 'file')) return;
  const range = ranged ? charts.visibleRange() ?? undefined : undefined;
  download(csvUrl(id, kind, range), `${kind}.csv`);
}
byId('csv-rooms').addEventListener('click', () => csv('rooms', false));
byId('csv-totals').addEventListener('click', () => csv('totals', false));
byId('csv-range').addEventListener('click', () => csv('rooms', true));
for (const btn of document.querySelectorAll<HTMLButtonElement>('button[data-png]')) {
  const name = btn.dataset.png as keyof ChartSet['charts'];
  btn.addEventListener('click', () => downloadPng(charts.charts[name], `chatpulse-${name}.png`));
}

function report(err: unknown): void {
  const msg = err instanceof Error ? err.message : String(err);
  errors.push(msg);
  setText(byId('replay-pos'), `error: ${msg}`);
}

void refreshRunPicker(picker).catch(report);
const socket = new LiveSocket({ url: wsUrl, onFrame, onStatus: showStatus });
installHooks({ charts, baseline, countdown, replay, socket, liveRing, mode: () => mode, runId: shownRunId, errors, csvUrl: (kind, ranged) => {
  const id = shownRunId();
  if (id === null || (mode === 'replay' && replay.source === 'file')) return null;
  return csvUrl(id, kind, ranged ? charts.visibleRange() ?? undefined : undefined);
} });
