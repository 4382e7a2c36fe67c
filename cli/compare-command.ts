import fs from 'node:fs';
import { compareMarkdown, defaultFindMax, runCompare, thresholdLine, writeCompareFiles, type CompareRow } from '../compare/index.js';
import { defaultLoadOptions, LoadOptionsError, nothingMeasured, splitTargetSpec, type LoadOptions, type ProtocolSpec } from '../loadgen/index.js';
import { Progress } from '../loadgen/progress.js';
import { flag, UsageError } from './flags.js';
import { loadgenFlags, loadOptionsUsage } from './loadgen-flags.js';
import { abortOnSignals, STOPPED_EARLY_EXIT } from './abort-on-signals.js';
import { readSpecFile, scenarioOptions } from './flag-files.js';
import type { Command } from './command.js';
import { parseCommandFlags } from './parse-command-flags.js';
import { makeDir } from '../protocol/make-dir.js';

// The loadgen's flags, less those that name one server or one output; compare's own on top.
const { host: _h, port: _p, target: _t, spec: _sp, threshold, json: _j, metricsPort: _m, label: _l, out: _o, ...load } = loadgenFlags;
const fm = defaultFindMax;

const spec = {
  target: flag.list('NAME=PROTO://HOST:PORT, NAME=ws://HOST:PORT/PATH, NAME=wsjson://HOST:PORT/PATH or NAME=socketio://HOST:PORT[/NAMESPACE], repeatable (e.g. inspircd=irc://127.0.0.1:6667); a spec-driven one may carry its own ?spec=FILE; ratios are to the first', (raw) => raw),
  spec: flag.string('', 'JSON file describing the app of every wsjson:// or socketio:// target without its own ?spec=FILE'),
  ...load,
  // compare has no --host/--port: the loadgen's help for it would name them.
  protocol: { ...load.protocol, help: 'protocol of a target given as NAME=HOST:PORT, without PROTO:// (wsjson and socketio take --spec)' },
  duration: flag.duration(30_000, 'how long each run lasts', { min: 1, max: 86_400_000 }),
  ramp: { ...flag.duration(-1, 'clients connect evenly over this long (part of each run)', { min: 0 }), defaultLabel: `${defaultLoadOptions.ramp / 1000}s, at most a fifth of --duration` },
  threshold: { ...threshold, help: `${threshold.help}; judged for each target's run (not the find-max steps), and any that fails makes the exit code 1` },
  repeat: flag.int(1, 'runs per target, in alternating order (A B, B A, …)', { min: 1, max: 20 }),
  findMax: flag.bool(false, "then step each target's rate up until it fails; report the highest sustained rate"),
  maxP99: flag.duration(fm.maxP99Ms, 'find-max: a step fails above this corrected p99', { min: 1, max: 600_000 }),
  maxLoss: flag.number(fm.maxLossPercent, 'find-max: a step fails above this loss, in percent', { min: 0, max: 100 }),
  maxSteps: flag.int(fm.maxSteps, 'find-max: at most this many steps per target', { min: 1, max: 30 }),
  maxTime: flag.duration(fm.maxTimeMs, 'find-max: at most this long per target', { min: 1000, max: 86_400_000 }),
  pause: flag.duration(1000, 'pause between runs', { min: 0, max: 60_000 }),
  resultsDir: flag.string('results', 'compare-<time>/ is written here'),
  json: flag.bool(false, 'print compare.json on stdout (progress and tables go to stderr)'),
};

export const compareCommand: Command = {
  summary: 'the same seeded load against several servers in turn: side-by-side table, CSV, JSON',
  async run(argv) {
    const f = parseCommandFlags(argv, spec, { usage: 'chatpulse compare --target NAME=PROTO://HOST:PORT … [flags]', summary: compareCommand.summary, footer: EXAMPLE });
    if (f === undefined) return 0;
    if (f.target.length === 0) throw new UsageError('--target is required (NAME=PROTO://HOST:PORT, repeatable)');
    if (f.pm + f.switch + f.users > 1) throw new UsageError(`--pm + --switch + --users must be at most 1, got ${f.pm + f.switch + f.users}`);
    // A scenario's phases fix their rates, so find-max's steps would all run the same load under other labels.
    if (f.findMax && f.scenario) throw new UsageError('--find-max steps the --rate up; a --scenario fixes the rate of each phase: use one or the other');
    // Unset: the loadgen's default ramp, shortened for short runs so that `--duration 2s` works as typed.
    if (f.ramp < 0) f.ramp = Math.min(defaultLoadOptions.ramp, Math.floor(f.duration / 5));
    if (f.ramp > f.duration) throw new UsageError(`--ramp (${f.ramp / 1000}s) must not exceed --duration (${f.duration / 1000}s)`);
    if (f.report && !/^wss?:\/\/./.test(f.report)) throw new UsageError(`--report expects a ws://host:port/ingest URL, got '${f.report.slice(0, 80)}'`);
    const { help: _x, target, spec: specFile, repeat, findMax, maxP99, maxLoss, maxSteps, maxTime, pause, resultsDir, json, report, threshold: thresholds, scenario, ...loadFlags } = f;
    const loadOptions: Partial<LoadOptions> = {
      ...loadFlags, ...(specFile && { spec: readSpecFile(specFile) }),
      ...(scenario && scenarioOptions(scenario, f, argv.some((a) => a === '--duration' || a.startsWith('--duration='))))
    };
    // NAME=URL?spec=FILE: that target's own app description; the URL goes on without it.
    const specs: Record<string, ProtocolSpec> = {};
    const targets = target.map((raw) => {
      const eq = raw.indexOf('=');
      const { url, specFile: own } = splitTargetSpec(raw.slice(eq + 1));
      if (own !== '' && eq > 0) specs[raw.slice(0, eq)] = readSpecFile(own, '?spec=');
      return eq > 0 ? `${raw.slice(0, eq + 1)}${url}` : raw;
    });
    const controller = new AbortController();
    const releaseSignals = abortOnSignals(controller);
    const err = process.stderr;
    let progress: Progress | undefined;
    try {
      const result = await runCompare(
        { targets, load: loadOptions, specs, asGiven: { targets: target, ...(specFile && { specFile }) }, repeat, pauseMs: pause, thresholds, ...(findMax ? { findMax: { ...fm, maxP99Ms: maxP99, maxLossPercent: maxLoss, maxSteps, maxTimeMs: maxTime } } : {}) },
        {
          signal: controller.signal,
          ...(report ? { report } : {}),
          onRun: (t, what) => {
            progress = new Progress(err, { durationMs: loadOptions.duration ?? f.duration, intervalMs: f.interval, tty: err.isTTY === true });
            err.write(`== ${t.name} (${t.url}) — ${what}\n`);
          },
          onTick: (_t, r) => progress?.onTick(r),
          onSummary: (_t, s) => {
            progress?.done();
            const c = s.latency.corrected;
            const latency = c.count > 0 ? `p50 ${c.p50} ms, p99 ${c.p99} ms` : 'no latency measured';
            err.write(`   sent ${s.messages.sent}, received ${s.messages.received} (${s.rates.receivedPerS}/s), lost ${s.messages.lost}, ${latency}, errors ${s.errorsTotal}${s.health.trustworthy ? '' : ' — generator saturated'}${nothingMeasured(s) ? ' — NOTHING MEASURED' : ''}\n`);
          },
          onWarn: (m) => err.write(`chatpulse compare: ${m}\n`),
        },
      );
      makeDir(resultsDir);
      const dir = await writeCompareFiles(result, resultsDir);
      (json ? err : process.stdout).write(`\n${compareMarkdown(result)}`);
      if (json) process.stdout.write(`${fs.readFileSync(`${dir}/compare.json`, 'utf8')}`);
      err.write(`results written to ${dir}\n`);
      if (result.stoppedEarly) {
        err.write(`chatpulse compare: stopped early (Ctrl-C or SIGTERM); the results cover only what ran (exit ${STOPPED_EARLY_EXIT})\n`);
        return STOPPED_EARLY_EXIT;
      }
      const which = (x: CompareRow) => `${x.target} (${x.url})${result.config.repeat > 1 ? ` repeat ${x.repeat}` : ''}`;
      for (const x of result.rows) {
        for (const t of x.thresholds) if (!t.ok) err.write(`chatpulse compare: ${which(x)}: threshold FAIL ${thresholdLine(t)}\n`);
      }
      if (result.incomplete) {
        for (const x of result.rows) if (x.status !== 'ok') err.write(`chatpulse compare: ${which(x)}: ${x.status} — ${x.why}\n`);
        for (const m of result.findMax) if (m.failure !== undefined) err.write(`chatpulse compare: ${m.target} (${m.url}): find-max stopped — ${m.failure}\n`);
        return 1;
      }
      return result.thresholdsFailed ? 1 : 0;
    } catch (e) {
      progress?.done();
      if (e instanceof LoadOptionsError) throw loadOptionsUsage(e);
      err.write(`chatpulse compare: ${(e as Error).message}\n`);
      return 1;
    } finally {
      releaseSignals();
    }
  },
};

const EXAMPLE = `
Exit code: 0 when every run completed (and every --threshold held), 1 when a target could not be reached,
a run measured nothing (every login refused, say: its row reads "failed" or "nothing measured", – for
each figure not measured, and the other targets still run and are written) or a --threshold failed, 2 for a bad flag, 3 when Ctrl-C or SIGTERM stopped it
early (what ran is still written, marked "Stopped early"), 130 when a second Ctrl-C quit at once
(nothing written). A password= in a target URL is written and printed as ***.

examples:
  chatpulse compare --target chatpulse=chatpulse://127.0.0.1:5555 --target inspircd=irc://127.0.0.1:6667 \\
                    --clients 200 --rate 1 --duration 30s --repeat 2
  chatpulse compare --target tcp=chatpulse://127.0.0.1:5555 --target ws=ws://127.0.0.1:8080/chat/ws      (one server, two transports)
  chatpulse compare --target tcp=chatpulse://127.0.0.1:5555 --target ws=ws://127.0.0.1:8080/chat/ws \\
                    --target sio=socketio://127.0.0.1:3000?spec=examples/socketio-chat/spec.json   (and a Socket.IO app)
  chatpulse compare --target mine=irc://127.0.0.1:6667 --clients 200 --find-max --max-p99 50ms --max-time 5m
  chatpulse compare --target a=chatpulse://127.0.0.1:5555 --target b=irc://127.0.0.1:6667 \
                    --scenario spike.json --threshold 'p99<50ms' --threshold 'loss<0.1%'   (a CI gate for every target)`;
