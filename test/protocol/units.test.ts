import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatBytes, formatDuration, parseBytes, parseDuration } from '../../protocol/index.js';

test('durations: exact values, and what is printed reads back', () => {
  assert.is(parseDuration('90s'), 90_000);
  assert.is(parseDuration('1.5m'), 90_000);
  assert.is(parseDuration('250ms'), 250);
  assert.is(parseDuration('2'), 2000);
  assert.is(parseDuration('1h'), 3_600_000);
  assert.is(parseDuration('-1s'), undefined);
  assert.is(parseDuration('1d'), undefined);
  assert.is(formatDuration(90_000), '90s');
  assert.is(formatDuration(7_200_000), '2h');
  for (const ms of [0, 250, 1000, 90_000, 60_000, 7_200_000]) assert.is(parseDuration(formatDuration(ms)), ms);
});

test('sizes: exact values, and what is printed reads back', () => {
  assert.is(parseBytes('1MiB'), 1_048_576);
  assert.is(parseBytes('64 KiB'), 65_536);
  assert.is(parseBytes('500kb'), 500_000);
  assert.is(parseBytes('4096'), 4096);
  assert.is(parseBytes('1 parsec'), undefined);
  assert.is(formatBytes(1_048_576), '1MiB');
  assert.is(formatBytes(1000), '1000');
  for (const n of [0, 1000, 4096, 65_536, 1_048_576]) assert.is(parseBytes(formatBytes(n)), n);
});

test.run();
