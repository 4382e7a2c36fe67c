import { flag, formatDuration, UsageError, type ParsedFlags } from './flags.js';
import { loadgenFlags } from './loadgen-flags.js';
import { serverFlags } from './server-flags.js';

/** The demo is its metrics: `--no-metrics` makes no sense here. */
const { noMetrics: _noMetrics, ...demoServerFlags } = serverFlags;

/** Longest ramp a demo uses unless told: 10 s, but at most a fifth of the run. */
export const DEFAULT_RAMP_MS = 10_000;

/**
 * `chatpulse demo` flags (DESIGN §1, §11): its own, the loadgen flags that make sense in a demo
 * (passed through to the loadgen child), then every server flag.
 */
export const demoFlags = {
  minutes: flag.number(10, 'how long the load runs, in minutes; fractions are fine (0.25 = 15 s)', { min: 0.01, max: 7 * 24 * 60 }),
  clients: loadgenFlags.clients,
  rooms: loadgenFlags.rooms,
  rate: loadgenFlags.rate,
  open: flag.bool(false, 'open the dashboard in your browser (xdg-open on Linux, open on macOS, url.dll on Windows)'),
  tail: flag.bool(false, 'show a sample of the chat itself, a few lines a second, each nickname in its own colour'),
  threshold: loadgenFlags.threshold,
  ramp: { ...flag.duration(-1, 'clients connect evenly over this long', { min: 0 }), defaultLabel: '10s, at most a fifth of the run' },
  seed: loadgenFlags.seed,
  pm: loadgenFlags.pm,
  switch: loadgenFlags.switch,
  size: loadgenFlags.size,
  workers: loadgenFlags.workers,
  ...demoServerFlags,
  label: flag.string('demo', 'run label, part of the run id (results/<time>-<label>/)', { maxLength: 64 }),
};

export type DemoFlags = ParsedFlags<typeof demoFlags>;

/** What the flags mean once checked together: the run length and the ramp, in ms. */
export interface DemoPlan {
  durationMs: number;
  rampMs: number;
}

/** Cross-flag checks; each failure names the flag. */
export function planDemo(f: DemoFlags): DemoPlan {
  const durationMs = Math.max(1, Math.round(f.minutes * 60_000));
  const rampMs = f.ramp >= 0 ? f.ramp : Math.min(DEFAULT_RAMP_MS, Math.floor(durationMs / 5));
  if (rampMs > durationMs) {
    throw new UsageError(`--ramp (${formatDuration(rampMs)}) must not exceed the run (--minutes ${f.minutes} = ${formatDuration(durationMs)})`);
  }
  // The loadgen spends 1% of actions on /users; the rest is shared by --pm, --switch and messages.
  if (f.pm + f.switch > 0.99) throw new UsageError(`--pm + --switch must be at most 0.99, got ${f.pm + f.switch}`);
  if (f.redis && !/^rediss?:\/\/[^\s]+$/.test(f.redis)) {
    throw new UsageError(`--redis expects a URL like redis://127.0.0.1:6379, got '${f.redis.slice(0, 60)}'`);
  }
  if (f.nodeId && !/^[\w.:-]+$/.test(f.nodeId)) throw new UsageError(`--node-id expects letters, digits and _ . : -, got '${f.nodeId}'`);
  return { durationMs, rampMs };
}

/** The loadgen child's arguments (after `loadgen`): the demo's load flags plus where to aim and report. */
export function loadgenArgs(f: DemoFlags, plan: DemoPlan, target: { host: string; port: number; ingest: string }): string[] {
  const args = [
    '--host', target.host, '--port', String(target.port),
    '--clients', String(f.clients), '--rooms', String(f.rooms), '--rate', String(f.rate),
    '--duration', `${plan.durationMs}ms`, '--ramp', `${plan.rampMs}ms`,
    '--seed', String(f.seed), '--pm', String(f.pm), '--switch', String(f.switch), '--size', String(f.size),
    '--workers', String(f.workers), '--label', 'demo', '--report', target.ingest, '--json',
  ];
  for (const t of f.threshold) args.push('--threshold', t);
  return args;
}

/** An address to connect to for one we listen on: a wildcard bind is reached on loopback. */
export function connectHost(bound: string): string {
  if (bound === '0.0.0.0' || bound === '') return '127.0.0.1';
  if (bound === '::') return '::1';
  return bound;
}

/** `ws://…` / `http://…` host part (IPv6 in brackets). */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
