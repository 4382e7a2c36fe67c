import { runDemo } from './demo/run-demo.js';
import { demoFlags, planDemo } from './demo-flags.js';
import type { Command } from './command.js';
import { parseCommandFlags } from './parse-command-flags.js';

const spec = demoFlags;

export const demoCommand: Command = {
  summary: 'server + dashboard + load generator for --minutes, countdown, then results/<run-id>/ with CSV, a summary and report.html',
  async run(argv) {
    const f = parseCommandFlags(argv, spec, { usage: 'chatpulse demo [flags]', summary: demoCommand.summary, footer: EXAMPLE });
    if (f === undefined) return 0;
    const plan = planDemo(f);
    return runDemo(f, plan, { out: process.stdout, err: process.stderr, env: process.env });
  },
};

const EXAMPLE = `
The load generator runs as a child process (chatpulse loadgen) reporting to /ingest; its
--threshold, --seed, --pm, --switch, --size, --ramp and --workers flags pass through.
Ctrl-C (or SIGTERM, SIGHUP) ends early and still writes every file; a second Ctrl-C stops the load
generator at once (its figures are then partial: its last /ingest report). The countdown starts when
the load begins; what follows the scheduled end (the last deliveries, the goodbyes) is counted in the
run's last tick. Exit code: 0 when the demo ran (also when stopped early, once or twice), 1 when a
--threshold failed, the load generator failed or a port was busy, 2 for a bad flag.
Old runs are pruned from the store at start as by chatpulse server (--keep-runs, --keep-days).

examples:
  npm run demo -- --minutes 10
  chatpulse demo --minutes 0.5 --clients 50 --tail
  chatpulse demo --minutes 5 --clients 1000 --rooms 20 --open --threshold 'p99<50ms'
  chatpulse demo --port 0 --http-port 0 --results-dir /tmp/demo-results`;
