/**
 * What every self-contained chatpulse page (`report.html`, `compare.html`) is made of: a CSP that
 * refuses every fetch, JSON and JavaScript made safe to inline in `<script>`, Chart.js read from
 * node_modules at write time, and the percentile-spectrum x axis both pages draw.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Inline scripts and styles only; nothing is fetched (no src, no connect, no fonts). */
export const PAGE_CSP_META = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`;

/** The data as JSON safe inside `<script>`: a `<` anywhere (a label's `</script>`) becomes \u003c. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** JavaScript source inlined in `<script>`: a `</script` inside it would end the element early. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

/** Chart.js's UMD build, read now (the page must not fetch it). */
export function readChartJs(): string {
  // chart.js exports no subpaths; its UMD build sits beside the CommonJS entry it resolves to.
  const dist = path.dirname(createRequire(import.meta.url).resolve('chart.js'));
  return fs.readFileSync(path.join(dist, 'chart.umd.min.js'), 'utf8');
}

/**
 * Browser JavaScript, pasted into a page script before its charts: `percentLabel(x)` (10 → "90%")
 * and `spectrumXScale()`, a Chart.js log x axis of 1/(1 − p) with one tick per decade.
 */
export const SPECTRUM_AXIS_SCRIPT = `
  function percentLabel(x) {
    var p = 100 * (1 - 1 / x);
    return Number(p.toFixed(6)) + '%';
  }
  function spectrumXScale() {
    return {
      type: 'logarithmic', min: 1, title: { display: true, text: 'percentile' },
      afterBuildTicks: function (axis) {
        var ticks = [];
        for (var v = 1; v <= axis.max * 1.0001; v *= 10) ticks.push({ value: v });
        axis.ticks = ticks;
      },
      ticks: { callback: function (v) { return percentLabel(v); } },
    };
  }
  var spectrumTooltip = { callbacks: {
    title: function (items) { return items.length ? 'p' + percentLabel(items[0].parsed.x).replace('%', '') : ''; },
  } };
`;
