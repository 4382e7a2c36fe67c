import { defaultLoadOptions, formatSummary, LoadOptionsError, nothingMeasured, percentileSpectrum, prepareRunFolder, RunFolderError, tickPoint, writeRunFolder, splitTargetSpec, runLoad, type LoadOptions, type LoadSummary, type ReportData } from '../loadgen/index.js';
import { Progress } from '../loadgen/progress.js';
import { parseFlags, UsageError } from './flags.js';
import { loadgenFlags, loadOptionsUsage } from './loadgen-flags.js';
import { abortOnSignals, STOPPED_EARLY_EXIT } from './abort-on-signals.js';
import { readFlagFile, readSpecFile, scenarioOptions } from './flag-files.js';
import type { Command } from './command.js';
import { parseCommandFlags } from './parse-command-flags.js';

const spec = loadgenFlags;

export const loadgenCommand: Command = {
  summary: 'simulated chat clients against a server: latency, delivery accounting, thresholds',
  async run(argv) {
    const f = parseCommandFlags(argv, spec, { usage: 'chatpulse loadgen [flags]', summary: loadgenCommand.summary, footer: EXAMPLE });
    if (f === undefined) return 0;
    const options = toOptions(f, argv.some((a) => a === '--duration' || a.startsWith('--duration=')));
    if (f.out) {
      try {
        prepareRunFolder(f.out);
      } catch (err) {
        if (err instanceof RunFolderError) throw new UsageError(`--out: ${err.message}`);
        throw err;
      }
    }
    const ticks: ReportData['ticks'] = [];
    let spectrum: ReportData['spectrum'] = { corrected: [], uncorrected: [] };
    const reportToken = f.reportToken || process.env.CHATPULSE_TOKEN || '';
    const controller = new AbortController();
    const releaseSignals = abortOnSignals(controller);
    const progress = new Progress(process.stderr, { durationMs: durationOf(options), intervalMs: options.interval ?? 1000, tty: process.stderr.isTTY === true });
    const table = f.json ? process.stderr : process.stdout;
    try {
      const summary = await runLoad(options, {
        signal: controller.signal,
        thresholds: f.threshold,
        ...(f.report ? { report: f.report } : {}),
        ...(reportToken ? { reportToken } : {}),
        ...(f.metricsPort >= 0 ? { metricsPort: f.metricsPort } : {}),
        onMetricsPort: (port) => process.stderr.write(`loadgen metrics on http://127.0.0.1:${port}/metrics\n`),
        onWarn: (m) => process.stderr.write(`chatpulse loadgen: ${m}\n`),
        onTick: (r) => {
          progress.onTick(r);
          if (f.out) ticks.push(tickPoint(r));
        },
        onRunHistograms: (h) => {
          if (f.out) spectrum = { corrected: percentileSpectrum(h.corrected), uncorrected: percentileSpectrum(h.uncorrected) };
        },
      });
      progress.done();
      table.write(`${formatSummary(summary)}\n`);
      if (f.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      if (f.out) {
        writeRunFolder(f.out, { summary, ticks, spectrum });
        process.stderr.write(`chatpulse loadgen: wrote summary.json, summary.md and report.html to ${f.out}\n`);
      }
      if (summary.stoppedEarly) {
        console.error(`chatpulse loadgen: stopped early after ${Math.round(summary.durationS * 10) / 10} s of ${summary.plannedS} s (exit ${STOPPED_EARLY_EXIT})`);
        return STOPPED_EARLY_EXIT;
      }
      if (nothingMeasured(summary)) {
        const kinds = Object.entries(summary.errors).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none reported';
        console.error(`chatpulse loadgen: no message was sent or received, so nothing was measured (errors: ${kinds})${nothingMeasuredHint(summary)}`);
        return 1;
      }
      return summary.ok ? 0 : 1;
    } catch (err) {
      progress.done();
      if (err instanceof LoadOptionsError) throw loadOptionsUsage(err);
      console.error(`chatpulse loadgen: ${(err as Error).message}`);
      // A script reading stdout gets a record it can parse, not an empty file.
      if (f.json) process.stdout.write(`${JSON.stringify({ ok: false, error: (err as Error).message })}\n`);
      return 1;
    } finally {
      releaseSignals();
    }
  },
};

type Flags = ReturnType<typeof parseFlags<typeof spec>>;

function toOptions(f: Flags, durationGiven = false): Partial<LoadOptions> {
  if (f.report) {
    let ok = false;
    try {
      ok = /^wss?:$/.test(new URL(f.report).protocol);
    } catch {}
    if (!ok) throw new UsageError(`--report expects a ws://host:port/ingest URL, got '${f.report.slice(0, 80)}'`);
  }
  if (f.pm + f.switch + f.users > 1) throw new UsageError(`--pm + --switch + --users must be at most 1, got ${f.pm + f.switch + f.users}`);
  // Unset: the default ramp, shortened for short runs so that `--duration 5s` works as typed.
  if (f.ramp < 0) f.ramp = Math.min(defaultLoadOptions.ramp, Math.floor(f.duration / 5));
  if (f.ramp > f.duration) throw new UsageError(`--ramp (${f.ramp / 1000}s) must not exceed --duration (${f.duration / 1000}s)`);
  // A wss:// target brings its own TLS (and --tls is refused beside it), so it takes the certificate flags too.
  const secure = f.tls || f.target.some((t) => /^wss:\/\//i.test(t));
  if (f.tlsInsecure && !secure) throw new UsageError('--tls-insecure needs --tls or a wss:// target');
  if (f.tlsCa && !secure) throw new UsageError('--tls-ca needs --tls or a wss:// target');
  if (f.reportToken && !f.report) throw new UsageError('--report-token needs --report');
  const { help: _h, threshold: _t, json: _j, out: _out, report: _r, reportToken: _rt, metricsPort: _m, scenario: file, tlsCa: caFile, target, spec: specFile, ...rest } = f;
  // A target may carry its spec as `?spec=FILE`; one run speaks one app, so they must agree.
  const split = target.map(splitTargetSpec);
  const files = [...new Set([specFile, ...split.map((t) => t.specFile)].filter((x) => x !== ''))];
  if (files.length > 1) throw new UsageError(`one run speaks one app: --spec and ?spec= name ${files.length} files (${files.join(', ')}); compare runs several`);
  const o: Partial<LoadOptions> = { ...rest, targets: split.map((t) => t.url) };
  if (files[0]) o.spec = readSpecFile(files[0], files[0] === specFile ? '--spec' : '?spec=');
  if (caFile) {
    o.tlsCa = readFlagFile('--tls-ca', caFile);
    if (!o.tlsCa.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--tls-ca: '${caFile}' is not a PEM certificate`);
  }
  if (file) Object.assign(o, scenarioOptions(file, f, durationGiven));
  return o;
}

/**
 * Why a run that asked for traffic saw none, as far as its figures tell, said as a question. A TLS
 * server answers plain text by closing the connection before any line; a server of another protocol
 * closes it, or says nothing, or answers lines that never complete a login (IRC spoken to an MQTT
 * broker, a chatpulse client to an IRC server): "errors: none reported" alone left the user guessing.
 */
function nothingMeasuredHint(s: LoadSummary): string {
  if (s.connect.connectMs.count === 0) return '';
  const protocol = s.config.protocol;
  const onlyCloses = Object.keys(s.errors).length > 0 && Object.keys(s.errors).every((k) => k === 'connection_closed' || k === 'connection_reset');
  const plain = !s.config.tls && !s.targets.some((t) => t.startsWith('wss:'));
  if (s.connect.firstLineMs.count === 0) {
    if (onlyCloses && plain) return ` — the server closed every connection before its first line: does it speak TLS? (add --tls) Or another protocol than ${protocol}?`;
    return ` — clients connected, but the server ${onlyCloses ? 'closed every connection before' : 'never sent'} its first line: does it speak ${protocol}?`;
  }
  // Logged in and in a room: the load itself sent nothing (with one client a PM has nobody to go to).
  if (s.commands.join.count > 0) {
    const alone = s.clients.planned === 1 && s.config.pm > 0 ? '; with one client a PM has nobody to go to' : '';
    return ` — clients logged in and joined their rooms, but the load sent no message (--pm ${s.config.pm}, --switch ${s.config.switch}, --users ${s.config.users}${alone})`;
  }
  return ` — the server answered, but no client got through its ${protocol} login: does it speak ${protocol} (the target's scheme, or --protocol)?`;
}

function durationOf(o: Partial<LoadOptions>): number {
  return o.duration ?? 60_000;
}

const EXAMPLE = `
exit codes:
  0  the run completed and every --threshold held
  1  a --threshold failed, nothing was measured, or a target could not be reached: no client connected
     within min(max(--ramp, 5s), 15s) of the first attempt (or by the end of a shorter run)
  2  a bad flag or --scenario file (one line naming it)
  3  stopped early by Ctrl-C or SIGTERM: the summary covers only the part that ran ("stoppedEarly": true)
  130  a second Ctrl-C quit at once, without a summary

examples:
  chatpulse loadgen --clients 500 --duration 60s
  chatpulse loadgen --protocol irc --port 6667 --clients 200 --rate 0.5     (any IRC server)
  chatpulse loadgen --target 127.0.0.1:5555 --target 127.0.0.1:5556         (two nodes, one ledger)
  chatpulse loadgen --target ws://127.0.0.1:8080/chat/ws --clients 200      (the server's WebSocket lines)
  chatpulse loadgen --target wsjson://127.0.0.1:3001/chat --spec examples/ws-json-chat/spec.json   (your JSON app)
  chatpulse loadgen --target socketio://127.0.0.1:3000 --spec examples/socketio-chat/spec.json     (your Socket.IO app)
  chatpulse loadgen --clients 1000 --rate 0.5 --threshold 'p99<50ms' --threshold 'loss<0.1%'
  chatpulse loadgen --scenario spike.json --json > result.json
  chatpulse loadgen --clients 200 --duration 30s --out runs/first        (then open runs/first/report.html)
  chatpulse loadgen --report ws://127.0.0.1:8080/ingest --metrics-port 9465
  chatpulse loadgen --host chat.example --tls --tls-ca server-cert.pem --report ws://chat.example:8080/ingest --report-token "$TOKEN"`;
