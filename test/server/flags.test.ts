import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flag, parseBytes, parseDuration, parseFlags, UsageError } from '../../cli/flags.js';

const spec = {
  port: flag.int(5555, 'port', { min: 0, max: 65535 }),
  grace: flag.duration(60_000, 'grace'),
  maxQueue: flag.bytes(1024 * 1024, 'queue'),
  noMetrics: flag.bool(false, 'metrics off'),
  open: flag.bool(false, 'open'),
  target: flag.list('targets', (raw) => raw),
  mode: flag.choice('a', ['a', 'b'] as const, 'mode'),
};

test('defaults when nothing is given', () => {
  const f = parseFlags([], spec);
  assert.is(f.port, 5555);
  assert.is(f.grace, 60_000);
  assert.is(f.noMetrics, false);
  assert.equal(f.target, []);
});

test('values, = form, repeatable and boolean flags', () => {
  const f = parseFlags(['--port', '0', '--grace=90s', '--max-queue', '64KiB', '--no-metrics', '--target', 'a', '--target', 'b', '--mode', 'b'], spec);
  assert.is(f.port, 0);
  assert.is(f.grace, 90_000);
  assert.is(f.maxQueue, 65536);
  assert.is(f.noMetrics, true);
  assert.equal(f.target, ['a', 'b']);
  assert.is(f.mode, 'b');
});

test('durations and sizes', () => {
  assert.is(parseDuration('10m'), 600_000);
  assert.is(parseDuration('1h'), 3_600_000);
  assert.is(parseDuration('250ms'), 250);
  assert.is(parseDuration('1.5'), 1500);
  assert.is(parseDuration('ten'), undefined);
  assert.is(parseBytes('1MiB'), 1048576);
  assert.is(parseBytes('2kb'), 2000);
  assert.is(parseBytes('1XB'), undefined);
});

function usageError(argv: string[]): string {
  try {
    parseFlags(argv, spec);
  } catch (err) {
    assert.instance(err, UsageError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${argv.join(' ')}`);
}

test('bad values name the flag, what was expected and what arrived', () => {
  assert.is(usageError(['--port', 'abc']), "--port expects a whole number, got 'abc'");
  assert.is(usageError(['--port', '70000']), "--port expects a whole number from 0 to 65535, got '70000'");
  assert.match(usageError(['--grace', 'soon']), /--grace expects a duration/);
  assert.match(usageError(['--mode', 'c']), /--mode expects one of a, b/);
  assert.match(usageError(['--bogus']), /unknown flag --bogus/);
  assert.match(usageError(['--port']), /--port needs a value/);
  assert.match(usageError(['stray']), /unexpected argument 'stray'/);
  assert.match(usageError(Array(600).fill('--open')), /too many arguments/);
});

test("a repeatable flag's max is how often it may be given: one more is a usage error naming the flag and the limit", () => {
  const capped = { peer: flag.list('peers', (raw) => raw, { max: 2 }), target: flag.list('targets', (raw) => raw) };
  assert.equal(parseFlags(['--peer', 'a', '--peer=b'], capped).peer, ['a', 'b']);
  const err = (() => {
    try {
      parseFlags(['--peer', 'a', '--peer', 'b', '--peer', 'c'], capped);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.instance(err, UsageError);
  assert.is((err as Error).message, '--peer given too many times (at most 2)');
  // Without a max of its own: the default, 64.
  assert.is(parseFlags(Array.from({ length: 64 }, (_, i) => `--target=${i}`), capped).target.length, 64);
  assert.throws(() => parseFlags(Array.from({ length: 65 }, (_, i) => `--target=${i}`), capped), /--target given too many times \(at most 64\)/);
  assert.throws(() => flag.list('x', (raw) => raw, { max: 0 }), /max must be an integer >= 1, got 0/);
});

test.run();
