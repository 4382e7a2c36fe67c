/**
 * `report.html` and the run-vs-baseline diff page: a static page with the run's data inline (the
 * `#report-data` JSON written by report/), drawn with the dashboard's own charts (same zoom, same
 * lines) plus the latency percentile spectrum and the tables. No request leaves it; all user text
 * goes in as text.
 */
import type { Percentiles } from '../../protocol/loadgen-report.js';
import type { RunDiffData, RunReportData } from '../../protocol/run-report.js';
import { BaselineOverlay } from './baseline-overlay.js';
import { ChartSet } from './chart-set.js';
import { byId, setText } from './dom.js';
import { configText, fig, fillTable, num, type Cell } from './report-tables.js';
import { createSpectrumChart, type SpectrumChart, type SpectrumLine } from './spectrum-chart.js';

const data = JSON.parse(byId('report-data').textContent ?? '') as RunReportData | RunDiffData;
const run: RunReportData = data.kind === 'diff' ? data.run : data;
const baseline: RunReportData | null = data.kind === 'diff' ? data.baseline : null;
const runName = (r: RunReportData) => (r.run.label.trim() === '' ? r.run.id : `${r.run.label} (${r.run.id})`);

const table = (id: string) => byId<HTMLTableElement>(id);
const show = (id: string, on = true) => { byId(id).hidden = !on; };

// ---- header ----
setText(byId('title'), data.kind === 'diff' ? 'chatpulse run vs baseline' : 'chatpulse run report');
setText(byId('run-label'), runName(run));
document.title = `${data.kind === 'diff' ? 'chatpulse diff' : 'chatpulse report'} — ${runName(run)}`;
const when = (r: RunReportData) => `${new Date(r.run.start).toISOString()} → ${r.run.end === null ? '…' : new Date(r.run.end).toISOString()}`;
// The run's span (from the store) and its ticks' (from when the ticks began — a demo's when its load did — to the last).
const ticksSpan = (t: RunReportData['server']) => (t.lastTime === null ? '' : `, ticks ${new Date(t.lastTime - t.durationS * 1000).toISOString()} → ${new Date(t.lastTime).toISOString()}`);
setText(byId('headline'), `${run.run.status}, ${num(run.server.durationS)} s of ticks (run ${when(run)}${ticksSpan(run.server)})${run.ending ? ` — ${run.ending}` : ''}`);
if (baseline) setText(byId('baseline-line'), `baseline: ${runName(baseline)}, ${baseline.run.status}, ${num(baseline.server.durationS)} s (${when(baseline)})`);
const verdict = data.verdict;
const verdictEl = byId('verdict');
setText(verdictEl, verdict === 'none' ? '' : `thresholds: ${verdict}`);
verdictEl.className = verdict === 'fail' || verdict === 'not evaluated' ? 'fail' : 'ok';
if (run.thinnedFrom !== null) setText(byId('thinned'), `The charts draw ${run.snapshots.length} of the run's ${run.thinnedFrom} ticks (evenly spaced); every table counts them all.`);

// ---- diff ----
if (data.kind === 'diff') {
  show('diff-section');
  fillTable(table('diff'), data.figures.map((f) => {
    const worse = f.delta !== null && f.delta !== 0 && (f.delta > 0) === (f.better === 'lower');
    const cls = f.delta === null || f.delta === 0 || f.better === 'neither' ? 'n' : worse ? 'n worse' : 'n better';
    const sign = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${num(v)}`);
    return [f.label, fig(f.run, `diff-${f.key}-run`, f.unit === '/s' || f.unit === '' ? '' : ` ${f.unit}`), fig(f.baseline, `diff-${f.key}-baseline`),
      { text: sign(f.delta), value: f.delta, cls, id: `diff-${f.key}-delta` }, { text: f.percent === null ? '—' : `${sign(f.percent)}%`, value: f.percent, cls }];
  }), ['figure', 'run', 'baseline', 'change', 'change %']);
  if (data.thresholds.length > 0) {
    show('diff-thresholds-section');
    fillTable(table('diff-thresholds'), data.thresholds.map((t) => [
      t.expr, { text: t.ok === null ? 'not evaluated' : t.ok ? 'ok' : 'FAIL', cls: t.ok ? 'ok' : 'fail' },
      t.value === null ? '—' : `${num(t.value)}${t.unit === '%' ? '%' : t.unit ? ` ${t.unit}` : ''}`, t.note,
    ]), ['threshold', 'verdict', 'value', 'note']);
  }
}

// ---- configuration, server totals ----
fillTable(table('config'), [['run', run.run.id], ['label', run.run.label], ['status', run.run.status], ['ticks', run.run.ticks],
  ...Object.entries(run.run.config).map(([k, v]): Cell[] => [k, configText(v)])]);
const t = run.server;
/** What the CSV files of an imported run do not hold (and no summary.json said): unknown, not 0 or none. */
const NOT_IN_CSV = '— (not in the CSV files)';
fillTable(table('server'), [
  ['room messages', fig(t.messages, 'fig-server-messages')],
  ['private messages', t.notInCsv ? { text: NOT_IN_CSV, value: null, id: 'fig-server-pms' } : fig(t.privateMessages, 'fig-server-pms')],
  ['deliveries (fan-out lines)', fig(t.deliveries, 'fig-server-deliveries')], ['joins / leaves', `${num(t.joins)} / ${num(t.leaves)}`],
  ['MPS mean over the run', fig(t.mpsMean, 'fig-server-mps-mean')], ['MPS mean while active', fig(t.mpsMeanActive, 'fig-server-mps-active')],
  ['active seconds', fig(t.activeS)], ['MPS peak', fig(t.mpsPeak, 'fig-server-mps-peak')],
  ['peak connections / members', `${num(t.peakConnections)} / ${num(t.peakMembers)}`],
  ['bytes in / out', `${num(t.bytesIn)} / ${num(t.bytesOut)}`], ['errors', fig(t.errors, 'fig-server-errors')],
  ['errors by reason', t.notInCsv ? NOT_IN_CSV : reasons(t.errorsByReason)], ['disconnects by reason', t.notInCsv ? NOT_IN_CSV : reasons(t.disconnectsByReason)],
]);
function reasons(r: Record<string, number>): string {
  const e = Object.entries(r);
  return e.length === 0 ? 'none' : e.map(([k, v]) => `${k} ${num(v)}`).join(', ');
}

// ---- delivery accounting, thresholds, health ----
const lg = run.loadgen;
if (lg === null) {
  setText(byId('delivery-note'), 'No load generator reported to this server during the run: nothing to account for.');
} else {
  const m = lg.messages;
  setText(byId('delivery-note'), lg.source === 'summary' ? "From the load generator's own summary (every delivery settled)."
    : lg.source === 'tick-columns' ? "From the loadgen_sent, loadgen_received and loadgen_lost columns of the run's totals.csv, summed over its ticks (an imported run without a summary.json): expected is received + lost; what the columns do not hold is blank."
    : 'From the last report each load generator sent to the dashboard: counts as of then, loss not settled.');
  fillTable(table('delivery'), [
    ['sent', fig(m.sent, 'fig-sent')], ['of them PM', fig(m.pm, 'fig-pm')], ['received', fig(m.received, 'fig-received')],
    ['expected', fig(m.expected, 'fig-expected')], ['lost', fig(m.lost, 'fig-lost')], ['loss %', fig(m.lossPercent, 'fig-loss-percent')],
    ['late', fig(m.late, 'fig-late')], ['duplicated', fig(m.duplicated, 'fig-duplicated')], ['reordered', fig(m.reordered, 'fig-reordered')],
    ['unexpected', fig(m.unexpected, 'fig-unexpected')], ['ambiguous', fig(m.ambiguous, 'fig-ambiguous')],
    ['clients', lg.clients.peak === null ? '—' : `${lg.clients.planned === null ? '' : `${num(lg.clients.planned)} planned, `}peak ${num(lg.clients.peak)}${lg.clients.connects === null ? '' : `, connects ${num(lg.clients.connects)}, reconnects ${num(lg.clients.reconnects)}`}`],
    ['errors', lg.source === 'tick-columns' ? NOT_IN_CSV : Object.keys(lg.errors).length === 0 ? 'none' : reasons(lg.errors)],
  ]);
  const h = byId('health');
  setText(h, lg.health === null ? 'unknown (no summary)' : lg.health.note);
  h.className = lg.health?.trustworthy === false ? 'fail' : '';
}
if (run.thresholds.length > 0) {
  show('thresholds-section');
  fillTable(table('thresholds'), run.thresholds.map((th) => [
    th.expr, { text: th.ok === null ? 'not evaluated' : th.ok ? 'ok' : 'FAIL', cls: th.ok ? 'ok' : 'fail' },
    th.value === null ? '—' : `${num(th.value)}${th.unit === 'count' ? '' : ` ${th.unit}`}`, th.window === 'run' ? 'whole run' : th.window ? `worst ${th.window} window` : '',
  ]), ['threshold', 'verdict', 'value', 'window']);
}

// ---- whole-run latency ----
function pct(name: string, p: Percentiles | undefined, key: string): Cell[] {
  const c = (v: number | undefined, k: string) => fig(p && p.count > 0 ? v : null, `fig-${key}-${k}`);
  return [name, c(p?.p50, 'p50'), c(p?.p90, 'p90'), c(p?.p99, 'p99'), c(p?.p999, 'p999'), c(p?.max, 'max'), fig(p?.count ?? null, `fig-${key}-count`)];
}
const lat = run.latency;
// Generators reported, but the run's merged histograms are written only when it closes: a killed one has none.
const noHistograms = run.loadgen === null ? 'no load generator reported to it'
  : run.run.status === 'running' ? "the run has not closed yet, and its merged histograms are saved when it does — each tick's latency is on the chart below"
  : run.run.status === 'aborted' ? "the run was aborted (its process killed), and merged histograms are saved only when a run closes — each tick's latency is on the chart below"
  : 'none were saved for this run';
setText(byId('latency-note'), lat === null ? `No whole-run delivery latency: ${noHistograms}.`
  : lat.source === 'loadgen-summary' ? "Whole run, from the load generator's own histograms; corrected for coordinated omission (the honest figure) and uncorrected."
  : lat.source === 'server-summary' ? "Whole run, as the server's summary.json gave it (the histograms every load generator sent the dashboard, merged; an imported run keeps no histograms of its own); corrected and uncorrected."
  : "Whole run, from the histograms every load generator sent the dashboard, merged; corrected and uncorrected.");
fillTable(table('latency'), [
  pct('corrected', lat?.corrected, 'corrected'), pct('uncorrected', lat?.uncorrected, 'uncorrected'),
  ...(baseline ? [pct('baseline corrected', baseline.latency?.corrected, 'baseline-corrected')] : []),
], ['latency ms', 'p50', 'p90', 'p99', 'p99.9', 'max', 'count']);
const lines: SpectrumLine[] = [];
if (run.spectrum) lines.push({ label: baseline ? 'run, corrected' : 'corrected', points: run.spectrum.corrected, color: '#dc2626' },
  { label: baseline ? 'run, uncorrected' : 'uncorrected', points: run.spectrum.uncorrected, color: '#dc2626', dash: [5, 4] });
if (baseline?.spectrum) lines.push({ label: 'baseline, corrected', points: baseline.spectrum.corrected, color: '#6b7280' },
  { label: 'baseline, uncorrected', points: baseline.spectrum.uncorrected, color: '#6b7280', dash: [5, 4] });
let spectrum: SpectrumChart | null = null;
if (lines.length > 0) spectrum = createSpectrumChart(byId<HTMLCanvasElement>('chart-spectrum'), lines);
else setText(byId('spectrum-note'), run.run.status === 'imported'
  ? 'No spectrum: an imported run keeps no latency histograms (they are not in the CSV files).'
  : `No spectrum: the store holds no latency histograms for this run (${noHistograms}).`);

// ---- per-room table ----
fillTable(table('rooms'), t.rooms.map((r) => [r.room, fig(r.messages), fig(r.mpsMean), fig(r.mpsPeak), fig(r.joins), fig(r.leaves), fig(r.peakMembers)]),
  ['room', 'messages', 'MPS mean', 'MPS peak', 'joins', 'leaves', 'peak members']);

// ---- charts over time: the dashboard's own ----
const charts = new ChartSet();
charts.setSource('the whole run');
charts.reset(run.snapshots);
// Uncorrected p50/p99 beside the corrected ones, dashed: a corrected p99 far above its twin is the schedule slipping.
const uncorrected = (k: 'p50UncorrectedMs' | 'p99UncorrectedMs') => run.snapshots.flatMap((s) => {
  const v = s.totals.loadgen?.[k];
  return v === undefined ? [] : [{ x: s.time, y: v }];
});
charts.latency.chart.data.datasets.push(
  { label: 'p50 uncorrected', data: uncorrected('p50UncorrectedMs'), borderColor: '#2563eb', borderDash: [5, 4] },
  { label: 'p99 uncorrected', data: uncorrected('p99UncorrectedMs'), borderColor: '#dc2626', borderDash: [5, 4] },
);
// The baseline on the MPS and latency charts, aligned on seconds since each run's start.
if (baseline) new BaselineOverlay(charts).set(baseline.snapshots, baseline.run.label.trim() === '' ? baseline.run.id : baseline.run.label);
charts.redraw();
byId('reset-zoom').addEventListener('click', () => charts.resetZoom());

/** For tests and the curious: the Chart.js instances of this page. */
(window as unknown as { __report: unknown }).__report = {
  data,
  chart: (name: 'mps' | 'joins' | 'totals' | 'latency' | 'spectrum') => (name === 'spectrum' ? spectrum : charts.charts[name]),
};
document.body.dataset.ready = 'true';
