import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { DemoSummary } from '../../cli/demo/summary.js';
import { runCli, withDefaults, type CliProcess } from './cli.js';

export type CsvRow = Record<string, string>;

export interface DemoResults {
  folder: string;
  rooms: CsvRow[];
  totals: CsvRow[];
  wide: CsvRow[];
  summary: DemoSummary;
  markdown: string;
}

function csv(file: string): CsvRow[] {
  return parse(fs.readFileSync(file), { bom: true, columns: true }) as CsvRow[];
}

/** Reads every file of a demo's results folder (throws if one is missing). */
export function readResults(folder: string): DemoResults {
  return {
    folder,
    rooms: csv(path.join(folder, 'rooms.csv')),
    totals: csv(path.join(folder, 'totals.csv')),
    wide: csv(path.join(folder, 'mps_by_room.csv')),
    summary: JSON.parse(fs.readFileSync(path.join(folder, 'summary.json'), 'utf8')) as DemoSummary,
    markdown: fs.readFileSync(path.join(folder, 'summary.md'), 'utf8'),
  };
}

export const sum = (rows: CsvRow[], column: string): number => rows.reduce((a, r) => a + Number(r[column]), 0);

/** `chatpulse demo` as a child process on free ports; resolves once it has said where it listens. */
export async function startDemo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ proc: CliProcess; chatPort: number; httpPort: number; runId: string }> {
  const proc = runCli(['demo', ...withDefaults(args, { '--port': '0', '--http-port': '0' })], { env });
  const chat = await proc.waitFor(/chat listening on [\d.]+:(\d+)/);
  const http = await proc.waitFor(/dashboard on http:\/\/[\d.]+:(\d+)/);
  const run = await proc.waitFor(/^run (\S+): /m);
  return { proc, chatPort: Number(chat[1]), httpPort: Number(http[1]), runId: run[1] as string };
}

/** The last status line a demo printed (`[0:05/0:06] messages 176 (46.0/s)  busiest …  clients 50  p99 6.2 ms`), parsed. */
export function lastStatusLine(stdout: string): { line: string; messages: number; mps: number; rooms: string; clients: number; p99: number } | undefined {
  const all = [...stdout.matchAll(/^\[[\d:/]+\] messages (\d+) \(([\d.]+)\/s\) {2}(.*) {2}clients (\d+) {2}p99 (\S+)/gm)];
  const m = all[all.length - 1];
  if (m === undefined) return undefined;
  return { line: m[0], messages: Number(m[1]), mps: Number(m[2]), rooms: m[3] as string, clients: Number(m[4]), p99: Number(m[5]) };
}

/** The loadgen child's pid, from the demo's own line. */
export async function loadgenPid(proc: CliProcess): Promise<number> {
  return Number((await proc.waitFor(/loadgen started \(pid (\d+)\)/))[1]);
}

/**
 * For `finally`: a demo still running (a failed assertion) is killed with its loadgen child, by
 * their own pids. A demo that exited has already stopped its child.
 */
export function killDemo(proc: CliProcess | undefined, loadgen: number | undefined): void {
  if (proc === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  for (const pid of [loadgen, proc.child.pid]) {
    if (pid === undefined) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
