import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario, resolveLoadOptions, runLoad, ScenarioError, type LoadgenTickReport } from '../../loadgen/index.js';
import { FakeChatPeer } from '../helpers/fake-chat-peer.js';
import { startTestServer } from '../helpers/chat-server.js';

test('scenario phases change the achieved rate as declared; a disconnect storm reconnects clients', async () => {
  const scenario = parseScenario(JSON.stringify({
    clients: 20, rate: 2,
    phases: [
      { type: 'ramp', duration: '500ms' },
      { type: 'steady', duration: '1500ms' },
      { type: 'spike', duration: '1500ms', rate: 10 },
      { type: 'disconnect', duration: '1500ms', share: 0.5 },
    ],
  }), { clients: 300, rate: 1 });
  const peer = await new FakeChatPeer().listen();
  const ticks: LoadgenTickReport[] = [];
  try {
    const s = await runLoad(
      { port: peer.port, scenario, rooms: 2, pm: 0, switch: 0, users: 0, workers: 1, interval: 500, lossTimeout: 500, inflight: 0 },
      { onTick: (r) => ticks.push(r) },
    );
    // Ticks end at 0.5 s, 1 s, …: ticks 3–4 lie in the steady phase (0.5–2 s), 6–7 in the spike (2–3.5 s).
    const rate = (from: number, to: number) => ticks.slice(from - 1, to).reduce((a, t) => a + t.sent, 0) / ((to - from + 1) * 0.5);
    const steady = rate(3, 4);
    const spike = rate(6, 7);
    assert.ok(Math.abs(steady - 40) <= 40 * 0.5, `steady ${steady}/s, declared 20 × 2 = 40/s`);
    assert.ok(Math.abs(spike - 200) <= 200 * 0.3, `spike ${spike}/s, declared 20 × 10 = 200/s`);
    assert.ok(s.clients.reconnects >= 5 && s.clients.reconnects <= 15, `about half of 20 reconnect (${s.clients.reconnects})`);
    assert.is(s.clients.connects, 20 + s.clients.reconnects);
  } finally {
    await peer.close();
  }
});

test('a disconnect storm is the generator\'s outage: messages due while a client was dropped count from its return, never from before it', async () => {
  // The server's own clock marks when each client was back in its room (its join, handled before the
  // client can know it is back); every message's intended time must not be earlier than its sender's
  // last join. Before, messages due during the storm's outage counted from their due time: the
  // generator's own reconnect read as server latency (corrected p99 ~55 ms against ~4.5 ms without storms).
  const srv = await startTestServer();
  const lastJoin = new Map<string, number>();
  const early: string[] = [];
  let messages = 0;
  srv.events.on('join', (e) => lastJoin.set(e.nick, Date.now()));
  srv.events.on('message', (e) => {
    const m = /^~[^.]+\.\d+\.\d+\.(\d+)\./.exec(e.text);
    if (!m) return;
    messages++;
    const intendedMs = Number(m[1]) / 1000;
    const joined = lastJoin.get(e.nick) ?? 0;
    if (intendedMs < joined - 2) early.push(`${e.nick}: intended ${intendedMs.toFixed(1)}, back at ${joined}`);
  });
  try {
    const scenario = parseScenario(JSON.stringify({
      clients: 12, rate: 8,
      phases: [{ type: 'ramp', duration: '300ms' }, { type: 'steady', duration: '700ms' }, { type: 'disconnect', duration: '1500ms', share: 1 }, { type: 'steady', duration: '1s' }],
    }), { clients: 300, rate: 1 });
    const s = await runLoad({ port: srv.port, scenario, rooms: 1, pm: 0.3, switch: 0, users: 0, workers: 1, interval: 250, lossTimeout: 1000 });
    assert.ok(s.clients.reconnects >= 10, `the storm dropped them (${s.clients.reconnects} reconnects)`);
    // PMs to clients the storm had dropped and that were not back yet: refused rightly, not the server's error.
    assert.equal(s.errors, {}, JSON.stringify(s.errors));
    assert.equal([s.messages.lost, s.messages.unexpected], [0, 0]);
    assert.ok(messages > 100, `${messages} messages`);
    assert.equal(early, [], 'messages charged with time from before their sender was back');
  } finally {
    await srv.stop();
  }
});

test('scenario validation names the problem', () => {
  const bad: [unknown, RegExp][] = [
    ['{', /not valid JSON/],
    [{}, /"phases" must be a non-empty array/],
    [{ phases: [{ type: 'wobble', duration: '1s' }] }, /phases\[0\]\.type must be one of ramp, steady, spike, disconnect/],
    [{ phases: [{ type: 'steady', duration: 'soon' }] }, /phases\[0\]\.duration must be a duration/],
    [{ phases: [{ type: 'disconnect', duration: '1s', share: 2 }] }, /phases\[0\]\.share/],
    [{ phases: [{ type: 'ramp', duration: '1s', clients: 10 }, { type: 'ramp', duration: '1s', clients: 5 }] }, /phases\[1\]\.clients must not be below/],
    [{ phases: [{ type: 'steady', duration: '1s', share: 0.5 }] }, /share only applies to a disconnect/],
    [{ rate: 'x', phases: [] }, /"rate" must be a number/],
    [{ colour: 1, phases: [] }, /"colour" is not a scenario field/],
  ];
  for (const [input, re] of bad) {
    try {
      parseScenario(typeof input === 'string' ? input : JSON.stringify(input), { clients: 10, rate: 1 }, 's.json');
      assert.unreachable(`accepted ${JSON.stringify(input)}`);
    } catch (err) {
      assert.instance(err, ScenarioError);
      assert.match((err as Error).message, re);
      assert.match((err as Error).message, /^s\.json: /);
    }
  }
});

test('a scenario takes users as it takes switch, and a bad value of its own is named as the scenario field, not as a flag', () => {
  const sc = parseScenario(JSON.stringify({ users: 0.1, switch: 0.05, phases: [{ type: 'steady', duration: '1s', rate: 1 }] }), { clients: 10, rate: 1 });
  assert.equal([sc.users, sc.switch], [0.1, 0.05]);
  assert.is(resolveLoadOptions({ scenario: sc, pm: 0 }).users, 0.1);
  const refused = (over: Record<string, unknown>) => {
    try {
      resolveLoadOptions({ scenario: parseScenario(JSON.stringify({ ...over, phases: [{ type: 'steady', duration: '1s', rate: 1 }] }), { clients: 10, rate: 1 }) });
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  assert.is(refused({ rooms: 0 }), 'scenario "rooms" must be a whole number from 1 to 10000, got 0');
  assert.is(refused({ size: 99_999 }), 'scenario "size" must be a whole number of bytes from 1 to 4000, got 99999');
  assert.is(refused({ users: 2 }), 'scenario "users" must be a share from 0 to 1, got 2');
});

test.run();
