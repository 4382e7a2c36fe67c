import type { LoadgenTickReport } from '../../loadgen/index.js';
import type { Snapshot } from '../../metrics/index.js';
import { connectHost, loadgenArgs, urlHost, type DemoFlags, type DemoPlan } from '../demo-flags.js';
import { defaultDbPath, startHub, type Hub } from '../hub.js';
import { badAddressFlag, describeListenError } from '../listen-error.js';
import { UsageError } from '../flags.js';
import { ChatTail, colorEnabled } from './chat-tail.js';
import { describeLoadgenFailure, startLoadgenChild, type LoadgenExit } from './loadgen-child.js';
import { openBrowser } from './open-browser.js';
import { endDemo, type EndRequest } from './end-demo.js';
import { clock, statusLine, TerminalView } from './terminal-view.js';
import type { DemoIo } from './demo-io.js';

/** A status line this often (or every tick, if ticks are longer). */
const STATUS_EVERY_MS = 5000;
/** After the countdown: the loadgen drains in-flight deliveries (its loss timeout is 5 s) and reports. */
const OVERTIME_MS = 12_000;
/** The load begins when the loadgen's first client connects; a loadgen slower than this to start is not waited for. */
const LOAD_START_LIMIT_MS = 15_000;

/**
 * `chatpulse demo`: the hub (chat + metrics + dashboard) in this process, the loadgen as a child
 * process reporting to `/ingest`, a countdown on the page and in the terminal, and at the end the
 * run's folder with the CSV files and the summary. Resolves with the exit code.
 */
export async function runDemo(f: DemoFlags, plan: DemoPlan, io: DemoIo): Promise<number> {
  const { help: _help, ...flags } = f;
  const config = { ...flags, durationMs: plan.durationMs, rampMs: plan.rampMs };
  const db = f.db || defaultDbPath(f.resultsDir);
  let hub: Hub;
  // Retention's line: plain until the progress bar exists, then above it.
  let log = (line: string): void => {
    io.out.write(`${line}\n`);
  };
  try {
    hub = await startHub({ ...f, noMetrics: false, graceMs: f.grace, db, config, deferTicks: true, log: (line) => log(line) });
  } catch (err) {
    const flag = badAddressFlag(err, { '--host': f.host, '--http-host': f.httpHost });
    if (flag !== undefined) throw new UsageError(`${flag}: ${describeListenError(err)}`);
    io.err.write(`chatpulse demo: ${describeListenError(err)}; choose others with --port and --http-port\n`);
    return 1;
  }
  const metrics = hub.metrics as NonNullable<Hub['metrics']>;
  const chat = `${urlHost(hub.chat.address.address)}:${hub.chat.address.port}`;
  const httpHost = urlHost(connectHost(hub.http.address.address));
  const dashboard = `http://${httpHost}:${hub.http.address.port}`;
  io.out.write(`chat listening on ${chat}\ndashboard on ${dashboard}\n`);
  io.out.write(`run ${metrics.run.id}: ${f.clients} clients in ${f.rooms} rooms, ${f.rate} action${f.rate === 1 ? '' : 's'}/s each, for ${clock(plan.durationMs, 'up')} — open ${dashboard} to watch\n`);

  // A closed terminal or pipe must not stop the demo from writing its results.
  io.out.on('error', () => {});
  // Ctrl-C is ours from now on, also while the load generator starts up.
  const stop = listenForStop();
  let startedAt = Date.now();
  const view = new TerminalView({ out: io.out, tty: io.out.isTTY === true, totalMs: plan.durationMs, startedAt, columns: io.out.columns || 80 });
  log = (line) => view.line(line);
  const child = startLoadgenChild({
    args: loadgenArgs(f, plan, { host: connectHost(hub.chat.address.address), port: hub.chat.address.port, ingest: `ws://${httpHost}:${hub.http.address.port}/ingest` }),
    onWarn: (line) => view.line(line),
  });
  const killChild = () => child.kill();
  process.on('exit', killChild);
  view.line(`loadgen started (pid ${child.pid ?? '?'}), reporting to /ingest`);
  if (f.open) void openBrowser(dashboard, io.env).then((m) => view.line(m));

  // The run's clock (ticks, elapsed time, countdown) starts with the load, not with the loadgen's
  // start-up (a second or two of node and worker threads): otherwise its schedule ends that much
  // after ours and its last messages land in ticks past the end.
  await loadBegins(hub, child.exited, stop.signalled);
  startedAt = Date.now();
  metrics.aggregator.start();
  metrics.aggregator.endWindowAt(startedAt + plan.durationMs);
  view.startAt(startedAt);
  hub.dashboard.setCountdown({ endsAt: startedAt + plan.durationMs, totalS: plan.durationMs / 1000, label: 'demo' });

  let lastReport: LoadgenTickReport | undefined;
  let p99: number | undefined;
  let latest: Snapshot | undefined;
  let shown: Snapshot | undefined;
  const offSnapshot = metrics.aggregator.onSnapshot((s: Snapshot) => {
    latest = s;
    lastReport = s.loadgen.find((r) => r.source === 'demo') ?? lastReport;
    // A tick without deliveries has no latency: keep the last one that had.
    if (lastReport && lastReport.latencyMs.corrected.count > 0) p99 = lastReport.latencyMs.corrected.p99;
    if (s.time - (shown?.time ?? startedAt) >= STATUS_EVERY_MS - 100) {
      shown = s;
      view.line(statusLine(s, p99));
    }
  });
  const barTimer = setInterval(() => view.bar(), 1000);
  view.bar();
  const tail = f.tail ? new ChatTail({ events: hub.events, write: (l) => view.line(l), colour: colorEnabled(io.env, io.out) }) : undefined;

  const request = await whichEndFirst(plan.durationMs, child.exited, stop.signalled);
  // The measured window ends here; the drain that follows is folded into its last tick.
  metrics.aggregator.endWindowAt(Date.now());
  // The last status line is the window's last tick, not a tick of the drain.
  if (latest !== undefined && latest !== shown) view.line(statusLine(latest, p99));
  // From here on a second Ctrl-C stops the loadgen at once; the results are still written.
  const hurry = () => {
    view.line('stopping the load generator at once: its figures will be partial (its last /ingest report)');
    child.stopNow();
  };
  stop.off();
  for (const sig of STOP_SIGNALS) process.on(sig, hurry);
  let exit: LoadgenExit;
  try {
    if (request.reason === 'completed') {
      view.line('time is up: waiting for the load generator\'s last deliveries');
      exit = await Promise.race([child.exited, delay(OVERTIME_MS).then(() => child.stop(3000))]);
    } else if (request.reason === 'signal') {
      view.line(`stopping early (${request.signal}); Ctrl-C again to stop the load generator at once`);
      exit = await child.stop(4000);
    } else {
      exit = await child.exited;
      const failure = describeLoadgenFailure(exit);
      io.err.write(`\nchatpulse demo: ${failure ?? 'the load generator ended before the planned time'}; ending the demo\n`);
    }
    clearInterval(barTimer);
    offSnapshot();
    tail?.close();
    view.close();
    return await endDemo({
      hub, io, request, exit, lastReport, startedAt, plan, config, db, dashboard, chat, thresholds: f.threshold,
    });
  } finally {
    clearInterval(barTimer);
    stop.off();
    for (const sig of STOP_SIGNALS) process.off(sig, hurry);
    process.off('exit', killChild);
  }
}

/** Ctrl-C, `kill`, and the terminal closing (SIGHUP) all end the demo the same way, results written. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Stop signals from now on: `signalled` resolves with the first. */
function listenForStop(): { signalled: Promise<NodeJS.Signals>; off(): void } {
  let onSignal: (sig: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (sig) => resolve(sig);
  });
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  return { signalled, off: () => { for (const sig of STOP_SIGNALS) process.off(sig, onSignal); } };
}

/** The load generator's first connection (or its end, a stop signal, or LOAD_START_LIMIT_MS). */
function loadBegins(hub: Hub, loadgenExited: Promise<unknown>, signalled: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    // The first connection of any client: the loadgen's, unless someone beats it by a moment.
    const off = hub.events.on('connect', done);
    const timer = setTimeout(done, LOAD_START_LIMIT_MS);
    void loadgenExited.then(done);
    void signalled.then(done);
  });
}

/** Resolves with the first of: the planned time, a stop signal, the loadgen exiting. */
function whichEndFirst(ms: number, loadgenExited: Promise<LoadgenExit>, signalled: Promise<NodeJS.Signals>): Promise<EndRequest> {
  return new Promise((resolve) => {
    const finish = (r: EndRequest) => {
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => finish({ reason: 'completed', signal: null }), ms);
    void signalled.then((signal) => finish({ reason: 'signal', signal }));
    void loadgenExited.then(() => finish({ reason: 'loadgen-ended', signal: null }));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
