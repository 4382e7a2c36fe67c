/**
 * `compare.html`: the comparison as one page that needs nothing else, made like the loadgen's
 * `report.html` — Chart.js and the data inlined, a CSP refusing every fetch, all user text (target
 * names, URLs, reasons) put into the DOM with `textContent`. The table, the left-out note, and every
 * run's corrected latency percentile spectrum overlaid on one log axis.
 */
import { inlineJson, inlineScript, PAGE_CSP_META } from '../loadgen/index.js';
import { COMPARE_PAGE_CSS, COMPARE_PAGE_SCRIPT } from './compare-page.js';
import { ACTION_NAMES, type CompareResult } from './run-compare.js';

/** What the page script reads: the result less the configuration, with the left-out actions named. */
export function compareHtmlData(r: CompareResult) {
  return {
    startedAt: r.startedAt,
    stoppedEarly: r.stoppedEarly,
    repeat: r.config.repeat,
    /** Each run's planned length (a row's own `durationS` is what ran: 0 for one that could not). */
    durationS: r.config.load.duration !== undefined ? r.config.load.duration / 1000 : (r.rows[0]?.durationS ?? 0),
    targets: r.targets,
    rows: r.rows,
    spectra: r.spectra,
    leftOut: r.leftOut.map((l) => ({ action: ACTION_NAMES[l.action] ?? l.action, asked: l.asked, because: l.because })),
  };
}

export function renderCompareHtml(r: CompareResult, chartJs: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${PAGE_CSP_META}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatpulse compare</title>
<style>${COMPARE_PAGE_CSS}</style>
</head>
<body>
<header><h1>chatpulse compare <span id="started"></span></h1><p id="headline"></p><p id="stopped" hidden></p></header>
<section id="left-out" hidden><h2>Left out for every target</h2><p>One schedule for all; a protocol here cannot express these:</p><ul id="left-out-list"></ul></section>
<section><h2>Results</h2><p>Latencies in ms; corrected = from the intended send time.</p><table id="compare-table"></table></section>
<section><h2>Latency percentile spectrum (corrected, whole run, every run)</h2><div class="chart"><canvas id="spectrum-chart"></canvas></div></section>
<section><h2>Targets</h2><table id="targets"></table></section>
<script type="application/json" id="compare-data">${inlineJson(compareHtmlData(r))}</script>
<script>${inlineScript(chartJs)}</script>
<script>${inlineScript(COMPARE_PAGE_SCRIPT)}</script>
</body>
</html>
`;
}
