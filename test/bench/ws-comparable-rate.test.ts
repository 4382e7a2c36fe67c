import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { comparableRate } from '../../bench/ws-driver.js';

test('open loop: a target that delivered everything counts as the offered rate, one that fell behind as measured', () => {
  const offered = 800_000;
  // Both kept up; their windowed rates differ by where the window's edges fell.
  const ws = { framesPerSec: 16_000, deliveriesPerSec: 799_851, offeredDeliveriesPerSec: offered, deliveredShare: 1, driverCpu: 0.6 };
  const bare = { framesPerSec: 16_000, deliveriesPerSec: 800_030, offeredDeliveriesPerSec: offered, deliveredShare: 0.9995, driverCpu: 0.6 };
  assert.is(comparableRate(ws) / comparableRate(bare), 1);
  // Fell behind: 36 % arrived, its windowed rate is what it managed.
  const socketio = { framesPerSec: 16_000, deliveriesPerSec: 236_301, offeredDeliveriesPerSec: offered, deliveredShare: 0.361, driverCpu: 0.8 };
  assert.is(comparableRate(socketio), 236_301);
  // Exactly at the line (99.9 %): kept up.
  assert.is(comparableRate({ ...ws, deliveriesPerSec: 799_000, deliveredShare: 0.999 }), offered);
  // Just short of keeping up (99.8 %): measured, not credited.
  assert.is(comparableRate({ ...ws, deliveriesPerSec: 798_400, deliveredShare: 0.998 }), 798_400);
});

test('closed loop: always the measured rate (nothing is offered)', () => {
  assert.is(comparableRate({ framesPerSec: 227_055, deliveriesPerSec: 11_351_096, driverCpu: 1 }), 11_351_096);
});

test.run();
