/**
 * When a reader is too slow (server/queued-connection.ts): judged by the output it leaves unsent,
 * not by the size of one turn. The transport here is a stand-in whose unsent bytes the test sets,
 * because a real socket's backlog depends on kernel buffers no test can hold still; the real
 * sockets are in limits.test.ts (a burst to fast readers, a reader that stops reading).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { QueuedConnection } from '../../server/queued-connection.js';
import { WriteCoalescer } from '../../server/write-coalescer.js';
import { sleep } from '../helpers/line-client.js';

const KIB = 1024;

class StandIn extends QueuedConnection {
  readonly transport = 'test';
  readonly remote = 'test';
  /** Unsent bytes the "socket" holds: what it was handed, less what the test says was taken. */
  backlog = 0;
  written = 0;
  overruns = 0;
  protected transportBacklog(): number {
    return this.backlog;
  }
  protected writeBatch(_chunks: Buffer[], bytes: number): void {
    this.written += bytes;
    this.backlog += bytes;
  }
  destroy(): void {}
  protected overrun(): void {
    this.overruns++;
  }
  protected closeAfterFlush(): void {}
}

const conn = () => new StandIn(new WriteCoalescer(), 64 * KIB);
const turn = (c: StandIn, kib: number) => {
  c.send(Buffer.alloc(kib * KIB, 120));
  c.flush();
};

test('a turn of twice the limit to a reader with nothing unsent is written, not cut off', () => {
  const c = conn();
  turn(c, 128);
  assert.equal([c.overruns, c.written], [0, 128 * KIB]);
  c.backlog = 0; // taken at once
  turn(c, 200);
  assert.equal([c.overruns, c.written], [0, 328 * KIB]);
});

test('unsent output over the limit for a second: too slow, and that turn is dropped', async () => {
  const c = conn();
  turn(c, 100); // 100 KiB unsent: over 64 KiB, under the bound
  turn(c, 1);
  assert.is(c.overruns, 0, 'over the limit only just now');
  await sleep(1100);
  turn(c, 1);
  assert.equal([c.overruns, c.written], [1, 101 * KIB]);
  assert.is(c.closeCause, 'slow_consumer');
});

test('a reader that catches up in time is not cut off, and its next burst starts a fresh second', async () => {
  const c = conn();
  turn(c, 100);
  turn(c, 1); // over the limit from now
  await sleep(600);
  c.backlog = 10 * KIB; // it read most of it
  turn(c, 1);
  turn(c, 100);
  await sleep(600);
  turn(c, 1); // over again, 1.2 s after it first was: but only for 0.6 s
  assert.is(c.overruns, 0);
});

test('whatever it reads, unsent output may not pass 4 × the limit', () => {
  const c = conn();
  turn(c, 200);
  turn(c, 57); // 257 KiB would be unsent: over 256
  assert.equal([c.overruns, c.written], [1, 200 * KIB]);
});

test.run();
