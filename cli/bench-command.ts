import { writeBenchFiles, markdownTable, machine, type BenchRow } from '../bench/report.js';
import { stopAll } from '../bench/processes.js';
import { scenarios } from '../bench/scenarios.js';
import { flag, UsageError } from './flags.js';
import type { Command } from './command.js';
import { parseCommandFlags } from './parse-command-flags.js';

const spec = {
  only: flag.list('run only this scenario (repeatable): ' + scenarios.map((s) => s.name).join(', '), (raw, name) => {
    if (!scenarios.some((s) => s.name === raw)) throw new UsageError(`--${name} expects one of ${scenarios.map((s) => s.name).join(', ')}, got '${raw}'`);
    return raw;
  }),
  quick: flag.bool(false, 'short runs: a smoke check, noisier figures'),
  resultsDir: flag.string('results', 'where bench-<time>.json and .md are written'),
};

export const QUICK_NOTE = 'smoke run (--quick): short runs with fewer clients, to check that every scenario works — the figures are not compared with the goals (run without --quick for those)';

export const benchCommand: Command = {
  summary: 'performance benchmarks (not part of npm test): figures and ratios measured in one run',
  async run(argv) {
    const f = parseCommandFlags(argv, spec, { usage: 'chatpulse bench [flags]', summary: benchCommand.summary });
    if (f === undefined) return 0;
    // Stopped from outside (a supervisor's SIGTERM, `kill -INT`, a pipe closed under it): its servers,
    // drivers and their /tmp folders go with it, not left running under init.
    const onSignal = (signal: NodeJS.Signals) => {
      stopAll();
      process.stderr.write(`chatpulse bench: stopped by ${signal}; the servers it started were stopped too, and nothing was written\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal).on('exit', stopAll);
    try {
      return await runBench(f);
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('exit', stopAll);
    }
  },
};

async function runBench(f: { only: string[]; quick: boolean; resultsDir: string }): Promise<number> {
  const startedAt = new Date();
  const m = machine();
  console.log(`machine: ${m.cores} cores, ${m.cpu}, Node ${m.node}`);
  if (f.quick) console.log(QUICK_NOTE);
  const rows: BenchRow[] = [];
  const ctx = { quick: f.quick, log: (l: string) => console.log(`  ${l}`) };
  for (const s of scenarios.filter((s) => f.only.length === 0 || f.only.includes(s.name))) {
    console.log(s.heading?.(ctx) ?? s.title);
    try {
      rows.push(...(await s.run(ctx)));
    } catch (err) {
      // One broken scenario must not cost the figures of the others.
      console.log(`  FAILED: ${(err as Error).message}`);
      rows.push({ scenario: s.name, case: 'scenario failed', figure: (err as Error).message.slice(0, 120), value: Number.NaN, unit: '' });
    }
  }
  // A smoke run's figures come from runs too short to mean anything against a goal: none is judged.
  const shown = f.quick ? rows.map(({ goal: _g, met: _m, ...row }) => row) : rows;
  const note = f.quick ? QUICK_NOTE : undefined;
  if (note) console.log(`\n${note}`);
  console.log(`\n${markdownTable(shown)}\n`);
  const [json, md] = writeBenchFiles(f.resultsDir, shown, startedAt, note);
  console.log(`wrote ${json}\nwrote ${md}`);
  return 0;
}
