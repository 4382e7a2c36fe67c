import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runLoad } from '../../loadgen/index.js';
import { FakeChatPeer } from '../helpers/fake-chat-peer.js';

const base = { clients: 10, rooms: 1, ramp: 0, pm: 0, switch: 0, users: 0, workers: 1, interval: 500, seed: 7 };

test('a 1 s pause: corrected p99 shows it, uncorrected hides it (coordinated omission made visible)', async () => {
  const peer = await new FakeChatPeer().listen();
  const pause = setTimeout(() => peer.pauseFor(1000), 1500);
  try {
    const s = await runLoad({ ...base, port: peer.port, rate: 50, duration: 4000, inflight: 1, lossTimeout: 3000 });
    const c = s.latency.corrected;
    const u = s.latency.uncorrected;
    assert.ok(c.p99 >= 900, `corrected p99 ${c.p99} ms should be about the 1 s pause`);
    assert.ok(u.p99 < c.p99 / 2, `uncorrected p99 ${u.p99} ms should be well below corrected ${c.p99} ms`);
    assert.ok(u.max >= 900, `the few messages caught in flight still show the pause in uncorrected max (${u.max})`);
    const m = s.messages;
    assert.is(m.lost, 0);
    assert.is(m.received, m.expected + m.unexpected, 'every expected delivery arrived');
  } finally {
    clearTimeout(pause);
    await peer.close();
  }
});

test('PMs refused (no such user): the server\'s error once their target had long been due, not while it was just connecting', async () => {
  // The peer refuses every PM. Targets are picked among the clients the plan has connected by then:
  // one refused within a loss timeout of its planned connect may not be logged in yet (the run's own
  // timing, not counted); later ones are the server's answer, counted.
  const peer = await new FakeChatPeer({ refusePms: true }).listen();
  try {
    const s = await runLoad({ ...base, port: peer.port, rate: 10, pm: 0.5, duration: 2500, lossTimeout: 500 });
    const refused = s.errors.no_such_user ?? 0;
    assert.ok(s.messages.pm > 50, `PMs sent: ${s.messages.pm}`);
    assert.ok(refused > 0 && refused < s.messages.pm, `${refused} of ${s.messages.pm} refusals counted`);
    assert.is(s.messages.lost, 0, 'a refused PM has no recipient to lose');
  } finally {
    await peer.close();
  }
});

test('a peer that drops every 10th delivery: loss ≈ 10 % reported, and a lost echo is loss, not latency', async () => {
  const peer = await new FakeChatPeer({ dropEvery: 10 }).listen();
  try {
    // The default schedule (no --inflight): a sender whose echo was dropped does not wait for it.
    const s = await runLoad({ ...base, port: peer.port, rate: 10, duration: 2500, lossTimeout: 2000 });
    const m = s.messages;
    assert.ok(m.expected > 1000, `enough deliveries expected (${m.expected})`);
    assert.is(m.lost, peer.did.dropped, 'every dropped delivery, exactly');
    assert.equal([m.unexpected, m.ambiguous], [0, 0]);
    assert.is(m.expected - m.received, m.lost, 'ledger identity');
    // Waiting out a dropped echo charged the loss timeout (2 s) to corrected latency; the peer answers in ~1 ms.
    const gap = s.latency.corrected.p999 - s.latency.uncorrected.p999;
    assert.ok(gap < 500, `corrected p99.9 ${s.latency.corrected.p999} ms vs uncorrected ${s.latency.uncorrected.p999} ms`);
    assert.ok(m.lossPercent > 8 && m.lossPercent < 12, `loss ${m.lossPercent}%`);
    assert.is(m.received, peer.did.delivered);
    assert.is(m.duplicated, 0);
  } finally {
    await peer.close();
  }
});

test('a peer that duplicates and reorders: both counted, nothing lost', async () => {
  const peer = await new FakeChatPeer({ duplicateEvery: 7, reorderEvery: 11 }).listen();
  try {
    const s = await runLoad({ ...base, port: peer.port, rate: 10, duration: 2000, inflight: 0, lossTimeout: 1000 });
    const m = s.messages;
    assert.is(m.duplicated, peer.did.duplicated);
    assert.ok(m.reordered > 0 && m.reordered <= peer.did.reordered, `reordered ${m.reordered} of ${peer.did.reordered} held back`);
    assert.is(m.lost, 0);
    assert.is(m.received, m.expected + m.unexpected);
  } finally {
    await peer.close();
  }
});

test.run();
