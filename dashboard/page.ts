import express from 'express';

/**
 * `GET /`: the dashboard shell. Static markup only — every user-supplied string (room names, run labels,
 * loadgen sources) is put in by the bundle with `textContent`. The CSP that keeps the page on this
 * origin is the one every response gets (security-headers.ts).
 */
export function dashboardPage(): express.Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(HTML);
  });
  return router;
}

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatpulse dashboard</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light; --fg:#1d2330; --muted:#667085; --line:#e4e7ec; --bg:#f6f7f9; --card:#fff; --accent:#2563eb; --bad:#b42318; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px 20px; padding: 10px 18px; background: var(--card); border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0; }
  #run-label { font-weight: 600; white-space: pre-wrap; word-break: break-all; }
  .muted { color: var(--muted); }
  #status { padding: 2px 8px; border-radius: 10px; background: #ecfdf3; color: #027a48; }
  #status.down { background: #fef3f2; color: var(--bad); }
  #status.replay { background: #eff4ff; color: #3538cd; }
  #countdown { font: 600 20px/1 ui-monospace, monospace; padding: 4px 10px; border-radius: 6px; background: #fff7e6; }
  #countdown[hidden] { display: none; }
  .spacer { flex: 1; }
  .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 8px 18px; border-bottom: 1px solid var(--line); background: #fbfbfc; }
  button, select { font: inherit; padding: 3px 10px; border: 1px solid #c9ced6; border-radius: 6px; background: #fff; cursor: pointer; }
  button:disabled { opacity: .5; cursor: default; }
  #replay-seek { width: 220px; }
  #replay-run, #baseline-run { max-width: 320px; }
  #tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; padding: 12px 18px 0; }
  .tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
  .tile .v { font: 600 22px/1.2 ui-monospace, monospace; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; padding: 12px 18px 18px; }
  section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px 12px; min-width: 0; }
  section.card h2 { font-size: 14px; margin: 2px 0 6px; display: flex; align-items: center; gap: 8px; }
  section.card h2 .spacer { flex: 1; }
  .chart { position: relative; height: 280px; }
  #loadgen-sources, #joins-lobby { font-size: 12px; }
  #joins-lobby { margin: 6px 0 0; }
  #loadgen-sources li { white-space: pre-wrap; word-break: break-all; }
  #csv-error { color: var(--bad); }
  a { color: var(--accent); }
</style>
</head>
<body>
<header>
  <h1>chatpulse</h1>
  <span>run: <span id="run-label" class="muted">—</span></span>
  <span id="status" class="down">connecting…</span>
  <span id="countdown" hidden></span>
  <span id="countdown-label" class="muted"></span>
  <span class="spacer"></span>
  <a href="/chat" target="_blank" rel="noopener">open chat</a>
  <a href="/metrics" target="_blank" rel="noopener">/metrics</a>
</header>
<div class="bar">
  <span id="mode" class="muted">live</span>
  <button id="reset-zoom" title="back to live following">Reset</button>
  <span id="following" class="muted"></span>
  <span class="spacer"></span>
  <button id="csv-rooms">rooms.csv (run)</button>
  <button id="csv-totals">totals.csv (run)</button>
  <button id="csv-range">rooms.csv (visible range)</button>
</div>
<div class="bar">
  <label>replay <select id="replay-run"><option value="">— pick a run —</option></select></label>
  <button id="replay-play" disabled>Play</button>
  <label>speed <select id="replay-speed">
    <option value="1">1×</option><option value="2">2×</option><option value="5">5×</option>
    <option value="10" selected>10×</option><option value="30">30×</option><option value="60">60×</option>
  </select></label>
  <input id="replay-seek" type="range" min="0" max="1000" value="0" step="1" disabled>
  <span id="replay-pos" class="muted"></span>
  <button id="replay-live" disabled>Back to live</button>
  <button id="csv-open" title="replay a run's rooms.csv and/or totals.csv from this computer (or drop them on the page); read here, never uploaded">open CSV…</button>
  <input id="csv-file" type="file" accept=".csv,text/csv" multiple hidden>
  <span id="csv-error" hidden></span>
  <span class="spacer"></span>
  <label title="a stored run drawn in grey under the MPS and latency charts, aligned on its start">baseline <select id="baseline-run"><option value="">none</option></select></label>
  <span id="baseline-note" class="muted"></span>
</div>
<div id="tiles">
  <div class="tile"><div class="muted">messages</div><div class="v" id="t-messages">0</div></div>
  <div class="tile"><div class="muted">MPS (avg)</div><div class="v" id="t-mps">0</div></div>
  <div class="tile"><div class="muted">members</div><div class="v" id="t-members">0</div></div>
  <div class="tile"><div class="muted">connections</div><div class="v" id="t-connections">0</div></div>
  <div class="tile"><div class="muted">loadgen p99 (corrected)</div><div class="v" id="t-p99">—</div></div>
</div>
<main>
  <section class="card"><h2>Messages per second by room <span class="muted">(solid: instant, dashed: moving average)</span><span class="spacer"></span><button data-png="mps">PNG</button></h2><div class="chart"><canvas id="chart-mps"></canvas></div></section>
  <section class="card"><h2>Joins and leaves by room<span class="spacer"></span><button data-png="joins">PNG</button></h2><div class="chart"><canvas id="chart-joins"></canvas></div><p id="joins-lobby" class="muted"></p></section>
  <section class="card"><h2>Totals<span class="spacer"></span><button data-png="totals">PNG</button></h2><div class="chart"><canvas id="chart-totals"></canvas></div></section>
  <section class="card"><h2>Loadgen delivery latency, corrected (ms)<span class="spacer"></span><label class="muted"><input type="checkbox" id="latency-log"> log scale</label><button data-png="latency">PNG</button></h2><div class="chart"><canvas id="chart-latency"></canvas></div><ul id="loadgen-sources" class="muted"></ul></section>
</main>
<script type="module" src="/assets/dashboard.js"></script>
</body>
</html>
`;
