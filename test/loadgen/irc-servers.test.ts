import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runLoad, type LoadgenTickReport } from '../../loadgen/index.js';
import { needing } from '../helpers/require-tool.js';
import { hybridBin, inspircdBin, ngircdBin, startHybrid, startInspircd, startNgircd } from '../helpers/irc-servers.js';

const insp = inspircdBin();
const ng = ngircdBin();
const hybrid = hybridBin();

/** A modest load nobody should lose: 20 clients, 2 rooms, no room switches (only the ramp's joins race). */
const modest = { clients: 20, rooms: 2, rate: 0.5, duration: 5000, ramp: 1000, pm: 0.1, switch: 0, users: 0, workers: 1, interval: 500, lossTimeout: 4000, seed: 5 };

needing(test, insp)('InspIRCd (echo-message negotiated): everything sent reaches every expected member, latency reported', async () => {
  const srv = await startInspircd(insp as string);
  try {
    const s = await runLoad({ ...modest, protocol: 'irc', port: srv.port });
    const m = s.messages;
    assert.is(s.protocol, 'irc');
    assert.is(s.target, srv.url);
    assert.ok(m.sent > 20, `sent ${m.sent}`);
    assert.ok(m.pm > 0, 'some PMs');
    // Clients join during the ramp while the first messages fly. With echo-message the echo places each
    // message among the joins exactly; without it, a member whose JOIN crossed the message is ambiguous.
    assert.equal([m.lost, m.unexpected], [0, 0], JSON.stringify(m));
    assert.ok(m.received >= m.expected && m.received <= m.expected + m.ambiguous, JSON.stringify(m));
    assert.is(m.duplicated, 0);
    assert.ok(m.expected > m.sent, 'room messages fan out to several members');
    assert.is(s.latency.corrected.count, m.received);
    assert.ok(s.latency.corrected.p50 > 0 && s.latency.uncorrected.p50 > 0);
    // echo-message: the sender's own PRIVMSG comes back, so PM round trips are measured.
    assert.ok(s.commands.pm.count > 0, 'PM echo seen (echo-message)');
    assert.is(s.clients.peak, 20);
    assert.is(s.errorsTotal - (s.errors.no_such_user ?? 0), 0, JSON.stringify(s.errors));
  } finally {
    await srv.stop();
  }
});

needing(test, insp)('InspIRCd with a low flood threshold: "Excess Flood" is named, clients reconnect and keep going', async () => {
  const srv = await startInspircd(insp as string, { threshold: 12, commandrate: 1000 });
  const ticks: LoadgenTickReport[] = [];
  try {
    const s = await runLoad(
      { clients: 4, rooms: 1, rate: 15, duration: 6000, ramp: 0, pm: 0, switch: 0, users: 0, workers: 1, interval: 500, lossTimeout: 1000, seed: 2, protocol: 'irc', port: srv.port },
      { onTick: (r) => ticks.push(r) },
    );
    assert.ok((s.errors.disconnect_flood ?? 0) > 0, `flood disconnects named: ${JSON.stringify(s.errors)}`);
    assert.ok(s.clients.reconnects > 0 && s.clients.connects > 4, `reconnected: ${JSON.stringify(s.clients)}`);
    const firstFlood = ticks.findIndex((t) => (t.errors.disconnect_flood ?? 0) > 0);
    assert.ok(firstFlood >= 0);
    const after = ticks.slice(firstFlood + 1).reduce((a, t) => a + t.sent, 0);
    assert.ok(after > 0, 'messages sent after the first flood disconnect');
    assert.ok(s.messages.received > 0);
  } finally {
    await srv.stop();
  }
});

needing(test, ng)('ngircd (no echo-message): expected recipients are the other members; nothing lost', async () => {
  const srv = await startNgircd(ng as string);
  try {
    const s = await runLoad({ ...modest, protocol: 'irc', port: srv.port, lossTimeout: 5000 });
    const m = s.messages;
    assert.ok(m.sent > 20, `sent ${m.sent}`);
    assert.equal([m.lost, m.unexpected], [0, 0], JSON.stringify(m));
    assert.ok(m.received >= m.expected && m.received <= m.expected + m.ambiguous, JSON.stringify(m));
    assert.is(m.duplicated, 0);
    assert.is(s.latency.corrected.count, m.received);
    assert.is(s.commands.pm.count, 0, 'no PM echo without echo-message');
    assert.is(s.clients.peak, 20);
  } finally {
    await srv.stop();
  }
});

needing(test, hybrid)('ircd-hybrid (no echo-message): everything sent reaches the other members, latency reported', async () => {
  const srv = await startHybrid(hybrid as string);
  try {
    const s = await runLoad({ ...modest, protocol: 'irc', port: srv.port });
    const m = s.messages;
    assert.is(s.target, srv.url);
    assert.ok(m.sent > 20, `sent ${m.sent}`);
    assert.ok(m.pm > 0, 'some PMs');
    // Without `can_flood` this very load lost 9 of 368 (2.4 %) with no error: ircd-hybrid drops a
    // channel's 11th message in a second and tells only the sender, in a NOTICE.
    assert.equal([m.lost, m.unexpected], [0, 0], JSON.stringify(m));
    assert.ok(m.received >= m.expected && m.received <= m.expected + m.ambiguous, JSON.stringify(m));
    assert.is(m.duplicated, 0);
    assert.ok(m.expected > m.sent, 'room messages fan out to several members');
    assert.is(s.latency.corrected.count, m.received);
    assert.ok(s.latency.corrected.p50 > 0 && s.latency.uncorrected.p50 > 0);
    assert.is(s.commands.pm.count, 0, 'no PM echo without echo-message');
    assert.is(s.clients.peak, 20);
    assert.is(s.errorsTotal - (s.errors.no_such_user ?? 0), 0, JSON.stringify(s.errors));
  } finally {
    await srv.stop();
  }
});

test.run();
