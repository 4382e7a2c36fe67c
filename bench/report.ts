import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeDir } from '../protocol/make-dir.js';

/** One figure of a scenario, with its goal when the issue sets one. */
export interface BenchRow {
  scenario: string;
  case: string;
  figure: string;
  value: number;
  unit: string;
  goal?: string;
  /** True/false when a goal applies, undefined when the row is informational. */
  met?: boolean;
}

export function machine(): Record<string, string | number> {
  return { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 1024 ** 3), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

export function markdownTable(rows: BenchRow[]): string {
  const head = '| scenario | case | figure | value | goal | met |\n|---|---|---|---:|---|---|';
  const body = rows.map((r) => `| ${r.scenario} | ${r.case} | ${r.figure} | ${fmt(r.value)} ${r.unit} | ${r.goal ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'no'} |`);
  return [head, ...body].join('\n');
}

/** Writes results/bench-<time>.json and .md; returns the two paths. */
export function writeBenchFiles(dir: string, rows: BenchRow[], startedAt: Date, note?: string): [string, string] {
  makeDir(dir);
  const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const base = path.join(dir, `bench-${stamp}`);
  const m = machine();
  fs.writeFileSync(`${base}.json`, `${JSON.stringify({ startedAt: startedAt.toISOString(), machine: m, ...(note ? { smoke: true, note } : {}), rows }, null, 2)}\n`);
  const md = [`# chatpulse bench${note ? ' (smoke run)' : ''}, ${startedAt.toISOString()}`, '', `Machine: ${m.cores} cores, ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`, '',
    ...(note ? [note, ''] : []), markdownTable(rows), ''].join('\n');
  fs.writeFileSync(`${base}.md`, md);
  return [`${base}.json`, `${base}.md`];
}
