import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RunAggregate } from '../../loadgen/aggregate.js';
import { DELIVERY_COUNTERS } from '../../loadgen/delivery-counts.js';
import { WorkerStats } from '../../loadgen/worker-stats.js';

const health = { elu: 0.1, lagP99Ms: 1, lagMaxMs: 2 };

test('every delivery counter a worker counts reaches the tick message and the run totals, and restarts at zero', () => {
  assert.equal(DELIVERY_COUNTERS, ['sent', 'pmSent', 'received', 'duplicated', 'reordered', 'late', 'connects', 'reconnects']);
  const a = new WorkerStats(0);
  const b = new WorkerStats(1);
  DELIVERY_COUNTERS.forEach((k, i) => {
    a[k] = i + 1;
    b[k] = 100 * (i + 1);
  });
  const first = [a.drainTick(1, health), b.drainTick(1, health)];
  DELIVERY_COUNTERS.forEach((k, i) => assert.is(first[0]?.[k], i + 1, `tick message carries ${k}`));
  DELIVERY_COUNTERS.forEach((k) => assert.is(a[k], 0, `${k} restarts at zero`));
  a.sent = 7;
  a.late = 3;
  const run = new RunAggregate(5000, 1000);
  run.mergeTick(1, first, 1000);
  const view = run.mergeTick(2, [a.drainTick(2, health), b.drainTick(2, health)], 2000);
  assert.is(view.sent, 7, 'this tick alone');
  const totals = Object.fromEntries(DELIVERY_COUNTERS.map((k) => [k, run[k]]));
  assert.equal(totals, { sent: 108, pmSent: 202, received: 303, duplicated: 404, reordered: 505, late: 609, connects: 707, reconnects: 808 });
});

test.run();
