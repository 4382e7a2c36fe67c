import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReachTracker, reachWindowMs, UnreachableError, describeDialError } from '../../loadgen/target-reach.js';

const counts = (c: Partial<{ attempts: number; connected: number; failed: number; firstAttemptMs: number; error: string }>) =>
  ({ attempts: 0, connected: 0, failed: 0, firstAttemptMs: 0, error: '', ...c });

test('the window: the ramp, at least 5 s, at most 15 s', () => {
  assert.is(reachWindowMs(0), 5000);
  assert.is(reachWindowMs(8000), 8000);
  assert.is(reachWindowMs(60_000), 15_000);
});

test('a target is unreachable once attempts failed, none connected, and the window since the first attempt passed', () => {
  const r = new ReachTracker(3);
  // Two workers: target 0 reached by one of them; target 1 only failed; target 2 not tried yet.
  r.add([
    { reach: [counts({ attempts: 2, failed: 2, firstAttemptMs: 1000, error: 'connection refused' }), counts({ attempts: 1, failed: 1, firstAttemptMs: 1200, error: 'connection refused' }), counts({})] },
    { reach: [counts({ attempts: 1, connected: 1, firstAttemptMs: 900 }), counts({ attempts: 1, failed: 1, firstAttemptMs: 1100, error: 'connection reset' })] },
    {},
  ]);
  assert.equal(r.unreachable(6099, 5000, false), [], 'not yet: 1100 + 5000 > 6099');
  assert.equal(r.unreachable(6100, 5000, false), [{ target: 1, error: 'connection reset' }]);
  assert.equal(r.unreachable(1500, 5000, true), [{ target: 1, error: 'connection reset' }], 'at the end of a short run, at once');
  r.add([{ reach: [counts({}), counts({ attempts: 1, connected: 1, firstAttemptMs: 1100 }), counts({})] }]);
  assert.equal(r.unreachable(99_000, 5000, true), [], 'one success is enough');
});

test('the one line names each address and error', () => {
  const e = new UnreachableError([{ address: '127.0.0.1:1', error: 'connection refused' }, { address: '[::1]:2', error: 'host unreachable' }], 'within 5 s');
  assert.is(e.message, 'cannot reach 127.0.0.1:1: connection refused; [::1]:2: host unreachable (no client connected within 5 s)');
  assert.is(e.code, 'LOADGEN_UNREACHABLE');
  const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.is(describeDialError(err, ''), 'connection refused');
  assert.is(describeDialError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'tls'), 'TLS handshake failed: self-signed certificate');
  assert.is(describeDialError(Object.assign(new Error('odd'), { code: 'EWHATEVER' }), ''), 'odd');
  assert.is(describeDialError(new Error('Unexpected server response: 404'), 'ws'), 'WebSocket handshake failed: Unexpected server response: 404');
});

test.run();
