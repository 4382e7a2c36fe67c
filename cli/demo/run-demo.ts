import type { LoadgenTickReport } from '../../loadgen/index.js';
import type { Snapshot } from '../../metrics/index.js';
import { connectHost, loadgenArgs, urlHost, type DemoFlags, type DemoPlan } from '../demo-flags.js';
import { defaultDbPath, startHub, type Hub } from '../hub.js';
import { describeListenError } from '../server-command.js';
import { ChatTail, colorEnabled } from './chat-tail.js';
import { describeLoadgenFailure, startLoadgenChild, type LoadgenExit } from './loadgen-child.js';
import { openBrowser } from './open-browser.js';
import { endDemo, type EndRequest } from './end-demo.js';
import { clock, statusLine, TerminalView } from './terminal-view.js';

export interface DemoIo {
  out: NodeJS.WriteStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** A status line this often (or every tick, if ticks are longer). */
const STATUS_EVERY_MS = 5000;
/** After the countdown: the loadgen drains in-flight deliveries (its loss timeout is 5 s) and reports. */
const OVERTIME_MS = 12_000;

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
  try {
    hub = await startHub({ ...f, noMetrics: false, graceMs: f.grace, db, config });
  } catch (err) {
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
  const startedAt = Date.now();
  hub.dashboard.setCountdown({ endsAt: startedAt + plan.durationMs, totalS: plan.durationMs / 1000, label: 'demo' });
  const view = new TerminalView({ out: io.out, tty: io.out.isTTY === true, totalMs: plan.durationMs, startedAt, columns: io.out.columns || 80 });
  const child = startLoadgenChild({
    args: loadgenArgs(f, plan, { host: connectHost(hub.chat.address.address), port: hub.chat.address.port, ingest: `ws://${httpHost}:${hub.http.address.port}/ingest` }),
    onWarn: (line) => view.line(line),
  });
  const killChild = () => child.kill();
  process.on('exit', killChild);
  view.line(`loadgen started (pid ${child.pid ?? '?'}), reporting to /ingest`);
  if (f.open) void openBrowser(dashboard, io.env).then((m) => view.line(m));

  let lastReport: LoadgenTickReport | undefined;
  let lastStatus = startedAt;
  const offSnapshot = metrics.aggregator.onSnapshot((s: Snapshot) => {
    lastReport = s.loadgen.find((r) => r.source === 'demo') ?? lastReport;
    if (s.time - lastStatus >= STATUS_EVERY_MS - 100) {
      lastStatus = s.time;
      view.line(statusLine(s, lastReport?.latencyMs.corrected.p99));
    }
  });
  const barTimer = setInterval(() => view.bar(), 1000);
  view.bar();
  const tail = f.tail ? new ChatTail({ events: hub.events, write: (l) => view.line(l), colour: colorEnabled(io.env, io.out) }) : undefined;

  const request = await whichEndFirst(plan.durationMs, child.exited);
  // From here on a second Ctrl-C stops the loadgen at once; the results are still written.
  const hurry = () => {
    view.line('stopping the load generator now');
    child.kill();
  };
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
    for (const sig of STOP_SIGNALS) process.off(sig, hurry);
    process.off('exit', killChild);
  }
}

/** Ctrl-C, `kill`, and the terminal closing (SIGHUP) all end the demo the same way, results written. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Resolves with the first of: the planned time, a stop signal, the loadgen exiting. */
function whichEndFirst(ms: number, loadgenExited: Promise<LoadgenExit>): Promise<EndRequest> {
  return new Promise((resolve) => {
    const finish = (r: EndRequest) => {
      clearTimeout(timer);
      for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
      resolve(r);
    };
    const onSignal = (signal: NodeJS.Signals) => finish({ reason: 'signal', signal });
    const timer = setTimeout(() => finish({ reason: 'completed', signal: null }), ms);
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
    void loadgenExited.then(() => finish({ reason: 'loadgen-ended', signal: null }));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
