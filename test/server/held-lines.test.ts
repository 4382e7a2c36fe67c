import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChatCore } from '../../server/index.js';
import type { ClusterLink } from '../../server/cluster-link.js';
import { WriteCoalescer } from '../../server/write-coalescer.js';
import { Recorder } from '../helpers/recording-connection.js';

test('a line held during a nickname claim that hits a bug costs that line, not the server', async () => {
  let grant: (ok: boolean) => void = () => {};
  // A cluster whose claim is answered later, and whose publish fails on one text (a bug, for the test).
  const cluster = {
    nodeId: 'n1',
    up: true,
    claimNick: () => new Promise<boolean>((resolve) => (grant = resolve)),
    releaseNick() {},
    publishMessage(_room: string, _nick: string, text: string, _ts: number) {
      if (text === 'boom') throw new Error('bug in publish');
    },
    publishPresence() {},
    publishPrivate: () => false,
    remoteMembers: () => [],
    remoteRooms: () => new Map(),
    close: async () => {},
  } as unknown as ClusterLink;
  const core = new ChatCore({ maxRate: 0, graceMs: 0 }, { cluster });
  const errors: unknown[] = [];
  core.onInternalError = (err) => errors.push(err);
  const coalescer = new WriteCoalescer(core.afterFlush);
  const conn = new Recorder(coalescer, false);
  const input = core.accept(conn);
  conn.handler = input;
  try {
    for (const line of ['ann', 'boom', 'fine']) input.onLine(Buffer.from(line), false);
    grant(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    coalescer.flushNow();
    assert.equal(errors.map((e) => (e as Error).message), ['bug in publish']);
    const got = conn.received();
    const at = got.findIndex((l) => l.startsWith('! ') && l.includes('internal'));
    assert.ok(at >= 0, got.join(' | '));
    assert.is(got[at + 1], '[main] You: fine', 'the next held line is still handled');
  } finally {
    await core.shutdown(0);
  }
});

test.run();
