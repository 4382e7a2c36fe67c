import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { killLeftovers, runCli } from '../helpers/cli.js';

test.after.each(killLeftovers);

/** No npm in the child's environment, whatever ran these tests (`npm test` sets npm_lifecycle_event). */
const NO_NPM = { npm_lifecycle_event: undefined, npm_config_minutes: undefined };

async function usageLine(args: string[], env: NodeJS.ProcessEnv = NO_NPM): Promise<string> {
  const p = runCli(args, { env });
  const { code } = await p.exited();
  assert.is(code, 2, `${args.join(' ')}: ${p.stderr()}`);
  assert.is(p.stdout(), '');
  const err = p.stderr().trim();
  assert.is(err.split('\n').length, 1, err);
  return err;
}

test('`npm run demo --minutes 1` (no --): npm took the flag; the one line says so and what to type', async () => {
  const env = { ...NO_NPM, npm_lifecycle_event: 'demo', npm_config_minutes: 'true' };
  assert.is(
    await usageLine(['demo', '1'], env),
    "chatpulse demo: unexpected argument '1' — npm passes flags to chatpulse only after --: npm run demo -- --minutes 1",
  );
  assert.is(await usageLine(['demo', '1']), "chatpulse demo: unexpected argument '1' (flags start with --)");
});

test('a mistyped flag or command gets the nearest one; a far one gets none', async () => {
  assert.is(await usageLine(['demo', '--minuts', '1']), 'chatpulse demo: unknown flag --minuts (did you mean --minutes?)');
  assert.is(await usageLine(['loadgen', '--clinets', '5']), 'chatpulse loadgen: unknown flag --clinets (did you mean --clients?)');
  assert.is(await usageLine(['lodgen']), "chatpulse: unknown command 'lodgen' (did you mean loadgen?)");
  assert.is(await usageLine(['frobnicate']), "chatpulse: unknown command 'frobnicate' (commands: demo, server, loadgen, compare, report, import, runs, client, bench)");
  assert.is(await usageLine(['constructor']), "chatpulse: unknown command 'constructor' (commands: demo, server, loadgen, compare, report, import, runs, client, bench)");
});

test('one line naming the flag, exit 2: a flag the command does not take, one given twice, a value refused after parsing', async () => {
  // compare writes its own folder (--results-dir): the loadgen's single-run --out is not one of its flags.
  assert.match(await usageLine(['compare', '--target', 'a=tcp://127.0.0.1:1', '--out', 'x']), /^chatpulse compare: unknown flag --out /);
  // Refused after parsing, still named as typed.
  assert.match(await usageLine(['loadgen', '--port', '1', '--nick-prefix', 'bad prefix']), /^chatpulse loadgen: --nick-prefix must be 1-20 letters, digits, - \., got "bad prefix"$/);
  assert.is(await usageLine(['server', '--port', '0', '--http-port', '0', '--host', '999.1.1.1']), 'chatpulse server: --host: address 999.1.1.1 is not known (no such host; e.g. 127.0.0.1 is this machine)');
  assert.is(await usageLine(['server', '--port', '0', '--http-port', '0', '--http-host', '192.0.2.1']), 'chatpulse server: --http-host: address 192.0.2.1 is not on this machine');
  assert.is(await usageLine(['server', '--port', '0', '--port', '5']), 'chatpulse server: --port given twice (0, then 5): give it once');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatpulse-usage-'));
  try {
    assert.is(await usageLine(['demo', '--port', '0', '--http-port', '0', '--host', '192.0.2.1', '--results-dir', tmp]), 'chatpulse demo: --host: address 192.0.2.1 is not on this machine');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('no command prints the command list to stderr and exits 2; --help prints it to stdout and exits 0', async () => {
  const bare = runCli([], { env: NO_NPM });
  assert.is((await bare.exited()).code, 2);
  assert.is(bare.stdout(), '');
  assert.match(bare.stderr(), /^usage: chatpulse <command> \[flags\]/);
  assert.match(bare.stderr(), /\n {2}loadgen {3}/);
  const help = runCli(['--help'], { env: NO_NPM });
  assert.is((await help.exited()).code, 0);
  assert.is(help.stderr(), '');
  assert.is(help.stdout(), bare.stderr());
});

test('compare --help names no loadgen flag it does not take (its targets carry host and port)', async () => {
  const help = runCli(['compare', '--help'], { env: NO_NPM });
  assert.is((await help.exited()).code, 0);
  assert.match(help.stdout(), /^ {2}--protocol /m);
  assert.not.match(help.stdout(), /--host\b|--port\b/);
});

test.run();
