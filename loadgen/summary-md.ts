/** The summary table as Markdown (`summary.md` in a run folder): the same figures as the terminal table. */
import type { Percentiles } from './report.js';
import { rateSetting, rateWindow, type LoadSummary } from './summary.js';
import { thresholdValue } from './thresholds.js';

/** User text in a table cell: no cell breaks, no line breaks, no HTML. */
export function mdCell(text: string): string {
  return text.replace(/[\\|`*_[\]<>]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

export function formatSummaryMarkdown(s: LoadSummary): string {
  const m = s.messages;
  const c = s.config;
  const lines = [
    `# chatpulse loadgen — ${mdCell(c.label)}`,
    '',
    ...(s.stoppedEarly ? [`**Stopped early** after ${s.durationS} s of ${s.plannedS} s: the figures cover only that part.`, ''] : []),
    '| setting | value |',
    '|---|---|',
    `| targets | ${s.targets.map(mdCell).join(', ')} |`,
    `| protocol | ${mdCell(s.protocol)} |`,
    `| clients | ${s.clients.planned} (peak ${s.clients.peak}, connects ${s.clients.connects}, reconnects ${s.clients.reconnects}) |`,
    `| rate | ${mdCell(rateSetting(c))} |`,
    `| duration | ${s.durationS} s of ${s.plannedS} s planned |`,
    `| seed | ${c.seed} |`,
    `| started | ${s.startedAt} |`,
    '',
    '| sent | received | expected | lost | loss % | late | duplicated | reordered | unexpected | ambiguous |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${m.sent} | ${m.received} | ${m.expected} | ${m.lost} | ${m.expected > 0 ? m.lossPercent : '–'} | ${m.late} | ${m.duplicated} | ${m.reordered} | ${m.unexpected} | ${m.ambiguous} |`,
    '',
    `Rates ${rateWindow(s)}: ${s.rates.sentPerS} sent/s, ${s.rates.receivedPerS} received/s.`,
    '',
    ...(m.unsent > 0 ? [`**Unsent: ${m.unsent}** messages fell due but were never written — their clients could not send until the end (not connected, not in their room). Neither latency nor loss counts them.`, ''] : []),
    '| latency ms | p50 | p90 | p99 | p99.9 | max | count |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('corrected', s.latency.corrected),
    row('uncorrected', s.latency.uncorrected),
    row('/join', s.commands.join),
    row('/users', s.commands.users),
    row('/pm', s.commands.pm),
    row('connect', s.connect.connectMs),
    row('first line', s.connect.firstLineMs),
    '',
    `Errors: ${s.errorsTotal}${s.errorsTotal ? ` (${Object.entries(s.errors).map(([k, v]) => `${mdCell(k)} ${v}`).join(', ')})` : ''}`,
    '',
    `Generator health: ${mdCell(s.health.note)}`,
  ];
  if (s.thresholds.length > 0) {
    lines.push('', '| threshold | verdict | value | window |', '|---|---|---:|---|');
    for (const t of s.thresholds) lines.push(`| ${mdCell(t.expr)} | ${t.ok ? 'ok' : '**FAIL**'} | ${thresholdValue(t, String)} | ${t.window === 'run' ? 'whole run' : `worst ${t.window} window`}${t.note ? ` — ${mdCell(t.note)}` : ''} |`);
  }
  return `${lines.join('\n')}\n`;
}

function row(name: string, p: Percentiles): string {
  if (p.count === 0) return `| ${name} | - | - | - | - | - | 0 |`;
  return `| ${name} | ${p.p50} | ${p.p90} | ${p.p99} | ${p.p999} | ${p.max} | ${p.count} |`;
}
