import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { didYouMean, editDistance } from '../../cli/did-you-mean.js';
import { flag, parseFlags, UsageError } from '../../cli/flags.js';

test('edit distance counts inserts, deletes, substitutions and a swapped pair once', () => {
  assert.is(editDistance('minutes', 'minutes'), 0);
  assert.is(editDistance('minuts', 'minutes'), 1);
  assert.is(editDistance('lodgen', 'loadgen'), 1);
  assert.is(editDistance('mintues', 'minutes'), 1);
  assert.is(editDistance('clinets', 'clients'), 1);
  assert.is(editDistance('rmos', 'rooms'), 2);
  assert.is(editDistance('', 'abc'), 3);
  assert.is(editDistance('kitten', 'sitting'), 3);
});

const commands = ['demo', 'server', 'loadgen', 'compare', 'client', 'bench'];

test('suggests only a close name: two edits, one for short names, or a prefix of one name', () => {
  assert.is(didYouMean('lodgen', commands), 'loadgen');
  assert.is(didYouMean('sever', commands), 'server');
  assert.is(didYouMean('compaer', commands), 'compare');
  assert.is(didYouMean('dmo', commands), 'demo');
  assert.is(didYouMean('DEMO', commands), 'demo');
  assert.is(didYouMean('load', commands), 'loadgen', 'a prefix');
  assert.is(didYouMean('cl', commands), undefined, 'prefix too short');
  assert.is(didYouMean('metrics', ['metrics-public', 'minutes']), undefined, 'a whole word is not a short longer name');
  assert.is(didYouMean('metr', ['metrics-public', 'minutes']), 'metrics-public');
  assert.is(didYouMean('bnch', commands), 'bench');
  assert.is(didYouMean('deom', commands), 'demo', 'a swap is one edit');
  assert.is(didYouMean('dome', commands), undefined, 'two edits from demo is too far for four letters');
  assert.is(didYouMean('frobnicate', commands), undefined);
  assert.is(didYouMean('x', commands), undefined);
  assert.is(didYouMean('', commands), undefined);
  assert.is(didYouMean('c'.repeat(100), commands), undefined);
});

function usageError(argv: string[], env: Record<string, string> = {}): string {
  const spec = { minutes: flag.number(10, 'run length'), clients: flag.int(300, 'clients'), open: flag.bool(false, 'open'), noMetrics: flag.bool(false, 'no metrics') };
  try {
    parseFlags(argv, spec, env);
  } catch (err) {
    assert.instance(err, UsageError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

test('an unknown flag names the nearest one, its --no- form for a boolean, or none when nothing is close', () => {
  assert.is(usageError(['--minuts', '1']), 'unknown flag --minuts (did you mean --minutes?)');
  assert.is(usageError(['--clinets=5']), 'unknown flag --clinets (did you mean --clients?)');
  assert.is(usageError(['--no-opne']), 'unknown flag --no-opne (did you mean --no-open?)');
  assert.is(usageError(['--no-metric']), 'unknown flag --no-metric (did you mean --no-metrics?)');
  assert.is(usageError(['--colour']), 'unknown flag --colour (see --help)');
});

test('a value flag given twice is refused, naming both values: the second must not quietly win', () => {
  assert.is(usageError(['--minutes', '1', '--clients', '5', '--minutes=2']), '--minutes given twice (1, then 2): give it once');
  // A boolean may be set and unset: the last word wins, as with --no-open after --open.
  assert.is(parseFlags(['--open', '--no-open'], { open: flag.bool(false, 'open') }).open, false);
});

test("a bare value npm left behind names the flag npm took, from npm's environment", () => {
  const npm = { npm_lifecycle_event: 'demo', npm_config_minutes: 'true' };
  assert.is(usageError(['1'], npm), "unexpected argument '1' — npm passes flags to chatpulse only after --: npm run demo -- --minutes 1");
  assert.is(
    usageError(['1'], { ...npm, npm_config_open: 'true' }),
    "unexpected argument '1' — npm passes flags to chatpulse only after --: npm run demo -- --minutes 1 --open",
  );
  assert.is(
    usageError(['1', '50'], { ...npm, npm_config_clients: 'true' }),
    "unexpected argument '1' — npm passes flags to chatpulse only after --: npm run demo -- --minutes … --clients …",
  );
  // Not from npm, or npm took none of this command's flags: the plain message.
  assert.is(usageError(['1']), "unexpected argument '1' (flags start with --)");
  assert.is(usageError(['1'], { npm_lifecycle_event: 'test' }), "unexpected argument '1' (flags start with --)");
  assert.is(usageError(['1'], { npm_config_minutes: 'true' }), "unexpected argument '1' (flags start with --)");
});

test.run();
