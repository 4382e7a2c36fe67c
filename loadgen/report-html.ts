/**
 * `report.html`: one file that needs nothing else. Chart.js and the run's data are inlined, a CSP
 * refuses every fetch, and the page script puts all user text (labels, targets, error kinds) into the
 * DOM with `textContent`, never as HTML.
 */
import { inlineJson, inlineScript, PAGE_CSP_META } from './html-inline.js';
import { REPORT_PAGE_CSS, REPORT_PAGE_SCRIPT } from './report-page.js';
import type { SpectrumPoint } from './spectrum.js';
import { rateSetting, rateWindow, type LoadSummary } from './summary.js';

/** One tick of the run, for the latency-over-time chart (latencies in ms; null when the tick had none). */
export interface TickPoint {
  t: number;
  clients: number;
  sent: number;
  received: number;
  saturated: boolean;
  p50: number | null;
  p99: number | null;
  p50u: number | null;
  p99u: number | null;
}

export interface ReportData {
  summary: LoadSummary;
  ticks: TickPoint[];
  spectrum: { corrected: SpectrumPoint[]; uncorrected: SpectrumPoint[] };
}

export function renderReportHtml(data: ReportData, chartJs: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${PAGE_CSP_META}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatpulse loadgen report</title>
<style>${REPORT_PAGE_CSS}</style>
</head>
<body>
<header><h1>chatpulse loadgen report <span id="label"></span></h1><p id="headline"></p><p id="stopped" hidden></p></header>
<section><h2>Configuration</h2><table id="config"></table></section>
<section><h2>Delivery accounting</h2><table id="delivery"></table></section>
<section id="thresholds-section" hidden><h2>Thresholds</h2><table id="thresholds"></table></section>
<section><h2>Latency percentile spectrum (whole run)</h2><div class="chart"><canvas id="spectrum-chart"></canvas></div>
<table id="latency"></table></section>
<section><h2>Latency over time</h2><div class="chart"><canvas id="latency-chart"></canvas></div></section>
<section><h2>Throughput</h2><div class="chart"><canvas id="throughput-chart"></canvas></div></section>
<section><h2>Errors</h2><table id="errors"></table></section>
<section><h2>Generator health</h2><p id="health"></p><table id="workers"></table></section>
<script type="application/json" id="report-data">${inlineJson({ ...data, text: { rate: rateSetting(data.summary.config), rateWindow: rateWindow(data.summary) } })}</script>
<script>${inlineScript(chartJs)}</script>
<script>${inlineScript(REPORT_PAGE_SCRIPT)}</script>
</body>
</html>
`;
}
