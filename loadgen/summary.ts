/**
 * The end-of-run record: `--json` prints it alone on stdout (DESIGN §9 shape), the table is made
 * from it, and `runLoad()` returns it to `chatpulse demo` and `chatpulse compare`.
 */
import type { RunAggregate, WorkerHealthSummary } from './aggregate.js';
import { SATURATION } from './aggregate.js';
import { percentilesMs } from './histograms.js';
import type { LoadOptions } from './options.js';
import { redactTarget, targetsLabel } from './options.js';
import type { Percentiles } from './report.js';
import { thresholdValue, type ThresholdResult } from './thresholds.js';

export interface LoadSummary {
  type: 'loadgen-summary';
  /** Protocol and target, e.g. `irc://127.0.0.1:6667`; several targets joined by `, `. */
  target: string;
  /** Every target, one URL each. */
  targets: string[];
  protocol: string;
  startedAt: string;
  durationS: number;
  /** How long the schedule was meant to run (`--duration` or the scenario's phases). */
  plannedS: number;
  /** Ctrl-C/SIGTERM (an abort) ended the schedule before `plannedS`: the figures cover only the part that ran. */
  stoppedEarly: boolean;
  config: Omit<LoadOptions, 'scenario'> & { scenario?: unknown };
  clients: { planned: number; peak: number; connects: number; reconnects: number };
  messages: {
    sent: number;
    /** Of `sent`, private messages. */
    pm: number;
    /** Distinct deliveries seen, late ones included. */
    received: number;
    /** Sum over messages of the recipients the sender expected (the delivery rule). */
    expected: number;
    /** Expected deliveries not seen within the loss timeout. */
    lost: number;
    duplicated: number;
    /** Deliveries that arrived after a later message of the same sender. */
    reordered: number;
    /** Deliveries seen after the loss timeout (counted in `received` and in `lost`). */
    late: number;
    /** Deliveries beyond the expected and ambiguous ones: a correct server has none. */
    unexpected: number;
    /**
     * Recipients whose membership was undecidable for a message (their join or leave crossed it, with
     * no echo or several servers to order them; or the sender dropped before its echo): counted neither
     * in `expected`/`lost` nor in `unexpected`.
     */
    ambiguous: number;
    /** lost / expected, in percent. */
    lossPercent: number;
    /**
     * Messages (room and PM) that fell due but were never written: their client could not send (not
     * connected, not in its room) until the run ended. Neither latency nor loss counts them.
     */
    unsent: number;
  };
  /**
   * Messages sent and deliveries received per second over the run once every client had connected:
   * from the end of the ramp (`fromS`) to the end of the schedule (`toS`), seconds from the start.
   * The whole run when it had no such tick (a ramp as long as the run).
   */
  rates: { sentPerS: number; receivedPerS: number; fromS: number; toS: number };
  latency: { corrected: Percentiles; uncorrected: Percentiles };
  commands: { join: Percentiles; users: Percentiles; pm: Percentiles };
  /** `connectMs`: TCP connect; `handshakeMs`: TLS handshake after it (count 0 without --tls); `firstLineMs`: start → first line. */
  connect: { connectMs: Percentiles; handshakeMs: Percentiles; firstLineMs: Percentiles };
  errors: Record<string, number>;
  errorsTotal: number;
  health: { workers: WorkerHealthSummary[]; ticks: number; saturatedTicks: number; trustworthy: boolean; note: string };
  thresholds: ThresholdResult[];
  /** All thresholds hold and the run was not stopped early. */
  ok: boolean;
}

/** How the schedule ended: its planned length, and whether an abort cut it short. */
export interface RunEnd {
  plannedMs: number;
  stoppedEarly: boolean;
}

/** Saturated in more than this share of ticks: the latencies say more about us than the server. */
const UNTRUSTED_SHARE = 0.05;

/** A run that sent and received nothing while it was meant to send (every login refused, say): no figure of it means anything. */
export function nothingMeasured(s: LoadSummary): boolean {
  return s.config.rate > 0 && s.messages.sent === 0 && s.messages.received === 0;
}

/** What the run's ticks after the ramp and within the schedule counted (the rates' window). */
export interface SteadyCounts {
  sent: number;
  received: number;
  ticks: number;
  /** The window's last tick (the first is `lastTick - ticks + 1`). */
  lastTick: number;
  intervalMs: number;
}

export function buildSummary(
  a: RunAggregate, o: LoadOptions, planned: number, startedAt: number, elapsedMs: number, thresholds: ThresholdResult[], end: RunEnd,
  steady?: SteadyCounts,
): LoadSummary {
  const secs = Math.max(elapsedMs / 1000, 1e-3);
  const window = steady !== undefined && steady.ticks > 0
    ? { sent: steady.sent, received: steady.received, secs: (steady.ticks * steady.intervalMs) / 1000, fromS: ((steady.lastTick - steady.ticks) * steady.intervalMs) / 1000, toS: (steady.lastTick * steady.intervalMs) / 1000 }
    : { sent: a.sent, received: a.received, secs, fromS: 0, toS: Math.round(secs * 1000) / 1000 };
  const expected = a.ledger.expectedTotal;
  const trustworthy = a.saturatedTicks <= UNTRUSTED_SHARE * a.ticks;
  // The CA is long and public but noisy; say that it was given, not what it was.
  const { scenario, tlsCa, ...rest } = o;
  const config = { ...rest, targets: o.targets.map(redactTarget), tlsCa: tlsCa ? '(set)' : '' };
  return {
    type: 'loadgen-summary',
    target: targetsLabel(o, Infinity),
    targets: o.targets.map(redactTarget),
    protocol: o.protocol,
    startedAt: new Date(startedAt).toISOString(),
    durationS: Math.round(secs * 1000) / 1000,
    plannedS: end.plannedMs / 1000,
    stoppedEarly: end.stoppedEarly,
    config: scenario ? { ...config, scenario } : config,
    clients: { planned, peak: a.peakClients, connects: a.connects, reconnects: a.reconnects },
    messages: {
      sent: a.sent, pm: a.pmSent, received: a.received, expected, lost: a.ledger.lostTotal, duplicated: a.duplicated,
      reordered: a.reordered, late: a.late, unexpected: a.ledger.unexpectedTotal, ambiguous: a.ledger.ambiguousTotal,
      lossPercent: expected > 0 ? Math.round((1e5 * a.ledger.lostTotal) / expected) / 1000 : 0,
      unsent: a.unsent,
    },
    rates: {
      sentPerS: Math.round((10 * window.sent) / window.secs) / 10, receivedPerS: Math.round((10 * window.received) / window.secs) / 10,
      fromS: window.fromS, toS: window.toS,
    },
    latency: { corrected: percentilesMs(a.corrected), uncorrected: percentilesMs(a.uncorrected) },
    commands: { join: percentilesMs(a.join), users: percentilesMs(a.users), pm: percentilesMs(a.pm) },
    connect: { connectMs: percentilesMs(a.connect), handshakeMs: percentilesMs(a.handshake), firstLineMs: percentilesMs(a.firstLine) },
    errors: { ...a.errors },
    errorsTotal: a.errorsTotal,
    health: {
      workers: a.health(), ticks: a.ticks, saturatedTicks: a.saturatedTicks, trustworthy,
      note: trustworthy
        ? a.saturatedTicks > 0 ? `generator saturated in ${a.saturatedTicks} of ${a.ticks} ticks (under ${UNTRUSTED_SHARE * 100}%): latencies usable` : 'generator healthy'
        : `generator saturated in ${a.saturatedTicks} of ${a.ticks} ticks (event loop busy ≥ ${SATURATION.elu * 100}% or lag p99 ≥ ${SATURATION.lagP99Ms} ms): LATENCIES ARE NOT TRUSTWORTHY — use fewer clients per worker or more workers`,
    },
    thresholds,
    // A run cut short did not happen as asked: a script reading only `ok` must not pass it.
    ok: !end.stoppedEarly && thresholds.every((t) => t.ok),
  };
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1));

/**
 * The rate asked for, as the summaries print it: `--rate`, or a scenario's phases with theirs (its
 * top-level `rate` is only their default: printed alone, a spike to 5/s read "1 actions/s per client").
 */
export function rateSetting(c: LoadSummary['config']): string {
  const phases = (c.scenario as { phases?: { type: string; duration: number; rate: number }[] } | undefined)?.phases;
  if (phases === undefined || phases.length === 0) return `${c.rate} actions/s per client`;
  return `per client, by phase: ${phases.map((p) => `${p.type} ${fmt(p.duration / 1000)} s at ${fmt(p.rate)}/s`).join(', ')}`;
}

/** Loss as a percentage, or `–` when no delivery was expected (a 0 % of nothing reads as a pass). */
export function lossText(m: Pick<LoadSummary['messages'], 'expected' | 'lossPercent'>): string {
  return m.expected > 0 ? `${fmt(m.lossPercent)}%` : '– (no delivery expected)';
}

/** Which seconds the rates are over: `2–12 s, after the ramp`, or the whole run. */
export function rateWindow(s: Pick<LoadSummary, 'rates'>): string {
  const { fromS, toS } = s.rates;
  return fromS > 0 ? `over ${fmt(fromS)}–${fmt(toS)} s, after the ramp` : `over ${fmt(toS)} s`;
}

/** The human summary table (stderr when --json is on, stdout otherwise). */
export function formatSummary(s: LoadSummary): string {
  const m = s.messages;
  const rows: string[] = [
    `loadgen summary — ${s.protocol} protocol, ${s.target}, ${s.clients.planned} clients, ${fmt(s.durationS)} s`,
    ...(s.stoppedEarly ? [`  Stopped early after ${fmt(s.durationS)} s of ${fmt(s.plannedS)} s (Ctrl-C or SIGTERM): the figures cover only that part`] : []),
    '',
    `  sent        ${m.sent} (${m.pm} PM)   ${fmt(s.rates.sentPerS)}/s (${rateWindow(s)})`,
    ...(m.unsent > 0 ? [`  UNSENT      ${m.unsent} messages fell due but were never written: their clients could not send until the end (not connected, not in their room) — neither latency nor loss counts them`] : []),
    `  received    ${m.received}   ${fmt(s.rates.receivedPerS)}/s   expected ${m.expected}`,
    `  lost        ${m.lost} (${lossText(m)})   late ${m.late}   duplicated ${m.duplicated}   reordered ${m.reordered}   unexpected ${m.unexpected}   ambiguous ${m.ambiguous}`,
    `  clients     peak ${s.clients.peak}   connects ${s.clients.connects}   reconnects ${s.clients.reconnects}`,
    `  errors      ${s.errorsTotal}${s.errorsTotal ? `  (${Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
    '',
    '  latency ms          p50       p90       p99     p99.9       max     count',
    latencyRow('corrected', s.latency.corrected),
    latencyRow('uncorrected', s.latency.uncorrected),
    latencyRow('/join', s.commands.join),
    latencyRow('/users', s.commands.users),
    latencyRow('/pm', s.commands.pm),
    latencyRow('connect', s.connect.connectMs),
    ...(s.connect.handshakeMs.count > 0 ? [latencyRow(handshakeLabel(s.targets), s.connect.handshakeMs)] : []),
    latencyRow('first line', s.connect.firstLineMs),
    '',
    `  health      ${s.health.note}`,
    ...s.health.workers.map((w) => `              worker ${w.worker}: busy mean ${fmt(w.eluMean * 100)}% median ${fmt(w.eluMedian * 100)}% max ${fmt(w.eluMax * 100)}%, lag p99 median ${fmt(w.lagP99MedianMs)} ms, max ${fmt(w.lagP99MaxMs)} ms`),
  ];
  if (s.thresholds.length > 0) {
    rows.push('', '  thresholds');
    for (const t of s.thresholds) rows.push(`    ${t.ok ? 'ok  ' : 'FAIL'} ${t.expr.padEnd(24)} ${thresholdValue(t, fmt)} (${t.window === 'run' ? 'whole run' : `worst ${t.window} window`})${t.note ? ` — ${t.note}` : ''}`);
  }
  return rows.join('\n');
}

function latencyRow(name: string, p: Percentiles): string {
  // Nothing measured (PMs to an app that never echoes them, say): a row of zeros would read as 0 ms.
  if (p.count === 0) return `  ${name.padEnd(14)}${'-'.padStart(10).repeat(5)}${'0'.padStart(10)}`;
  const c = (n: number) => fmt(n).padStart(10);
  return `  ${name.padEnd(14)}${c(p.p50)}${c(p.p90)}${c(p.p99)}${c(p.p999)}${c(p.max)}${String(p.count).padStart(10)}`;
}

/** The handshake row's name: TLS, a WebSocket upgrade (over TLS for wss), or both when targets mix. */
function handshakeLabel(targets: readonly string[]): string {
  // wsjson:// and socketio:// are WebSockets too (JSON frames, Socket.IO packets).
  const isWs = (t: string) => /^(wss?|wsjson|socketio):/i.test(t);
  const ws = targets.some(isWs);
  const tcp = targets.some((t) => !isWs(t));
  return ws && tcp ? 'tls/ws handshake' : ws ? 'ws handshake' : 'tls handshake';
}
