import { didYouMean } from './did-you-mean.js';
import { UsageError } from './flags.js';
import { benchCommand } from './bench-command.js';
import { clientCommand } from './client-command.js';
import { demoCommand } from './demo-command.js';
import { loadgenCommand } from './loadgen-command.js';
import { compareCommand } from './compare-command.js';
import { importCommand } from './import-command.js';
import { reportCommand } from './report-command.js';
import { runsCommand } from './runs-command.js';
import { serverCommand } from './server-command.js';
import type { Command } from './command.js';

const commands: Record<string, Command> = {
  demo: demoCommand,
  server: serverCommand,
  loadgen: loadgenCommand,
  compare: compareCommand,
  report: reportCommand,
  import: importCommand,
  runs: runsCommand,
  client: clientCommand,
  bench: benchCommand,
};

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`);
  return ['usage: chatpulse <command> [flags]', '', 'commands:', ...rows, '', 'Run `chatpulse <command> --help` for its flags.'].join('\n');
}

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  // Asked for, the usage is the answer (exit 0); with no command at all it is the error (exit 2).
  if (name === undefined) {
    console.error(usage());
    process.exit(2);
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (command === undefined) {
    const near = didYouMean(name, Object.keys(commands));
    const hint = near ? `did you mean ${near}?` : `commands: ${Object.keys(commands).join(', ')}`;
    console.error(`chatpulse: unknown command '${name.slice(0, 40)}' (${hint})`);
    process.exit(2);
  }
  try {
    const code = await command.run(rest);
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`chatpulse ${name}: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}
