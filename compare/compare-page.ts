/**
 * The script and style inlined in `compare.html`. Plain browser JavaScript run after Chart.js's UMD
 * build: it reads the `#compare-data` JSON and builds the page with `textContent` only.
 */
import { REPORT_PAGE_CSS, SPECTRUM_AXIS_SCRIPT } from '../loadgen/index.js';

export const COMPARE_PAGE_CSS = `${REPORT_PAGE_CSS}
body { max-width: 1400px; }
#compare-table th, #compare-table td { white-space: nowrap; }
.chart { height: 420px; }
`;

/** The table's columns: heading and row key (cells get ids `r<row>-<key>`). */
const COLUMNS: [string, string][] = [
  ['target', 'target'], ['protocol', 'protocol'], ['repeat', 'repeat'], ['deliveries/s', 'deliveriesPerS'], ['sent', 'sent'], ['unsent', 'unsent'],
  ['received', 'received'], ['expected', 'expected'], ['lost', 'lost'], ['unexpected', 'unexpected'], ['ambiguous', 'ambiguous'],
  ['p50', 'p50Ms'], ['p99', 'p99Ms'], ['p99.9', 'p999Ms'], ['p50 unc.', 'p50UncorrectedMs'], ['p99 unc.', 'p99UncorrectedMs'],
  ['p99.9 unc.', 'p999UncorrectedMs'], ['run', 'status'], ['thresholds', 'verdict'],
];

export const COMPARE_PAGE_SCRIPT = `
(function () {
  'use strict';
${SPECTRUM_AXIS_SCRIPT}
  var COLUMNS = ${JSON.stringify(COLUMNS)};
  var PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  var data = JSON.parse(document.getElementById('compare-data').textContent);
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  document.getElementById('started').textContent = '— ' + data.startedAt;
  var first = data.rows[0];
  document.getElementById('headline').textContent = 'Same seeded load against each target' +
    (data.repeat > 1 ? ', ' + data.repeat + ' repeats in alternating order' : '') +
    (first ? ': ' + first.clients + ' clients, ' + first.rate + (first.rate === 1 ? ' action' : ' actions') + '/s each, ' + data.durationS + ' s per run.' : '.');
  if (data.stoppedEarly) {
    var st = document.getElementById('stopped');
    st.hidden = false;
    st.className = 'warn';
    st.textContent = 'Stopped early: the last run covers only the part that ran, and the runs after it did not happen.';
  }

  if (data.leftOut.length > 0) {
    document.getElementById('left-out').hidden = false;
    var ul = document.getElementById('left-out-list');
    data.leftOut.forEach(function (l) {
      ul.appendChild(el('li', l.action + ', asked ' + l.asked + ': ' + l.because.map(function (b) { return b.target + ' — ' + b.why; }).join('; ')));
    });
  }

  var table = document.getElementById('compare-table');
  var head = el('tr');
  COLUMNS.forEach(function (c) { head.appendChild(el('th', c[0])); });
  table.appendChild(head);
  data.rows.forEach(function (r, i) {
    // The --threshold verdicts in one cell: 'held', or the failed ones; empty when none was asked.
    var failed = r.thresholds.filter(function (t) { return !t.ok; });
    r.verdict = r.thresholds.length === 0 ? '' : failed.length === 0 ? 'held' : 'FAIL ' + failed.map(function (t) { return t.expr; }).join(', ');
    var tr = el('tr');
    COLUMNS.forEach(function (c, j) {
      var v = r[c[1]];
      // null: not measured (no delivery behind a latency, or a run that could not happen).
      var td = el(j === 0 ? 'th' : 'td', v === null ? '–' : v, typeof v === 'number' || v === null ? 'n' : undefined);
      td.id = 'r' + i + '-' + c[1];
      if (c[1] === 'verdict' && r.thresholds.length > 0) {
        td.className = failed.length === 0 ? 'ok' : 'fail';
        td.title = r.thresholds.map(function (t) { return (t.ok ? 'ok ' : 'FAIL ') + t.expr + ' ' + (t.value === null ? 'nothing measured' : t.value + (t.unit === 'count' ? '' : ' ' + t.unit)); }).join('; ');
      }
      tr.appendChild(td);
    });
    if (r.status !== 'ok') tr.title = r.status + ': ' + r.why;
    else if (!r.trustworthy) tr.title = 'the generator was saturated: latencies not trustworthy';
    table.appendChild(tr);
  });

  var targets = document.getElementById('targets');
  data.targets.forEach(function (t) {
    var tr = el('tr');
    tr.appendChild(el('th', t.name));
    tr.appendChild(el('td', t.url));
    targets.appendChild(tr);
  });

  Chart.defaults.animation = false;
  new Chart(document.getElementById('spectrum-chart'), {
    type: 'line',
    data: { datasets: data.spectra.map(function (s, i) {
      var color = PALETTE[i % PALETTE.length];
      return {
        label: data.repeat > 1 ? s.target + ' (repeat ' + s.repeat + ')' : s.target,
        data: s.corrected.map(function (p) { return { x: p.x, y: p.ms }; }),
        borderColor: color, backgroundColor: color, borderDash: s.repeat > 1 ? [5, 4] : [], pointRadius: 0, borderWidth: 2,
      };
    }) },
    options: {
      responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
      scales: { x: spectrumXScale(), y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'latency ms' } } },
      plugins: { tooltip: spectrumTooltip },
    },
  });
  document.body.dataset.ready = 'true';
})();
`;
