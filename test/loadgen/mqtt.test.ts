// The mqtt:// adapter: its framing and session without sockets, then real loads against Mosquitto —
// healthy runs at QoS 0 and 1 over MQTT 3.1.1 and 5 (exact membership: nothing lost, unexpected or
// ambiguous), a stalled broker (SIGSTOP) and a killed one restarted on its port.
import mqttPacket from 'mqtt-packet';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getProtocol, LoadOptionsError, newProtocolEvent, parseTarget, runLoad, type LoadgenTickReport } from '../../loadgen/index.js';
import { MqttFrameDecoder } from '../../loadgen/protocols/mqtt-frames.js';
import { mqttParams } from '../../loadgen/protocols/mqtt.js';
import { decodePayload, newPayload, tagBytes } from '../../loadgen/payload.js';
import { sleep } from '../helpers/line-client.js';
import { mosquittoBin, startMosquitto } from '../helpers/mosquitto.js';
import { needing } from '../helpers/require-tool.js';
import { crashDisconnects } from '../helpers/crash.js';

const mqtt = getProtocol('mqtt');
const gen = (p: mqttPacket.Packet, v: 4 | 5 = 4) => mqttPacket.generate(p, { protocolVersion: v });
const publish = (topic: string, text: string, o: { qos?: 0 | 1; v?: 4 | 5; id?: number; props?: boolean } = {}) =>
  gen({
    cmd: 'publish', topic, payload: Buffer.from(text), qos: o.qos ?? 0, retain: false, dup: false,
    ...(o.qos ? { messageId: o.id ?? 7 } : {}),
    ...(o.props ? { properties: { userProperties: { a: 'b' }, contentType: 'text/plain' } } : {}),
  }, o.v ?? 4);

/** Every packet the bytes hold, decoded by mqtt-packet's own parser. */
function decode(bytes: string | Uint8Array, v: 4 | 5 = 4): mqttPacket.Packet[] {
  const out: mqttPacket.Packet[] = [];
  const p = mqttPacket.parser({ protocolVersion: v });
  p.on('packet', (x: mqttPacket.Packet) => out.push(x));
  p.on('error', (e: Error) => assert.unreachable(e.message));
  p.parse(Buffer.from(bytes));
  return out;
}

function framer(max = 1024) {
  const frames: string[] = [];
  let overflows = 0;
  const d = new MqttFrameDecoder(max, { onLine: (f) => frames.push(f.toString('hex')), onOverflow: () => overflows++ });
  return { d, frames, overflows: () => overflows };
}

test('frames: several packets in one chunk, and one packet fed a byte at a time', () => {
  const a = publish('chat/room/r1', 'x'.repeat(200)); // 2-byte remaining length
  const b = gen({ cmd: 'pingresp' });
  const c = gen({ cmd: 'suback', messageId: 3, granted: [0] });
  const f = framer();
  f.d.push(Buffer.concat([a, b, c]));
  assert.equal(f.frames, [a, b, c].map((x) => x.toString('hex')));
  const g = framer();
  const all = Buffer.concat([a, b, c]);
  for (let i = 0; i < all.length; i++) g.d.push(all.subarray(i, i + 1));
  assert.equal(g.frames, f.frames);
  // Split in the middle of the varint, then two and a half packets.
  const h = framer();
  h.d.push(all.subarray(0, 2));
  h.d.push(all.subarray(2, a.length + 1));
  h.d.push(all.subarray(a.length + 1));
  assert.equal(h.frames, f.frames);
});

test('frames: a packet over the limit is refused from its header and skipped, the next one framed', () => {
  const big = publish('chat/room/r1', 'y'.repeat(300));
  const next = gen({ cmd: 'pingresp' });
  const f = framer(100);
  f.d.push(big.subarray(0, 50));
  f.d.push(Buffer.concat([big.subarray(50), next]));
  assert.is(f.overflows(), 1);
  assert.equal(f.frames, [next.toString('hex')]);
  const bad = framer();
  bad.d.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
  assert.is(bad.overflows(), 1, 'a five-byte remaining length is malformed');
});

function session(params: Record<string, string> = {}) {
  const s = mqtt.session({ params });
  const ev = newProtocolEvent();
  const parse = (frame: Buffer) => {
    ev.ack = '';
    s.parse(frame, ev);
    return ev;
  };
  return { s, ev, parse };
}

test('session: CONNECT (clean, keepalive 0, a Will emptying the presence) with the PM and presence subscriptions; CONNACK', () => {
  for (const v of [4, 5] as const) {
    const { s, parse } = session({ v: String(v), qos: '1' });
    const [connect, sub] = decode(s.login('lg7'), v);
    assert.is(connect?.cmd, 'connect');
    const c = connect as mqttPacket.IConnectPacket;
    assert.equal([c.clientId, c.clean, c.keepalive, c.protocolVersion], ['lg7', true, 0, v]);
    assert.equal([c.will?.topic, c.will?.payload.length, c.will?.retain, c.will?.qos], ['chat/presence/lg7', 0, true, 1]);
    assert.equal((sub as mqttPacket.ISubscribePacket).subscriptions.map((x) => [x.topic, x.qos]), [['chat/user/lg7', 1], ['chat/presence/+', 1]]);
    const ok = parse(gen({ cmd: 'connack', sessionPresent: false, ...(v === 5 ? { reasonCode: 0 } : { returnCode: 0 }) }, v));
    assert.equal([ok.kind, ok.rooms], ['loggedIn', []]);
  }
  const v4 = session();
  v4.s.login('a');
  const no = v4.parse(gen({ cmd: 'connack', sessionPresent: false, returnCode: 5 }));
  assert.equal([no.kind, no.errorKind], ['ended', 'not_allowed']);
  const v5 = session({ v: '5' });
  v5.s.login('a');
  const id = v5.parse(gen({ cmd: 'connack', sessionPresent: false, reasonCode: 0x85 }, 5));
  assert.equal([id.kind, id.errorKind], ['ended', 'bad_name']);
});

test('session: SUBACK → joined (self), a refused one → join_refused; leave empties the presence, then UNSUBSCRIBE; UNSUBACK → left', () => {
  const { s, parse } = session();
  s.login('me');
  const [sub] = decode(s.join('r1')) as mqttPacket.ISubscribePacket[];
  assert.equal(sub?.subscriptions.map((x) => x.topic), ['chat/room/r1']);
  const j = parse(gen({ cmd: 'suback', messageId: sub?.messageId as number, granted: [0] }));
  assert.equal([j.kind, j.room, j.nick, j.self], ['joined', 'r1', 'me', true]);
  s.members('r1');
  const [unsub] = decode(s.join('r2')) as mqttPacket.ISubscribePacket[];
  const no = parse(gen({ cmd: 'suback', messageId: unsub?.messageId as number, granted: [0x80] }));
  assert.equal([no.kind, no.errorKind], ['error', 'join_refused']);
  const [clear, un] = decode(s.leave('r1'));
  assert.equal([clear?.cmd, (clear as mqttPacket.IPublishPacket).topic, (clear as mqttPacket.IPublishPacket).payload.length, (clear as mqttPacket.IPublishPacket).retain], ['publish', 'chat/presence/me', 0, true]);
  assert.equal((un as mqttPacket.IUnsubscribePacket).unsubscriptions, ['chat/room/r1']);
  const l = parse(gen({ cmd: 'unsuback', messageId: un?.messageId as number, granted: [] }));
  assert.equal([l.kind, l.room, l.self], ['left', 'r1', true]);
});

test('session: membership from presence — members when our own comes back, others join and leave, room messages count only while present', () => {
  const { s, parse } = session({ prefix: 'x/' });
  s.login('me');
  const [sub] = decode(s.join('r1')) as mqttPacket.ISubscribePacket[];
  parse(gen({ cmd: 'suback', messageId: sub?.messageId as number, granted: [0] }));
  assert.is(parse(publish('x/presence/bob', 'r1')).kind, 'joined');
  // Delivered between our SUBSCRIBE and our presence: we are not a member yet.
  assert.is(parse(publish('x/room/r1', '~1.1.2.3~')).kind, 'ignore');
  const [pres] = decode(s.members('r1')) as mqttPacket.IPublishPacket[];
  assert.equal([pres?.topic, String(pres?.payload), pres?.retain], ['x/presence/me', 'r1', true]);
  const m = parse(publish('x/presence/me', 'r1'));
  assert.equal([m.kind, m.room, m.nicks.sort()], ['members', 'r1', ['bob', 'me']]);
  const msg = parse(publish('x/room/r1', '~1.1.2.3~'));
  assert.equal([msg.kind, msg.self, msg.textStart], ['message', true, 2 + 2 + 'x/room/r1'.length]);
  assert.is(parse(publish('x/presence/bob', 'r2')).kind, 'left');
  assert.is(parse(publish('x/presence/eve', 'r2')).kind, 'joined'); // another room: RoomMoves ignores it
  const other = parse(publish('x/presence/bob', ''));
  assert.equal([other.kind, other.room], ['left', 'r2'], 'left another room: RoomMoves ignores it');
  // Asked again with the presence unchanged: a PINGREQ, answered at its PINGRESP.
  assert.equal(decode(s.members('r1')).map((p) => p.cmd), ['pingreq']);
  const again = parse(gen({ cmd: 'pingresp' }));
  assert.equal([again.kind, again.nicks], ['members', ['me']]);
  s.leave('r1');
  parse(publish('x/presence/me', ''));
  assert.is(parse(publish('x/room/r1', '~1.2.2.3~')).kind, 'ignore', 'no longer a member');
});

test('session: textStart is the payload offset (3.1.1 and 5, QoS 0 and 1 with its PUBACK), read in place', () => {
  for (const v of [4, 5] as const) {
    for (const qos of [0, 1] as const) {
      const { s, parse } = session({ v: String(v), qos: String(qos) });
      s.login('me');
      const text = '~ab0cd.12.34.1700000000000000.1700000000000100~pad';
      const frame = publish('chat/user/me', text, { qos, v, id: 0x1234, props: v === 5 });
      const ev = parse(frame);
      assert.is(ev.kind, 'pm');
      assert.is(frame.toString('utf8', ev.textStart), text, `v${v} qos${qos}`);
      const p = newPayload();
      assert.ok(decodePayload(frame, ev.textStart, p, tagBytes('ab0cd')));
      assert.equal([p.gid, p.seq], [12, 34]);
      if (qos === 1) assert.equal([...Buffer.from(ev.ack as Uint8Array)], [0x40, 0x02, 0x12, 0x34]);
      else assert.is(ev.ack, '');
    }
  }
});

test('session: a PM to a nickname with no presence is not sent, refused as no_such_user at the PINGRESP', () => {
  const { s, parse } = session();
  s.login('me');
  assert.equal(decode(s.pm('ghost', 'hi')).map((p) => p.cmd), ['pingreq']);
  parse(publish('chat/presence/bob', 'r1'));
  const [pm] = decode(s.pm('bob', 'hi')) as mqttPacket.IPublishPacket[];
  assert.equal([pm?.cmd, pm?.topic], ['publish', 'chat/user/bob']);
  const e = parse(gen({ cmd: 'pingresp' }));
  assert.equal([e.kind, e.errorKind, e.nick], ['error', 'no_such_user', 'ghost']);
  const v5 = session({ v: '5' });
  const d = v5.parse(gen({ cmd: 'disconnect', reasonCode: 0x8e }, 5));
  assert.equal([d.kind, d.errorKind], ['closing', 'disconnect_session_taken_over']);
});

test('targets: mqtt://HOST:PORT?qos=1&v=5&prefix=…, the default port 1883, bad values refused', () => {
  const t = parseTarget('mqtt://127.0.0.1:1884?qos=1&v=5&prefix=load/', 'chatpulse');
  assert.equal([t.protocol, t.port, t.params], ['mqtt', 1884, { qos: '1', v: '5', prefix: 'load/' }]);
  assert.equal(mqttParams(t.params), { prefix: 'load/', qos: 1, version: 5 });
  // `+` is MQTT's wildcard, not a space: refused as typed (it ran as the prefix 'a/ /').
  assert.throws(() => mqttParams(parseTarget('mqtt://h:1883?prefix=a/+/', 'chatpulse').params), /\?prefix= must not hold \+, # or NUL, got 'a\/\+\/'/);
  assert.is(parseTarget('mqtt://broker', 'chatpulse').port, 1883);
  assert.equal(mqttParams({}), { prefix: 'chat/', qos: 0, version: 4 });
  assert.throws(() => parseTarget('mqtt://h:1883?qos=2', 'chatpulse'), (e: Error) => e instanceof LoadOptionsError && /qos= must be 0 or 1, got '2'/.test(e.message));
  assert.throws(() => parseTarget('mqtt://h:1883?v=3', 'chatpulse'), /v= must be 4/);
  assert.throws(() => parseTarget('mqtt://h:1883?prefix=a/%23', 'chatpulse'), /prefix= must not hold/);
  assert.throws(() => parseTarget('mqtt://h:1883?retain=1', 'chatpulse'), /has a query other than \?qos=, \?v=, \?prefix=/);
});

// Real Mosquitto. The figure is 100 clients in 5 rooms for 20 s; 8 s here keeps four runs
// (QoS 0/1 × 3.1.1/5) within npm test's time (each 20 s run was as exact: see README).
const bin = mosquittoBin();
const healthy = { clients: 100, rooms: 5, rate: 1, duration: 8000, ramp: 1000, pm: 0.05, switch: 0.02, users: 0.01, workers: 1, interval: 1000, lossTimeout: 4000, seed: 5 };

for (const q of ['qos=0&v=4', 'qos=1&v=4', 'qos=0&v=5', 'qos=1&v=5']) {
  needing(test, bin)(`Mosquitto, ${q}: 100 clients switching between 5 rooms lose nothing, and membership is exact`, async () => {
    const srv = await startMosquitto(bin as string);
    try {
      const s = await runLoad({ ...healthy, targets: [`${srv.url}?${q}`] });
      const m = s.messages;
      assert.is(s.protocol, 'mqtt');
      assert.ok(m.sent > 500 && m.pm > 0, JSON.stringify(m));
      assert.equal([m.lost, m.unexpected, m.duplicated], [0, 0, 0], JSON.stringify(m));
      assert.ok(m.received >= m.expected && m.received <= m.expected + m.ambiguous, JSON.stringify(m));
      assert.is(m.ambiguous, 0, 'presence places every join and leave among the messages');
      assert.ok(m.expected > m.sent * 10, 'room messages fan out to the room');
      assert.ok(s.commands.join.count > healthy.clients, 'clients switched rooms');
      assert.is(s.latency.corrected.count, m.received);
      assert.is(s.clients.peak, healthy.clients);
      assert.is(s.errorsTotal - (s.errors.no_such_user ?? 0), 0, JSON.stringify(s.errors));
    } finally {
      await srv.stop();
    }
  });
}

const faultLoad = { clients: 40, rooms: 2, rate: 5, ramp: 300, pm: 0, switch: 0, users: 0, workers: 1, interval: 250, seed: 9 };

needing(test, bin)('Mosquitto stalled for 1 s (SIGSTOP): corrected latency shows it, nothing lost', async () => {
  const srv = await startMosquitto(bin as string);
  try {
    const run = runLoad({ ...faultLoad, duration: 4000, lossTimeout: 4000, targets: [`${srv.url}?qos=1`] });
    await sleep(1500);
    process.kill(srv.pid, 'SIGSTOP');
    await sleep(1000);
    process.kill(srv.pid, 'SIGCONT');
    const s = await run;
    const c = s.latency.corrected;
    assert.ok(c.max >= 800, `corrected max ${c.max} ms covers the stall`);
    assert.ok(c.p50 < 200, `the median stays small (${c.p50} ms)`);
    assert.equal([s.messages.lost, s.messages.unexpected], [0, 0], JSON.stringify(s.messages));
    assert.is(s.messages.received, s.messages.expected);
  } finally {
    await srv.stop();
  }
});

needing(test, bin)('Mosquitto killed (SIGKILL) and restarted on its port: every client reconnects, traffic resumes', async () => {
  const first = await startMosquitto(bin as string);
  let second: Awaited<ReturnType<typeof startMosquitto>> | undefined;
  const ticks: LoadgenTickReport[] = [];
  try {
    const run = runLoad({ ...faultLoad, duration: 6000, lossTimeout: 1000, targets: [first.url] }, { onTick: (r) => ticks.push(r) });
    await sleep(1500);
    await first.kill();
    const killedAt = Date.now();
    await sleep(700);
    second = await startMosquitto(bin as string, first.port);
    const s = await run;
    assert.ok(s.clients.reconnects >= faultLoad.clients, `reconnects ${s.clients.reconnects}`);
    assert.ok(crashDisconnects(s) >= faultLoad.clients, `the crash is named: ${JSON.stringify(s.errors)}`);
    const after = ticks.filter((t) => t.time > killedAt + 1500).reduce((a, t) => a + t.received, 0);
    assert.ok(after > 1000, `deliveries after the restart: ${after}`);
  } finally {
    await first.stop();
    await second?.stop();
  }
});

test.run();
