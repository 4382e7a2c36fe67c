/**
 * The script and style inlined in `report.html`. Plain browser JavaScript run after Chart.js's UMD
 * build: it reads the `#report-data` JSON and builds the page with `textContent` only.
 */
import { SPECTRUM_AXIS_SCRIPT } from './html-inline.js';

export const REPORT_PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .4em 0; }
th, td { padding: .2em .7em; border-bottom: 1px solid #ddd; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.chart { position: relative; height: 320px; }
.fail { color: #b00; font-weight: bold; } .ok { color: #070; }
#stopped, .warn { color: #b00; }
`;

export const REPORT_PAGE_SCRIPT = `
(function () {
  'use strict';
${SPECTRUM_AXIS_SCRIPT}  var data = JSON.parse(document.getElementById('report-data').textContent);
  var s = data.summary, m = s.messages, c = s.config;
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function rows(id, list) {
    var t = document.getElementById(id);
    list.forEach(function (r) {
      var tr = el('tr');
      r.forEach(function (cell, i) {
        var td = el(i === 0 ? 'th' : 'td', cell.v !== undefined ? cell.v : cell, cell.cls);
        if (cell.id) td.id = cell.id;
        tr.appendChild(td);
      });
      t.appendChild(tr);
    });
  }
  function n(v, id) { return { v: v, cls: 'n', id: id }; }

  document.getElementById('label').textContent = '— ' + c.label;
  document.title = 'chatpulse loadgen — ' + c.label;
  document.getElementById('headline').textContent = s.protocol + ', ' + s.target + ', ' + s.clients.planned + ' clients, ' + s.durationS + ' s, started ' + s.startedAt;
  if (s.stoppedEarly) {
    var st = document.getElementById('stopped');
    st.hidden = false;
    st.textContent = 'Stopped early after ' + s.durationS + ' s of ' + s.plannedS + ' s: the figures cover only that part.';
  }

  rows('config', [
    ['label', c.label],
    ['targets', s.targets.join(', ')],
    ['protocol', s.protocol],
    ['clients', s.clients.planned + ' planned, peak ' + s.clients.peak + ', connects ' + s.clients.connects + ', reconnects ' + s.clients.reconnects],
    ['rooms', c.rooms],
    ['rate', data.text.rate],
    ['duration', s.durationS + ' s (planned ' + s.plannedS + ' s)'],
    ['seed', c.seed],
    ['loss timeout', c.lossTimeout + ' ms'],
    ['workers', c.workers],
  ]);

  rows('delivery', [
    ['sent', n(m.sent, 'fig-sent')], ['of them PM', n(m.pm)], ['received', n(m.received, 'fig-received')],
    ['expected', n(m.expected, 'fig-expected')], ['lost', n(m.lost, 'fig-lost')], ['loss %', n(m.expected > 0 ? m.lossPercent : '–', 'fig-loss-percent')],
    ['late', n(m.late, 'fig-late')], ['duplicated', n(m.duplicated, 'fig-duplicated')], ['reordered', n(m.reordered, 'fig-reordered')],
    ['unexpected', n(m.unexpected, 'fig-unexpected')], ['ambiguous', n(m.ambiguous, 'fig-ambiguous')],
    ['unsent (due, never written)', n(m.unsent, 'fig-unsent')],
    ['sent/s (' + data.text.rateWindow + ')', n(s.rates.sentPerS)], ['received/s (' + data.text.rateWindow + ')', n(s.rates.receivedPerS)],
  ]);

  if (s.thresholds.length > 0) {
    document.getElementById('thresholds-section').hidden = false;
    rows('thresholds', s.thresholds.map(function (t) {
      return [t.expr, { v: t.ok ? 'ok' : 'FAIL', cls: t.ok ? 'ok' : 'fail' }, n((t.value === null ? 'nothing measured' : t.value + (t.unit === 'count' ? '' : ' ' + t.unit)) + (t.note ? ' — ' + t.note : '')), t.window === 'run' ? 'whole run' : 'worst ' + t.window + ' window'];
    }));
  }

  function pct(name, p, key) {
    var f = function (v, k) { return n(p.count ? v : '-', key ? 'fig-' + key + '-' + k : undefined); };
    return [name, f(p.p50, 'p50'), f(p.p90, 'p90'), f(p.p99, 'p99'), f(p.p999, 'p999'), f(p.max, 'max'), n(p.count)];
  }
  rows('latency', [
    ['latency ms', 'p50', 'p90', 'p99', 'p99.9', 'max', 'count'],
    pct('corrected', s.latency.corrected, 'corrected'), pct('uncorrected', s.latency.uncorrected, 'uncorrected'),
    pct('/join', s.commands.join), pct('/users', s.commands.users), pct('/pm', s.commands.pm),
    pct('connect', s.connect.connectMs), pct('first line', s.connect.firstLineMs),
  ]);

  var errs = Object.keys(s.errors);
  rows('errors', errs.length ? errs.map(function (k) { return [k, n(s.errors[k])]; }) : [['none', n(0)]]);

  var health = document.getElementById('health');
  health.textContent = s.health.note;
  if (!s.health.trustworthy) health.className = 'warn';
  // Busy in the median tick: the steady state (the mean counts the ramp). A summary from before it has none.
  rows('workers', [['worker', 'busy mean %', 'busy median %', 'busy max %', 'lag p99 median ms', 'lag p99 max ms', 'saturated ticks']].concat(
    s.health.workers.map(function (w) {
      return [String(w.worker), n(Math.round(w.eluMean * 1000) / 10), w.eluMedian === undefined ? '' : n(Math.round(w.eluMedian * 1000) / 10), n(Math.round(w.eluMax * 1000) / 10), n(w.lagP99MedianMs), n(w.lagP99MaxMs), n(w.saturatedTicks)];
    })));

  Chart.defaults.animation = false;
  var common = { responsive: true, maintainAspectRatio: false, parsing: false, normalized: true };
  function line(label, points, color, dash) {
    return { label: label, data: points, borderColor: color, backgroundColor: color, borderDash: dash || [], pointRadius: 0, borderWidth: 2, spanGaps: false };
  }
  var tickXY = function (k) { return data.ticks.map(function (t) { return { x: t.t, y: t[k] }; }); };

  new Chart(document.getElementById('latency-chart'), {
    type: 'line',
    data: { datasets: [
      line('p50 corrected', tickXY('p50'), '#1f77b4'), line('p99 corrected', tickXY('p99'), '#d62728'),
      line('p50 uncorrected', tickXY('p50u'), '#1f77b4', [5, 4]), line('p99 uncorrected', tickXY('p99u'), '#d62728', [5, 4]),
    ] },
    options: Object.assign({}, common, { scales: {
      x: { type: 'linear', title: { display: true, text: 'seconds since start' } },
      y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'latency ms' } },
    } }),
  });

  var spectrumXY = function (pts) { return pts.map(function (p) { return { x: p.x, y: p.ms }; }); };
  new Chart(document.getElementById('spectrum-chart'), {
    type: 'line',
    data: { datasets: [
      line('corrected', spectrumXY(data.spectrum.corrected), '#d62728'),
      line('uncorrected', spectrumXY(data.spectrum.uncorrected), '#1f77b4', [5, 4]),
    ] },
    options: Object.assign({}, common, {
      scales: {
        x: spectrumXScale(),
        y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'latency ms' } },
      },
      plugins: { tooltip: spectrumTooltip },
    }),
  });

  new Chart(document.getElementById('throughput-chart'), {
    type: 'line',
    data: { datasets: [
      line('sent per tick', tickXY('sent'), '#2ca02c'), line('received per tick', tickXY('received'), '#9467bd'),
      line('clients', tickXY('clients'), '#7f7f7f', [2, 3]),
    ] },
    options: Object.assign({}, common, { scales: {
      x: { type: 'linear', title: { display: true, text: 'seconds since start' } },
      y: { type: 'linear', beginAtZero: true },
    } }),
  });
  document.body.dataset.ready = 'true';
})();
`;
