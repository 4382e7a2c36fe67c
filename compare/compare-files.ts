/**
 * `results/compare-<time>/`: compare.md (tables for people), compare.csv (one row per target and
 * repeat, written like every chatpulse CSV), compare.json (everything, for scripts), compare.html (the table
 * and every run's latency spectrum overlaid, one self-contained page like report.html). DESIGN §11.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeCsvFile } from '../metrics/index.js';
import { CSV_COLUMNS, csvRecord, thresholdLine, type CompareRow } from './compare-rows.js';
import { readChartJs } from '../loadgen/index.js';
import { renderCompareHtml } from './compare-html.js';
import { ACTION_NAMES, type CompareResult } from './run-compare.js';
import { makeDir } from '../protocol/make-dir.js';

/** `compare-2026-11-22T14-03-05Z` (UTC, sortable, like run ids). */
export function compareDirName(at: Date): string {
  return `compare-${at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}`;
}

export async function writeCompareFiles(result: CompareResult, resultsDir: string, at = new Date(result.startedAt)): Promise<string> {
  const dir = path.join(resultsDir, compareDirName(at));
  makeDir(dir);
  await writeCsvFile(path.join(dir, 'compare.csv'), CSV_COLUMNS, result.rows.map(csvRecord));
  await atomicWrite(path.join(dir, 'compare.json'), `${JSON.stringify({ type: 'chatpulse-compare', ...result }, null, 2)}\n`);
  await atomicWrite(path.join(dir, 'compare.md'), compareMarkdown(result));
  await atomicWrite(path.join(dir, 'compare.html'), renderCompareHtml(result, readChartJs()));
  return dir;
}

async function atomicWrite(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.promises.writeFile(tmp, text);
  await fs.promises.rename(tmp, file);
}

/** A count as it is; a rate or a time with the same decimals down a column (2 below 10, else 1). `–`: not measured. */
const count = (n: number | null) => (n === null ? '–' : String(n));
const num = (n: number | null) => (n === null ? '–' : n.toFixed(n < 10 ? 2 : 1));
const ratio = (r: number | null) => (r === null ? '–' : `${r.toFixed(2)}×`);
/** Target names are user input: keep them from breaking (or injecting into) the Markdown table. */
const cell = (s: string) => s.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);

export function compareMarkdown(r: CompareResult): string {
  const first = r.targets[0]?.name ?? '';
  const load = r.rows[0];
  const lines = [
    `# chatpulse compare — ${r.startedAt}`,
    '',
    `Same seeded load against each target${r.config.repeat > 1 ? `, ${r.config.repeat} repeats in alternating order` : ''}: ` +
      `${load?.clients ?? '?'} clients, ${r.config.load.scenario ? 'the rates of the scenario\'s phases' : load ? `${actionsPerS(load.rate)} each` : '? actions/s each'}, ${r.config.load.duration !== undefined ? r.config.load.duration / 1000 : (load?.durationS ?? '?')} s per run. ` +
      `Rates (deliveries/s) are over each run once its ramp was over. Latencies in ms; corrected = from the intended send time; – = not measured. Ratios are to \`${cell(first)}\`.`,
    '',
    ...leftOutLines(r),
    ...(r.stoppedEarly ? ['**Stopped early** (Ctrl-C or SIGTERM): the last run covers only the part that ran, and the runs after it did not happen.', ''] : []),
    '| target | protocol | repeat | deliveries/s | × first | sent | unsent | received | expected | lost | unexpected | ambiguous | late | dup. | reord. | p50 | p99 | p99.9 | × first p99 | p50 unc. | p99 unc. | p99.9 unc. | connect p50 | errors | generator | run |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...r.rows.map(mdRow),
    '',
    'Targets:',
    ...r.targets.map((t) => `- \`${cell(t.name)}\`: ${cell(t.url)}`),
  ];
  const bad = r.rows.filter((x) => x.status !== 'ok');
  if (bad.length > 0) {
    lines.push('', 'Runs not comparable:');
    for (const x of bad) lines.push(`- \`${cell(x.target)}\` repeat ${x.repeat}: ${x.status} — ${cell(x.why)}`);
  }
  const judged = r.rows.filter((x) => x.thresholds.length > 0);
  if (judged.length > 0) {
    lines.push('', `Thresholds (${r.thresholdsFailed ? '**failed**' : 'all held'}):`);
    for (const x of judged) {
      lines.push(`- \`${cell(x.target)}\` repeat ${x.repeat}: ${x.thresholds.map((t) => `${t.ok ? 'ok' : '**FAIL**'} ${cell(thresholdLine(t))}`).join('; ')}`);
    }
  }
  const errs = r.rows.filter((x) => (x.errors ?? 0) > 0);
  if (errs.length > 0) {
    lines.push('', 'Errors by kind:');
    for (const x of errs) lines.push(`- \`${cell(x.target)}\` repeat ${x.repeat}: ${Object.entries(x.errorKinds).map(([k, v]) => `${cell(k)} ${v}`).join(', ')}`);
  }
  if (r.findMax.length > 0) {
    const fm = r.config.findMax;
    lines.push('', `## Highest sustained rate (loss ≤ ${fm?.maxLossPercent}%, corrected p99 ≤ ${fm?.maxP99Ms} ms)`, '',
      '| target | highest sustained rate/client | sent/s | deliveries/s | p99 ms | steps | stopped by |', '|---|---:|---:|---:|---:|---:|---|');
    for (const f of r.findMax) {
      const b = f.best;
      lines.push(`| ${cell(f.target)} | ${b ? String(b.rate) : 'none held'} | ${b ? num(b.sentPerS) : '–'} | ${b ? num(b.deliveriesPerS) : '–'} | ${b ? num(b.p99Ms) : '–'} | ${f.steps.length} | ${f.stoppedBy}${f.failure ? `: ${cell(f.failure)}` : ''} |`);
    }
    lines.push('', 'Steps:', '', '| target | step | rate/client | sent/s | deliveries/s | p99 ms | loss % | verdict |', '|---|---:|---:|---:|---:|---:|---:|---|');
    for (const f of r.findMax) {
      for (const s of f.steps) lines.push(`| ${cell(f.target)} | ${s.step} | ${s.rate} | ${num(s.sentPerS)} | ${num(s.deliveriesPerS)} | ${num(s.p99Ms)} | ${num(s.lossPercent)} | ${s.ok ? 'held' : s.why.replace(/\|/g, '\\|')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Actions left out for every target, and why: said above the table, so no one compares apples to pears unawares. */
function leftOutLines(r: CompareResult): string[] {
  if (r.leftOut.length === 0) return [];
  return [
    '**Left out for every target** (one schedule for all; a protocol here cannot express them):',
    ...r.leftOut.map((l) => `- ${ACTION_NAMES[l.action] ?? l.action}, asked ${l.asked}: ${l.because.map((b) => `\`${cell(b.target)}\` — ${cell(b.why)}`).join('; ')}`),
    '',
  ];
}

function mdRow(x: CompareRow): string {
  return `| ${cell(x.target)} | ${cell(x.protocol)} | ${x.repeat} | ${num(x.deliveriesPerS)} | ${ratio(x.ratios.deliveriesPerS)} | ${count(x.sent)} | ${count(x.unsent)} | ${count(x.received)} | ${count(x.expected)} | ${count(x.lost)} | ` +
    `${count(x.unexpected)} | ${count(x.ambiguous)} | ${count(x.late)} | ${count(x.duplicated)} | ${count(x.reordered)} | ` +
    `${num(x.p50Ms)} | ${num(x.p99Ms)} | ${num(x.p999Ms)} | ${ratio(x.ratios.p99Ms)} | ${num(x.p50UncorrectedMs)} | ${num(x.p99UncorrectedMs)} | ` +
    `${num(x.p999UncorrectedMs)} | ${num(x.connectP50Ms)} | ${count(x.errors)} | ${x.trustworthy === null ? '–' : x.trustworthy ? 'ok' : 'saturated'} | ${x.status} |`;
}

function actionsPerS(rate: number): string {
  return `${rate} action${rate === 1 ? '' : 's'}/s`;
}
