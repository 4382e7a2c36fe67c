/**
 * `summary.json` and `summary.md` of a `chatpulse server` run (DESIGN §11: every results/<run-id>/
 * has them). The server runs no load itself: its figures are the stored run's, and the load side is
 * whatever load generators reported to its dashboard (`/ingest`) — each as of its last report, and
 * their latency as one histogram merged over the whole run. A generator's own end-of-run summary
 * (`loadgen --out`) stays the authority on its loss, which settles after its last report.
 */
import type { LoadgenTickReport } from '../loadgen/index.js';
import type { CombinedLatency, RunTotals } from '../metrics/index.js';
import { filesSection, fmt, mdText, pct, rate, serverSections, table } from './demo/summary-format.js';

/**
 * One load generator that reported to this server's dashboard, as of its last report. The hub
 * remembers the 32 heard from most recently (metrics/loadgen-reports.ts); `generatorsForgotten`
 * says how many more there were.
 */
export interface ReportedGenerator {
  source: string;
  target: string;
  /** Seconds into its run at its last report. */
  elapsedS: number;
  clients: number;
  sent: number;
  received: number;
  expected: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** null: the generator did not say (an older loadgen). */
  unexpected: number | null;
  ambiguous: number | null;
  /** Messages due but not written as of the last report (after its stop: never written); null: not said. */
  unsent: number | null;
  errorsTotal: number;
  errors: Record<string, number>;
}

export interface ServerSummary {
  type: 'server-summary';
  runId: string;
  folder: string;
  startedAt: string;
  endedAt: string;
  /** Seconds of ticks recorded. */
  durationS: number;
  config: Record<string, unknown>;
  chat: string;
  dashboard: string;
  server: RunTotals;
  generators: ReportedGenerator[];
  /** Generators that reported but are not in `generators`: only the 32 most recent are kept. */
  generatorsForgotten: number;
  /** Every generator's deliveries, whole run, one merged histogram (ms); null when none reported histograms. */
  combinedLatency: CombinedLatency | null;
  files: string[];
}

export interface ServerSummaryInput {
  runId: string;
  folder: string;
  startedAt: number;
  endedAt: number;
  config: Record<string, unknown>;
  chat: string;
  dashboard: string;
  server: RunTotals;
  reports: readonly LoadgenTickReport[];
  /** Sources that ever reported, histograms or not, as the hub counted them (up to 1024). */
  sourcesSeen: number;
  combinedLatency: CombinedLatency | null;
  files: string[];
}

export function buildServerSummary(i: ServerSummaryInput): ServerSummary {
  const generators = i.reports.map((r): ReportedGenerator => ({
    source: r.source, target: withoutSecrets(r.target), elapsedS: r.elapsedS, clients: r.clients,
    sent: r.sentTotal, received: r.receivedTotal, expected: r.expectedTotal, lost: r.lostTotal,
    duplicated: r.duplicatedTotal, reordered: r.reorderedTotal, unexpected: r.unexpectedTotal ?? null, ambiguous: r.ambiguousTotal ?? null,
    unsent: r.waiting ?? null,
    errorsTotal: Object.values(r.errors).reduce((a, n) => a + n, 0), errors: { ...r.errors },
  }));
  return {
    type: 'server-summary', runId: i.runId, folder: i.folder,
    startedAt: new Date(i.startedAt).toISOString(), endedAt: new Date(i.endedAt).toISOString(),
    durationS: i.server.durationS, config: i.config, chat: i.chat, dashboard: i.dashboard, server: i.server,
    generators, generatorsForgotten: Math.max(0, i.sourcesSeen - generators.length), combinedLatency: i.combinedLatency, files: i.files,
  };
}

/** A target as a generator reported it, less any credentials it carries (`user:pass@`, `?password=`). */
export function withoutSecrets(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1(set)@').replace(/([?&](?:password|pass|token|secret)=)[^&#]*/gi, '$1(set)');
}

/** A generator's error kinds (any text it sent): escaped, as every other name in the file. */
function kinds(errors: Record<string, number>): string {
  const e = Object.entries(errors).filter(([, n]) => n > 0);
  return e.length ? ` (${e.map(([k, n]) => `${mdText(k)} ${n}`).join(', ')})` : '';
}

/** `summary.md`: readable on its own, in a browser, an editor or a Git host. */
export function serverSummaryMarkdown(s: ServerSummary): string {
  const c = s.config;
  const t = s.server;
  const out: string[] = [
    `# chatpulse server run \`${s.runId}\``, '',
    `Started ${s.startedAt}, ended ${s.endedAt} (${rate(s.durationS)} s of ticks). Chat server ${s.chat}, dashboard ${s.dashboard}.`, '',
    '## Configuration', '',
    ...table(['setting', 'value'], [
      ['label', mdText(String(c.label ?? ''))], ['history lines per room', fmt(c.history as number)],
      ['rate limit', c.maxRate === 0 ? 'none' : `${fmt(c.maxRate as number)} lines per second per connection`],
      ['metrics tick / moving average', `${fmt((c.interval as number) / 1000)} s / ${fmt(c.window as number)} ticks`],
    ]), '',
    ...serverSections(t),
    '## Load generators (reported to the dashboard)', '',
  ];
  if (s.generators.length === 0) {
    out.push('None reported: the load, if any, came from clients that do not report (`chatpulse loadgen --report ws://…/ingest` does).', '');
  } else {
    out.push(...table(['source', 'target', 'at its last report', 'clients', 'sent', 'received', 'expected', 'lost', 'duplicated', 'reordered', 'unexpected', 'ambiguous', 'unsent', 'errors'],
      s.generators.map((g) => [mdText(g.source), mdText(g.target), `${rate(g.elapsedS)} s`, String(g.clients), String(g.sent), String(g.received),
        String(g.expected), String(g.lost), String(g.duplicated), String(g.reordered), g.unexpected === null ? '–' : String(g.unexpected),
        g.ambiguous === null ? '–' : String(g.ambiguous), g.unsent === null ? '–' : String(g.unsent), `${g.errorsTotal}${kinds(g.errors)}`])), '',
    "Counts as of each generator's last report: its own summary (`loadgen --out DIR`) has the settled totals. "
      + 'Unsent: messages that fell due but were not written (their client could not send), as of that report — after its run stopped, never written; neither latency nor loss counts them.', '');
    if (s.generatorsForgotten > 0) out.push(`${s.generatorsForgotten} more reported earlier: only the 32 heard from most recently are kept.`, '');
  }
  const all = s.combinedLatency;
  out.push('## Latency (load generators, ms)', '');
  if (all) {
    out.push(`Every generator that reported (${all.sources}), whole run, one merged histogram:`, '',
      ...table(['delivery latency', 'p50', 'p90', 'p99', 'p99.9', 'max', 'samples'], [
        ['corrected (from the intended send time)', ...pct(all.corrected)], ['uncorrected (from the actual write)', ...pct(all.uncorrected)],
      ]), '');
  } else {
    out.push('No latency figures: no generator reported its histograms.', '');
  }
  out.push('## Thresholds', '', 'None checked here: thresholds belong to a load generator (`chatpulse loadgen --threshold …`), whose verdicts are in its own output and exit code, not in this summary.', '', ...filesSection(s.files));
  return out.join('\n');
}
