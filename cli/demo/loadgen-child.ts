import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadSummary } from '../../loadgen/index.js';
import { STOPPED_EARLY_EXIT } from '../abort-on-signals.js';

/** The built bin, found from this file (dist/cli/demo/ → bin/), so it works from any cwd. */
export const CHATPULSE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/chatpulse.js');

export interface LoadgenExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The `--json` record, when the child printed one. */
  summary: LoadSummary | undefined;
  /** True when the demo asked it to stop (early end or overtime): then its end is never a failure. */
  stopRequested: boolean;
  /**
   * True when the demo killed it at once (a second Ctrl-C, or it outlived the polite stop): it had no
   * time to print its summary, so its figures are partial (its last `/ingest` report).
   */
  stoppedAtOnce: boolean;
  /** The last lines it wrote to stderr, for a crash report. */
  stderrTail: string[];
}

export interface LoadgenChild {
  readonly pid: number | undefined;
  readonly exited: Promise<LoadgenExit>;
  readonly running: boolean;
  /** Polite stop (SIGTERM: the loadgen drains briefly and prints its summary), then SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<LoadgenExit>;
  /** The demo's own decision to stop it at once (a second Ctrl-C): SIGKILL, recorded as `stoppedAtOnce`. */
  stopNow(): void;
  /** At once; safe in a process 'exit' handler. */
  kill(): void;
}

export interface LoadgenChildOptions {
  /** Arguments after `chatpulse loadgen`. */
  args: string[];
  /** Its own complaints (`chatpulse loadgen: …` lines) as they come. */
  onWarn?: (line: string) => void;
  /** @default CHATPULSE_BIN */
  bin?: string;
}

const TAIL_LINES = 20;
/** `loadgen/progress.ts`'s plain line. */
const PROGRESS_LINE = /^\[\s*\d+s\/\d+s\] clients /;

/**
 * The load generator as a child process, so that it never steals the server's event loop (DESIGN §2).
 * Its own process group (`detached`): a terminal's Ctrl-C reaches only the demo, which then stops the
 * child once — two signals would make the loadgen quit without its summary.
 */
export function startLoadgenChild(opts: LoadgenChildOptions): LoadgenChild {
  const child = spawn(process.execPath, [opts.bin ?? CHATPULSE_BIN, 'loadgen', ...opts.args], {
    stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let partial = '';
  const tail: string[] = [];
  let stopRequested = false;
  let stoppedAtOnce = false;
  let running = true;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    // One JSON record at the end; bounded in case something else floods stdout.
    stdout = (stdout + d).slice(-4 << 20);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.replace(/\r/g, '').trimEnd();
      if (line === '') continue;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      // Its "stopped early" line answers the demo's own stop, which the demo already announces.
      if (line.startsWith('chatpulse loadgen:') && !(stopRequested && line.startsWith('chatpulse loadgen: stopped early'))) opts.onWarn?.(line);
    }
  });
  const exited = new Promise<LoadgenExit>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      running = false;
      if (partial.trim()) tail.push(partial.trim());
      resolve({ code, signal, summary: parseSummary(stdout), stopRequested, stoppedAtOnce, stderrTail: tail.slice() });
    };
    child.on('error', (err) => {
      tail.push(`could not start: ${err.message}`);
      finish(null, null);
    });
    child.on('close', finish);
  });
  return {
    get pid() {
      return child.pid;
    },
    exited,
    get running() {
      return running;
    },
    stop(graceMs) {
      if (running) {
        stopRequested = true;
        child.kill('SIGTERM');
        const force = setTimeout(() => {
          stoppedAtOnce = true;
          child.kill('SIGKILL');
        }, graceMs);
        void exited.then(() => clearTimeout(force));
      }
      return exited;
    },
    stopNow() {
      if (!running) return;
      stopRequested = stoppedAtOnce = true;
      child.kill('SIGKILL');
    },
    kill() {
      if (running) child.kill('SIGKILL');
    },
  };
}

/** The last stdout line that is a loadgen summary record. */
export function parseSummary(stdout: string): LoadSummary | undefined {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] as string).trim();
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as { type?: unknown };
      if (v.type === 'loadgen-summary') return v as LoadSummary;
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

/**
 * One line saying how the child ended, when that was a failure. A child the demo stopped itself
 * never failed, whatever its exit: killed at once by a second Ctrl-C, or ending with the loadgen's
 * own "stopped early" code (which, unasked, is reported).
 */
export function describeLoadgenFailure(e: LoadgenExit): string | undefined {
  if (e.stopRequested) return undefined;
  if (e.summary && (e.code === 0 || e.code === 1)) return undefined;
  const how = e.signal ? `was killed by ${e.signal}`
    : e.code === null ? 'could not be started'
    : e.code === STOPPED_EARLY_EXIT && e.summary ? `was stopped early by a signal the demo did not send (exit ${e.code})`
    : `exited with code ${e.code}`;
  // Its progress lines (`[  5s/60s] clients …`) say nothing about why it ended.
  const last = e.stderrTail.filter((l) => !/^\s*$/.test(l) && !PROGRESS_LINE.test(l)).slice(-1)[0];
  return `the load generator ${how}${e.summary ? '' : ' without its summary'}${last ? ` (last words: ${last.slice(0, 200)})` : ''}`;
}
