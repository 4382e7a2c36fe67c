import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { elapsedUs } from '../../loadgen/clock.js';
import { ConnectAttempt } from '../../loadgen/connect-attempt.js';

/** A manual clock and the three histograms as plain lists of recorded µs. */
function setup() {
  const clock = { t: 0 };
  const h = { connect: [] as number[], handshake: [] as number[], firstLine: [] as number[] };
  const rec = (list: number[]) => ({ recordValue: (us: number) => void list.push(us) });
  const a = new ConnectAttempt(() => clock.t, { connect: rec(h.connect), handshake: rec(h.handshake), firstLine: rec(h.firstLine) });
  return { clock, h, a };
}

test('elapsedUs: whole µs between two epoch ms, 0 if the clock went back', () => {
  assert.is(elapsedUs(1000, 1002.5), 2500);
  assert.is(elapsedUs(1000, 1000.0004), 0);
  assert.is(elapsedUs(1000, 1000.0006), 1);
  assert.is(elapsedUs(1000, 999), 0);
});

test('plain TCP: connect and first line from the dial, no handshake; only the first line is timed', () => {
  const { clock, h, a } = setup();
  a.begin(1000, '');
  clock.t = 1002.25;
  a.tcpConnected();
  a.ready();
  clock.t = 1010;
  a.line();
  clock.t = 1020;
  a.line();
  assert.equal(h, { connect: [2250], handshake: [], firstLine: [10_000] });
});

test('TLS: the handshake counts from TCP connected to secure, once', () => {
  const { clock, h, a } = setup();
  a.begin(1000, 'tls');
  clock.t = 1001;
  a.tcpConnected();
  clock.t = 1004.5;
  a.ready();
  a.ready();
  clock.t = 1006;
  a.line();
  assert.equal(h, { connect: [1000], handshake: [3500], firstLine: [6000] });
});

test('a new attempt starts afresh: its first line is timed again', () => {
  const { clock, h, a } = setup();
  a.begin(0, '');
  clock.t = 5;
  a.line();
  a.begin(100, '');
  clock.t = 107;
  a.line();
  assert.equal(h.firstLine, [5000, 7000]);
});

test('failures: named by the socket error, or the handshake once TLS got TCP up', () => {
  const { clock, a } = setup();
  clock.t = 1000;
  a.begin(1000, '');
  assert.is(a.failed('ECONNREFUSED'), 'connect_refused');
  assert.is(a.failed('ECONNRESET'), 'connection_reset');
  assert.is(a.failed('EPIPE'), 'broken_pipe');
  assert.is(a.failed('ETIMEDOUT'), 'connect_timeout');
  assert.is(a.failed('EHOSTUNREACH'), 'socket_ehostunreach');
  assert.is(a.failed(undefined), 'socket_error');
  assert.is(a.timedOut(), 'connect_timeout');
  a.begin(1000, 'tls');
  assert.is(a.failed('ECONNREFUSED'), 'connect_refused', 'TLS, but TCP never came up');
  assert.is(a.timedOut(), 'connect_timeout');
  clock.t = 1003;
  a.tcpConnected();
  assert.is(a.failed('ECONNRESET'), 'tls_handshake');
  assert.is(a.timedOut(), 'tls_handshake_timeout');
  a.ready();
  assert.is(a.failed('ECONNRESET'), 'connection_reset', 'secure: no longer the handshake');
});

test.run();
