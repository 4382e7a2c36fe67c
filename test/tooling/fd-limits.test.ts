// Scenario 5's open-file plan (bench/fd-limits.ts): read from /proc/self/limits' text, and past the
// hard limit the most that fits, with the exact command the full count needs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FD_MARGIN, planConnections, readFdLimits } from '../../bench/fd-limits.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             unlimited            unlimited            processes
Max open files            1024                 20000                files
Max locked memory         8388608              8388608              bytes
`;

test('reads soft and hard open-file limits; unlimited is Infinity', () => {
  assert.equal(readFdLimits(LIMITS), { soft: 1024, hard: 20_000 });
  assert.equal(readFdLimits(LIMITS.replace('1024                 20000', 'unlimited            unlimited')).hard, Number.POSITIVE_INFINITY);
  assert.throws(() => readFdLimits('Max processes 1 1'), /Max open files/);
});

test('within the hard limit: every connection runs, each child under connections + margin', () => {
  assert.equal(planConnections(5000, { soft: 1024, hard: 20_000 }), { connections: 5000, fdLimit: 5000 + FD_MARGIN });
});

test('past the hard limit: the most that fits, and what the full count needs', () => {
  const plan = planConnections(100_000, { soft: 20_000, hard: 20_000 });
  assert.is(plan.connections, 20_000 - FD_MARGIN);
  assert.is(plan.fdLimit, 20_000);
  assert.match(plan.shortfall ?? '', 'needs 100,100 file descriptors in each of the server and the driver: run `ulimit -n 110000` (hard limit now 20,000');
  assert.match(plan.shortfall ?? '', 'running 19,900');
});

test.run();
