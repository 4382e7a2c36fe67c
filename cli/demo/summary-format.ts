import type { Percentiles } from '../../loadgen/index.js';
import type { RunTotals } from '../../metrics/index.js';
import type { DemoSummary } from './summary.js';
import { clock } from './terminal-view.js';

export const fmt = (n: number | null | undefined): string =>
  n === null || n === undefined ? '–' : Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) < 10 ? 2 : 1);

/** Room names are user input: in Markdown they are text, never markup (and one line: a control character is a space). */
export function mdText(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/[\\`*_{}[\]<>|~]/g, (c) => `\\${c}`);
}

/** Rates always with the same decimals, so a column lines up. */
export const rate = (n: number): string => n.toFixed(n < 10 ? 2 : 1);

export function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function pct(p: Percentiles): string[] {
  return [fmt(p.p50), fmt(p.p90), fmt(p.p99), fmt(p.p999), fmt(p.max), String(p.count)];
}

function endingLine(s: DemoSummary): string {
  const ran = `${clock(s.durationS * 1000)} of ${clock(s.plannedS * 1000)}`;
  if (s.ending.reason === 'completed') return `Completed: ran ${ran}.`;
  return `**Stopped early** after ${ran}: ${s.ending.detail}.`;
}

/** `summary.md`: readable on its own, in a browser, an editor or a Git host. */
export function summaryMarkdown(s: DemoSummary): string {
  const c = s.config;
  const t = s.server;
  const l = s.loadgen;
  const m = l.messages;
  const out: string[] = [
    `# chatpulse demo \`${s.runId}\``, '',
    endingLine(s), '',
    `Started ${s.startedAt}, ended ${s.endedAt}. Chat server ${s.chat}, dashboard ${s.dashboard}.`, '',
    '## Configuration', '',
    ...table(['setting', 'value'], [
      ['clients', fmt(c.clients as number)], ['rooms', fmt(c.rooms as number)], ['rate', `${fmt(c.rate as number)} per second per client`],
      ['ramp', `${fmt((c.rampMs as number) / 1000)} s`], ['planned length', `${fmt(s.plannedS)} s (--minutes ${fmt(c.minutes as number)})`],
      ['private messages / room switches', `${fmt(c.pm as number)} / ${fmt(c.switch as number)} of actions`],
      ['message size', `${fmt(c.size as number)} bytes`], ['seed', fmt(c.seed as number)], ['loadgen workers', fmt(c.workers as number)],
      ['metrics tick / moving average', `${fmt((c.interval as number) / 1000)} s / ${fmt(c.window as number)} ticks`],
    ]), '',
    ...serverSections(t),
    '## Latency (load generator, ms)', '',
  ];
  if (l.latency) {
    out.push(...table(['delivery latency', 'p50', 'p90', 'p99', 'p99.9', 'max', 'samples'], [
      ['corrected (from the intended send time)', ...pct(l.latency.corrected)], ['uncorrected (from the actual write)', ...pct(l.latency.uncorrected)],
    ]));
  } else if (l.lastTickLatency) {
    out.push('Whole-run percentiles come from the load generator\'s summary, which is missing. Its last tick:', '',
      ...table(['last tick', 'p50', 'p90', 'p99', 'p99.9', 'max', 'samples'], [
        ['corrected', ...pct(l.lastTickLatency.corrected)], ['uncorrected', ...pct(l.lastTickLatency.uncorrected)],
      ]));
  } else {
    out.push('No latency figures: the load generator never reported.');
  }
  const all = l.combinedLatency;
  // Only when it says something the table above does not: other generators, or no whole-run table.
  if (all && (all.sources > 1 || !l.latency)) {
    out.push('', `Every generator that reported to the dashboard (${all.sources}), whole run, one merged histogram:`, '',
      ...table(['all generators', 'p50', 'p90', 'p99', 'p99.9', 'max', 'samples'], [
        ['corrected', ...pct(all.corrected)], ['uncorrected', ...pct(all.uncorrected)],
      ]));
  }
  if (l.health) out.push('', `Generator health: ${l.health.note}.`);
  out.push('', '## Delivery (load generator)', '',
    ...table(['sent', 'of which PM', 'unsent', 'received', 'expected', 'lost', 'loss %', 'late', 'duplicated', 'reordered', 'unexpected', 'ambiguous'],
      [[String(m.sent), fmt(m.pm), fmt(m.unsent), String(m.received), String(m.expected), String(m.lost), fmt(m.lossPercent), fmt(m.late), String(m.duplicated),
        String(m.reordered), fmt(m.unexpected), fmt(m.ambiguous)]]),
    '', `${sourceNote(s)} Errors it saw: ${l.errorsTotal}${reasons(l.errors)}.`);
  if (l.failure) out.push('', `**Load generator failure:** ${mdText(l.failure)}`);
  out.push('', '## Thresholds', '');
  if (s.thresholds.length === 0) {
    out.push("None set (e.g. `--threshold 'p99<50ms' --threshold 'loss<0.1%'`).");
  } else {
    out.push(...table(['threshold', 'value', 'window', 'verdict'], s.thresholds.map((th) => [
      `\`${th.expr.replace(/`/g, "'")}\``, th.value === null ? '–' : `${fmt(th.value)}${th.unit === 'count' ? '' : ` ${th.unit}`}`,
      th.window === 'run' ? 'whole run' : th.window ? `worst ${th.window} window` : '–', th.ok === null ? 'not evaluated' : th.ok ? 'ok' : '**FAIL**',
    ])), '', `Verdict: **${s.verdict}**.`);
  }
  out.push('', ...filesSection(s.files));
  return out.join('\n');
}

/** The server's side of a run, as stored: totals, then one row per room (a demo's and a server run's summary.md). */
export function serverSections(t: RunTotals): string[] {
  return [
    '## Totals (server)', '',
    ...table(['figure', 'value'], [
      ['ticks', String(t.ticks)], ['room messages', String(t.messages)], ['private messages', String(t.privateMessages)],
      ['deliveries (fan-out lines)', String(t.deliveries)], ['MPS mean / peak', `${rate(t.mpsMean)} / ${rate(t.mpsPeak)}`],
      ['MPS mean while active', `${rate(t.mpsMeanActive)} (${rate(t.activeS)} s with messages)`],
      ['peak connections', String(t.peakConnections)], ['joins / leaves', `${t.joins} / ${t.leaves}`],
      ['bytes in / out', `${t.bytesIn} / ${t.bytesOut}`], ['errors', `${t.errors}${reasons(t.errorsByReason)}`],
    ]), '',
    '## Rooms', '',
    ...table(['room', 'messages', 'mean MPS', 'peak MPS', 'joins', 'leaves', 'peak members'],
      t.rooms.map((r) => [mdText(r.room), String(r.messages), rate(r.mpsMean), rate(r.mpsPeak), String(r.joins), String(r.leaves), String(r.peakMembers)])), '',
  ];
}

/** The run folder's files, each with what it is for. */
export function filesSection(files: readonly string[]): string[] {
  return ['## Files', '', ...files.map((f) => `- \`${f}\`${FILE_NOTES[f] ? ` — ${FILE_NOTES[f]}` : ''}`), ''];
}

/** Where the loadgen's figures come from; partial ones are said to be partial, not set against the server's. */
function sourceNote(s: DemoSummary): string {
  const l = s.loadgen;
  if (l.source === 'summary') return "Figures from the load generator's end-of-run summary.";
  if (l.source === 'none') return "No figures from the load generator: it never reported.";
  const why = l.exit.stoppedAtOnce ? 'it was stopped at once, before it could write its summary' : 'its summary is missing';
  return `**Partial figures:** ${why}, so these are its counts at its last /ingest report. They can fall short of the server's totals above, and loss is not settled.`;
}

const FILE_NOTES: Record<string, string> = {
  'rooms.csv': 'one row per tick and room',
  'totals.csv': 'one row per tick for the whole server, with the loadgen columns',
  'mps_by_room.csv': 'one MPS column per room: chart it directly in a spreadsheet',
  'summary.json': 'this summary for scripts',
  'summary.md': 'this page',
  'report.html': 'one self-contained page with every chart and table of the run: opens offline, from file://',
};

export function reasons(r: Record<string, number>): string {
  const e = Object.entries(r).filter(([, n]) => n > 0);
  return e.length ? ` (${e.map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
}

/** The table printed at the end of the demo. */
export function summaryText(s: DemoSummary): string {
  const t = s.server;
  const l = s.loadgen;
  const m = l.messages;
  const rooms = t.rooms.slice(0, 10);
  const w = Math.max(6, ...rooms.map((r) => r.room.length));
  const lines = [
    `demo ${s.runId}: ${s.ending.reason === 'completed' ? 'completed' : `STOPPED EARLY — ${s.ending.detail}`}`,
    `  ran ${clock(s.durationS * 1000)} of ${clock(s.plannedS * 1000)}, ${t.ticks} ticks`,
    `  server     ${t.messages} room messages (${rate(t.mpsMean)}/s mean, ${rate(t.mpsPeak)} peak), ${t.privateMessages} PMs, ${t.deliveries} deliveries, peak ${t.peakConnections} connections, ${t.errors} errors`,
    `  loadgen    ${l.partial ? 'partial, as of its last /ingest report: ' : ''}sent ${m.sent}${m.unsent ? ` (UNSENT ${m.unsent}: due, never written)` : ''}, received ${m.received} of ${m.expected} expected, ${deliveryClasses(m)}`,
  ];
  if (l.exit.stoppedAtOnce) lines.push('  note       the load generator was stopped at once (no summary): its figures are partial and can fall short of the server\'s');
  if (l.latency) {
    const row = (name: string, p: Percentiles) => `  ${name.padEnd(13)}${pct(p).slice(0, 5).map((v) => v.padStart(9)).join('')}`;
    lines.push(`  latency ms         p50      p90      p99    p99.9      max`, row('corrected', l.latency.corrected), row('uncorrected', l.latency.uncorrected));
  } else {
    lines.push('  latency    no whole-run figures (the load generator\'s summary is missing)');
  }
  if (l.failure) lines.push(`  LOADGEN FAILED: ${l.failure}`);
  lines.push('', `  ${'room'.padEnd(w)}  messages  mean MPS  peak MPS  peak members`);
  for (const r of rooms) lines.push(`  ${r.room.padEnd(w)}  ${String(r.messages).padStart(8)}  ${rate(r.mpsMean).padStart(8)}  ${rate(r.mpsPeak).padStart(8)}  ${String(r.peakMembers).padStart(12)}`);
  if (t.rooms.length > rooms.length) lines.push(`  … ${t.rooms.length - rooms.length} more rooms in summary.md`);
  for (const th of s.thresholds) {
    lines.push(`  threshold  ${th.ok === null ? 'not evaluated' : th.ok ? 'ok  ' : 'FAIL'} ${th.expr}${th.value === null ? '' : ` (${fmt(th.value)}${th.unit === 'count' ? '' : ` ${th.unit}`})`}`);
  }
  return lines.join('\n');
}

/** Every delivery class beside received and expected, so the line reconciles (`–`: not in a partial report). */
function deliveryClasses(m: DemoSummary['loadgen']['messages']): string {
  return `lost ${m.lost} (${fmt(m.lossPercent)}%), late ${fmt(m.late)}, duplicated ${m.duplicated}, reordered ${m.reordered}, ` +
    `unexpected ${fmt(m.unexpected)}, ambiguous ${fmt(m.ambiguous)}`;
}
