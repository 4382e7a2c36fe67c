import { defaultDbPath, startHub, type Hub } from './hub.js';
import { formatDuration, UsageError } from './flags.js';
import type { Command } from './command.js';
import { parseCommandFlags } from './parse-command-flags.js';
import { serverFlags } from './server-flags.js';
import { FileError, securityOptions } from './security-options.js';
import { startBanner } from './start-banner.js';
import { badAddressFlag, describeListenError } from './listen-error.js';
import { stopWithin, untilSignal } from './server-shutdown.js';

const spec = { ...serverFlags };

export const serverCommand: Command = {
  summary: 'chat server (TCP) + dashboard and /metrics (HTTP) until Ctrl-C',
  async run(argv) {
    const f = parseCommandFlags(argv, spec, { usage: 'chatpulse server [flags]', summary: serverCommand.summary, footer: EXAMPLE });
    if (f === undefined) return 0;
    if (f.redis && !/^rediss?:\/\/[^\s]+$/.test(f.redis)) {
      throw new UsageError(`--redis expects a URL like redis://127.0.0.1:6379, got '${f.redis.slice(0, 60)}'`);
    }
    if (f.nodeId && !/^[\w.:-]+$/.test(f.nodeId)) {
      throw new UsageError(`--node-id expects letters, digits and _ . : -, got '${f.nodeId}'`);
    }
    let security;
    try {
      security = securityOptions(f);
    } catch (err) {
      if (err instanceof FileError) {
        console.error(`chatpulse server: ${err.message}`);
        return 1;
      }
      throw err;
    }
    let hub: Hub;
    // Flags go through without the raw TLS port (-1 means "off", which the security options already
    // resolved) and without the token (redacted in the stored config as "(set)").
    const { help: _help, tlsPort: _tlsPort, token: _token, ...config } = f;
    const { notes, ...secure } = security;
    try {
      hub = await startHub({
        ...config, ...secure, graceMs: f.grace, db: f.db || defaultDbPath(f.resultsDir),
        config: { ...config, token: secure.token ?? '' }, reportOnClose: true,
      });
    } catch (err) {
      const flag = badAddressFlag(err, { '--host': f.host, '--http-host': f.httpHost });
      if (flag !== undefined) throw new UsageError(`${flag}: ${describeListenError(err)}`);
      console.error(`chatpulse server: ${describeListenError(err)}`);
      return 1;
    }
    for (const line of [...startBanner(hub), ...notes]) console.log(line);
    const metrics = hub.metrics;
    if (metrics) {
      for (const id of metrics.aborted) console.log(`run ${id} was left running by a process that is gone; marked aborted`);
      const prev = metrics.previousRun;
      console.log(prev ? `previous run: ${prev.id} (${prev.status}, ${prev.ticks} ticks)` : 'previous run: none');
      console.log(`run ${metrics.run.id}: metrics every ${formatDuration(f.interval)} at /metrics; CSV on Ctrl-C`);
    } else {
      console.log('metrics off (--no-metrics)');
    }
    await untilSignal();
    console.log('shutting down…');
    try {
      await stopWithin(hub, 4500);
    } catch (err) {
      console.error(`chatpulse server: could not write the run's results: ${(err as Error).message}`);
      return 1;
    }
    if (metrics) console.log(`results written to ${await metrics.close()}`);
    if (hub.report?.file) console.log(`report: ${hub.report.file}${hub.report.summary ? '; summary.json and summary.md beside it' : ''}`);
    if (hub.report?.note) console.log(hub.report.note);
    return 0;
  },
};

const EXAMPLE = `
On Ctrl-C (or SIGTERM) the run is closed into <results-dir>/<run-id>/: rooms.csv, totals.csv,
mps_by_room.csv, summary.json, summary.md (the server's totals, and each load generator that
reported to /ingest) and report.html.

Retention: at start and every 24 h, runs beyond --keep-runs or older than --keep-days leave the
store (one log line says which and the space returned); their results/<run-id>/ folders stay.
Pinned runs (chatpulse runs pin RUN; every report --baseline) are kept. See chatpulse runs --help.

example:
  chatpulse server --port 5555 --http-port 8080 --label baseline
  telnet 127.0.0.1 5555
  curl -s 127.0.0.1:8080/metrics

exposed to other machines (see SECURITY.md):
  chatpulse server --host 0.0.0.0 --http-host 0.0.0.0 --tls-cert cert.pem --tls-key key.pem
  openssl s_client -quiet -connect HOST:5555
  curl -H "Authorization: Bearer $TOKEN" http://HOST:8080/metrics`;
