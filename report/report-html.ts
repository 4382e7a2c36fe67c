/**
 * The run report page and the diff page: one HTML file each, the page script (the bundle of
 * dashboard/web/report-page.ts, read from dist/web at write time) and the data inline, a CSP that
 * refuses every request — it opens from file:// with the network off and can be attached to a ticket.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inlineJson, inlineScript, PAGE_CSP_META } from '../loadgen/html-inline.js';
import type { RunDiffData, RunReportData } from '../protocol/run-report.js';

/** Where scripts/bundle-web.mjs writes the page's bundle (`npm install` builds it). */
const BUNDLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/report-page.js');

export class ReportBundleMissing extends Error {
  readonly code = 'CHATPULSE_REPORT_BUNDLE';
}

/** The bundled page script, without its source-map comment (the page must not point anywhere). */
export function readReportBundle(file = BUNDLE): string {
  let js: string;
  try {
    js = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ReportBundleMissing(`the report page's script is not built (${file}): run \`npm run build\``);
  }
  return js.replace(/\n\/\/# sourceMappingURL=\S*\s*$/, '\n');
}

const CSS = `
:root { color-scheme: light; --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f6f7f9; --card:#fff; --bad:#b42318; --good:#027a48; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 12px 18px; background: var(--card); border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0 0 4px; }
#run-label { font-weight: 600; white-space: pre-wrap; word-break: break-all; }
.muted, #thinned { color: var(--muted); }
.fail, .worse { color: var(--bad); font-weight: 600; } .ok, .better { color: var(--good); }
#tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; padding: 12px 18px 0; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
.tile .v { font: 600 22px/1.2 ui-monospace, monospace; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; padding: 12px 18px 18px; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px 12px; min-width: 0; }
section.card.wide { grid-column: 1 / -1; }
section.card h2 { font-size: 14px; margin: 2px 0 6px; display: flex; align-items: center; gap: 8px; }
section.card h2 .spacer { flex: 1; }
.chart { position: relative; height: 280px; }
table { border-collapse: collapse; }
th, td { padding: 2px 10px 2px 0; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; word-break: break-word; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
#loadgen-sources, #joins-lobby { font-size: 12px; }
#loadgen-sources li { white-space: pre-wrap; word-break: break-all; }
button { font: inherit; padding: 3px 10px; border: 1px solid #c9ced6; border-radius: 6px; background: #fff; cursor: pointer; }
`;

const BODY = `
<header>
  <h1><span id="title">chatpulse run report</span> — <span id="run-label"></span></h1>
  <div id="headline" class="muted"></div>
  <div id="baseline-line" class="muted"></div>
  <div id="verdict"></div>
  <div id="thinned"></div>
  <div><button id="reset-zoom">Reset zoom</button> <span id="following" class="muted"></span></div>
</header>
<div id="tiles">
  <div class="tile"><div class="muted">messages (last tick total)</div><div class="v" id="t-messages">0</div></div>
  <div class="tile"><div class="muted">MPS (avg, last tick)</div><div class="v" id="t-mps">0</div></div>
  <div class="tile"><div class="muted">members (last tick)</div><div class="v" id="t-members">0</div></div>
  <div class="tile"><div class="muted">connections (last tick)</div><div class="v" id="t-connections">0</div></div>
  <div class="tile"><div class="muted">loadgen p99 (last tick)</div><div class="v" id="t-p99">—</div></div>
</div>
<main>
  <section class="card wide" id="diff-section" hidden><h2>Run against baseline</h2><table id="diff"></table></section>
  <section class="card wide" id="diff-thresholds-section" hidden><h2>Thresholds on the change</h2><table id="diff-thresholds"></table></section>
  <section class="card"><h2>Delivery accounting</h2><p id="delivery-note" class="muted"></p><table id="delivery"></table>
    <h2>Generator health</h2><p id="health"></p></section>
  <section class="card"><h2>Server totals</h2><table id="server"></table></section>
  <section class="card" id="thresholds-section" hidden><h2>Thresholds</h2><table id="thresholds"></table></section>
  <section class="card"><h2>Latency percentile spectrum (whole run)</h2><div class="chart"><canvas id="chart-spectrum"></canvas></div><p id="spectrum-note" class="muted"></p>
    <p id="latency-note" class="muted"></p><table id="latency"></table></section>
  <section class="card"><h2>Messages per second by room <span class="muted">(solid: instant, dashed: moving average)</span></h2><div class="chart"><canvas id="chart-mps"></canvas></div></section>
  <section class="card"><h2>Joins and leaves by room</h2><div class="chart"><canvas id="chart-joins"></canvas></div><p id="joins-lobby" class="muted"></p></section>
  <section class="card"><h2>Members and connections</h2><div class="chart"><canvas id="chart-totals"></canvas></div></section>
  <section class="card"><h2>Delivery latency over time (ms; dashed: uncorrected)<span class="spacer"></span><label class="muted"><input type="checkbox" id="latency-log"> log scale</label></h2><div class="chart"><canvas id="chart-latency"></canvas></div><ul id="loadgen-sources" class="muted"></ul></section>
  <section class="card wide"><h2>Rooms</h2><table id="rooms"></table></section>
  <section class="card wide"><h2>Configuration</h2><table id="config"></table></section>
</main>`;

export function renderRunReportHtml(data: RunReportData | RunDiffData, bundle: string = readReportBundle()): string {
  const title = data.kind === 'diff' ? 'chatpulse run vs baseline' : 'chatpulse run report';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${PAGE_CSP_META}
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${CSS}</style>
</head>
<body>${BODY}
<script type="application/json" id="report-data">${inlineJson(data)}</script>
<script type="module">${inlineScript(bundle)}</script>
</body>
</html>
`;
}
