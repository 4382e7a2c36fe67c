import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { epochMs } from '../../loadgen/clock.js';
import { resolveLoadOptions } from '../../loadgen/options.js';
import { buildPlan } from '../../loadgen/plan.js';
import { WorkerEngine } from '../../loadgen/worker-engine.js';
import type { WorkerToMain } from '../../loadgen/worker-messages.js';
import { startTestServer } from '../helpers/chat-server.js';

const CLIENTS = 3;

/**
 * One worker engine in this thread against the real server, seed 5; `blockMs` > 0 holds the event loop
 * that long once the clients are in, as a busy worker would. Returns the room messages the server
 * handled per nickname (their texts, in order) and every socket write the engine made, per socket.
 */
async function run(blockMs: number) {
  const srv = await startTestServer();
  const texts = new Map<string, string[]>();
  srv.events.on('message', (e) => texts.set(e.nick, [...(texts.get(e.nick) ?? []), e.text]));
  const writes = new Map<net.Socket, string[]>();
  const write = net.Socket.prototype.write;
  // Counts the engine's calls on its real sockets (the server's own writes go through its queue, not here).
  net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    if (this.remotePort === srv.port) writes.set(this, [...(writes.get(this) ?? []), String(chunk)]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof write;
  try {
    const options = resolveLoadOptions({ port: srv.port, clients: CLIENTS, rooms: 1, rate: 20, duration: 2500, ramp: 0, pm: 0, switch: 0, users: 0, seed: 5, nickPrefix: 'late' });
    let final!: () => void;
    const done = new Promise<void>((r) => (final = r));
    const engine = new WorkerEngine({ workerIndex: 0, clients: [0, 1, 2], options, plan: buildPlan(options) }, (m: WorkerToMain) => {
      if (m.type === 'final') final();
    });
    engine.onMessage({ type: 'start', startEpochMs: epochMs() });
    await new Promise((r) => setTimeout(r, 700));
    const until = Date.now() + blockMs;
    while (Date.now() < until);
    await new Promise((r) => setTimeout(r, 2500));
    engine.onMessage({ type: 'stop' });
    engine.onMessage({ type: 'close' });
    await done;
    await new Promise((r) => setTimeout(r, 200));
    return { texts, writes };
  } finally {
    net.Socket.prototype.write = write;
    await srv.stop();
  }
}

/** The load messages in one write: `~GID.SEQ.INTENDED.WRITTEN~…` lines. */
const loadLines = (chunk: string) => chunk.split('\n').filter((l) => l.startsWith('~'));

test('a late timer turn: each client sends every message that fell due, in one write, each with its own intended time', async () => {
  const calm = await run(0);
  const late = await run(400);
  assert.is(late.texts.size, CLIENTS);
  for (const [nick, texts] of calm.texts) {
    assert.is(late.texts.get(nick)?.length, texts.length, `${nick}: the schedule sends as many messages either way`);
  }
  assert.is(late.writes.size, CLIENTS);
  for (const chunks of late.writes.values()) {
    // At 20/s, the 400 ms the loop was held left ~8 messages due per client: they go out together.
    const burst = chunks.map(loadLines).reduce((a, b) => (b.length > a.length ? b : a), []);
    assert.ok(burst.length >= 3, `the late turn's messages in one write (largest write: ${burst.length} messages)`);
    const times = burst.map((l) => l.split(/[.~]/).map(Number)).map(([, , , intended, written]) => ({ intended: intended as number, written: written as number }));
    // Written together, but each was due at its own time: corrected latency charges the wait to each.
    const intended = times.map((t) => t.intended);
    assert.equal(intended, [...intended].sort((a, b) => a - b), 'in schedule order');
    assert.is(new Set(intended).size, intended.length, 'each its own intended time');
    assert.ok((times[0]?.written ?? 0) - (times[0]?.intended ?? 0) > 200_000, 'the first of them waited through the held loop');
  }
  // A calm loop writes each message when due, one per write (a rare late timer aside).
  const calmWrites = [...calm.writes.values()].flat().filter((c) => loadLines(c).length > 0);
  const single = calmWrites.filter((c) => loadLines(c).length === 1).length;
  assert.ok(single >= 0.8 * calmWrites.length, `${single} of ${calmWrites.length} calm writes carry one message`);
});

test.run();
