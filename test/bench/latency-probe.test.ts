/**
 * The latency bench's driver (bench/latency-probe.ts): its send lines carry the intended time the
 * probes parse back, and against a real server the probes' lines are counted and their times read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { measureLatency, sendLines } from '../../bench/latency-probe.js';
import { startTestServer } from '../helpers/chat-server.js';

test('send lines: "x t<µs>\\n" per intended time, 16 digits, rounded to the µs', () => {
  const first = 1_765_000_000_123_456.4;
  const out = sendLines(first, 250.5, 4).toString('latin1');
  const want = [0, 1, 2, 3].map((m) => `x t${Math.round(first + m * 250.5)}\n`).join('');
  assert.is(out, want);
  assert.is(out.split('\n')[0]?.length, 19);
});

test('against a real server: the probes receive about what was offered and parse a time from each line', async () => {
  const srv = await startTestServer({ maxRate: 0 });
  try {
    const r = await measureLatency({ port: srv.port, members: 6, senders: 2, probes: 2, rate: 2000, warmupMs: 300, measureMs: 700 });
    // Counts, not times: the probes saw about what was offered (the window's edges cut a few lines).
    assert.ok(r.achievedDeliveriesPerSec > 0.8 * r.offeredDeliveriesPerSec, `${r.achievedDeliveriesPerSec} of ${r.offeredDeliveriesPerSec}`);
    assert.ok(r.achievedDeliveriesPerSec < 1.2 * r.offeredDeliveriesPerSec, `${r.achievedDeliveriesPerSec} of ${r.offeredDeliveriesPerSec}`);
    // Each probe line read back its intended time: about 2 probes × 2000 msg/s × 0.7 s samples.
    assert.ok(r.samples > 0.8 * 2000 * 0.7 * 2, `${r.samples} samples`);
    assert.ok(r.p50Ms > 0 && r.maxMs >= r.p99Ms);
  } finally {
    await srv.stop();
  }
});

test.run();
