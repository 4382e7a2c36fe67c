import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSummary, getProtocol, newProtocolEvent, parseTarget, redactTarget, runLoad, type LoadgenTickReport, type ProtocolEvent, type ProtocolSession } from '../../loadgen/index.js';
import { decodePayload, encodePayload, newPayload, tagBytes } from '../../loadgen/payload.js';
import { StanzaDecoder } from '../../loadgen/protocols/xml-stanzas.js';
import { crashDisconnects } from '../helpers/crash.js';
import { sleep } from '../helpers/line-client.js';
import { prosodyBin, startProsody, type ProsodyServer } from '../helpers/prosody.js';
import { needing } from '../helpers/require-tool.js';

const xmpp = getProtocol('xmpp');
const MUC = 'conference.localhost';
const ME = 'u1@localhost/r1';

/** Frames out of `chunks`, copied (a frame is valid only during the call), and the overflow count. */
function frames(chunks: Buffer[], max = 64 * 1024): { out: string[]; overflows: number } {
  const out: string[] = [];
  let overflows = 0;
  const d = new StanzaDecoder(max, { onLine: (f) => out.push(f.toString('utf8')), onOverflow: () => overflows++ });
  for (const c of chunks) d.push(c);
  return { out, overflows };
}

const split = (s: string, size: number): Buffer[] => {
  const b = Buffer.from(s);
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) parts.push(b.subarray(i, i + size));
  return parts;
};

const HEADER = `<stream:stream xmlns:stream='http://etherx.jabber.org/streams' from='localhost' version='1.0' id='a>b' xmlns='jabber:client'>`;
const STANZAS = [
  `<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>`,
  `<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`,
  HEADER, // the restart after SASL
  `<iq type="result" id='cp-bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>u1@localhost/r1</jid></bind></iq>`,
  `<presence from='room1@${MUC}/a&apos;&gt;b' title="x'>/y"><x xmlns='http://jabber.org/protocol/muc#user'><item role='participant'/></x></presence>`,
  `<message type='groupchat' from='room1@${MUC}/zoë'><body>~1.2.3.4~ héllo ✓ <![CDATA[</message> <b/>]]></body></message>`,
  `<message from='x'/>`,
];

test('framer: the header, each top-level element whole, the close; whole, byte by byte, in 7-byte chunks', () => {
  const stream = `<?xml version='1.0'?>${HEADER}${STANZAS.join(' \n')} </stream:stream>`;
  const want = [HEADER, ...STANZAS, '</stream:stream>'];
  assert.equal(frames([Buffer.from(stream)]).out, want, 'one chunk, several stanzas in it');
  assert.equal(frames(split(stream, 1)).out, want, 'byte by byte: multi-byte UTF-8 split, `>` in quotes split');
  assert.equal(frames(split(stream, 7)).out, want);
  // A chunk that ends right after a stanza, then whitespace keepalives between stanzas.
  assert.equal(frames([Buffer.from(HEADER + STANZAS[1]), Buffer.from('   '), Buffer.from(STANZAS[6] as string)]).out, [HEADER, STANZAS[1], STANZAS[6]]);
});

test('framer: a stanza over the limit is reported once and skipped, the next one comes through', () => {
  const big = `<message><body>${'x'.repeat(300)}</body></message>`;
  const small = `<iq type='get' id='p'/>`;
  for (const size of [1000, 50, 3]) {
    const got = frames(split(HEADER + big + small, size), 200);
    assert.equal(got.out, [HEADER, small], `chunks of ${size}`);
    assert.is(got.overflows, 1);
  }
});

// --- The session ---

const parse = (s: ProtocolSession, xml: string): ProtocolEvent => {
  const ev = newProtocolEvent();
  s.parse(Buffer.from(xml), ev);
  return ev;
};
const FEATURES_SASL = `<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>`;
const FEATURES_BIND = (session: string) => `<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>${session}</stream:features>`;
const BOUND = `<iq type='result' id='cp-bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${ME}</jid></bind></iq>`;

/** A session logged in anonymously as `nick`. */
function loggedIn(nick = 'lg1', params: Record<string, string> = { muc: MUC }): ProtocolSession {
  const s = xmpp.session({ host: 'localhost', params });
  s.login(nick);
  parse(s, FEATURES_SASL);
  parse(s, `<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`);
  parse(s, FEATURES_BIND(''));
  assert.is(parse(s, BOUND).kind, 'loggedIn');
  return s;
}

test('login: ANONYMOUS, stream restart, bind; a required session; PLAIN with the user pattern', () => {
  const s = xmpp.session({ host: 'chat.example', params: {} });
  const header = s.open() as string;
  assert.match(header, /^<\?xml version='1.0'\?><stream:stream to='chat.example' version='1.0' .*xmlns='jabber:client'/);
  assert.is(s.login('lg1'), '', 'nothing to write before the features');
  let ev = parse(s, FEATURES_SASL);
  assert.equal([ev.kind, ev.text], ['reply', `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>`]);
  ev = parse(s, `<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`);
  assert.equal([ev.kind, ev.text], ['reply', header], 'the stream restarts');
  assert.is(parse(s, `<stream:stream from='chat.example' id='2' version='1.0'>`).kind, 'ignore');
  ev = parse(s, FEATURES_BIND(`<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>`));
  assert.equal([ev.kind, ev.text], ['reply', `<iq type='set' id='cp-bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>`]);
  ev = parse(s, BOUND);
  assert.equal([ev.kind, ev.text], ['reply', `<iq type='set' id='cp-session'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>`], 'a session without <optional/> is required');
  assert.is(parse(s, `<iq type='result' id='cp-session'/>`).kind, 'loggedIn');

  const p = xmpp.session({ host: 'h', params: { auth: 'plain', user: 'bot-{nick}', password: 'pw' } });
  p.login('lg7');
  ev = parse(p, FEATURES_SASL);
  assert.is(ev.text, `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from('\0bot-lg7\0pw').toString('base64')}</auth>`);
  assert.equal([parse(p, `<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`).kind], ['reply']);
});

test('login refused: STARTTLS required, no such mechanism, SASL failure, bind error — each ends with its kind', () => {
  const ends = (xml: string, params: Record<string, string> = {}) => {
    const s = xmpp.session({ host: 'h', params });
    s.login('a');
    const ev = parse(s, xml);
    return [ev.kind, ev.errorKind];
  };
  assert.equal(ends(`<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>`), ['ended', 'tls_required']);
  assert.equal(ends(`<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>`), ['ended', 'sasl_mechanism_unavailable']);
  assert.equal(ends(`<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>bad</text></failure>`), ['ended', 'sasl_not_authorized']);
  assert.equal(ends(`<iq type='error' id='cp-bind'><error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`), ['ended', 'bind_failed']);
});

test('rooms: occupants before our 110 presence are members, ours is joined(self); members = presences seen, without us', () => {
  const s = loggedIn();
  assert.is(s.join('room1'), `<presence to='room1@${MUC}/lg1'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`);
  const occupant = (nick: string, extra = '') => `<presence from='room1@${MUC}/${nick}' to='${ME}'${extra}><x xmlns='http://jabber.org/protocol/muc#user'><item role='participant'/></x></presence>`;
  let ev = parse(s, occupant('lg2'));
  assert.equal([ev.kind, ev.room, ev.nick, ev.self], ['joined', 'room1', 'lg2', false]);
  parse(s, occupant('lg3'));
  ev = parse(s, `<presence from='room1@${MUC}/lg1' to='${ME}'><x xmlns='http://jabber.org/protocol/muc#user'><item role='participant'/><status code='110'/></x></presence>`);
  assert.equal([ev.kind, ev.room, ev.nick, ev.self], ['joined', 'room1', 'lg1', true]);
  assert.is(parse(s, `<message type='groupchat' from='room1@${MUC}' to='${ME}'><subject/></message>`).kind, 'ignore', 'the subject');
  assert.is(parse(s, occupant('lg3')).kind, 'ignore', 'a status update of someone already in');
  ev = parse(s, occupant('lg4'));
  assert.equal([ev.kind, ev.nick], ['joined', 'lg4']);
  ev = parse(s, occupant('lg2', ` type='unavailable'`));
  assert.equal([ev.kind, ev.nick, ev.self], ['left', 'lg2', false]);
  assert.is(s.members('room1'), `<iq type='get' id='cp-members-room1' to='room1@${MUC}'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`);
  ev = parse(s, `<iq type='result' id='cp-members-room1' from='room1@${MUC}' to='${ME}'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`);
  assert.equal([ev.kind, ev.room, ev.nicks.sort()], ['members', 'room1', ['lg3', 'lg4']]);
  ev = parse(s, `<presence type='unavailable' from='room1@${MUC}/lg1'><x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/></x></presence>`);
  assert.equal([ev.kind, ev.room, ev.self], ['left', 'room1', true]);
  assert.is(parse(s, `<presence from='someone@localhost/x'/>`).kind, 'ignore', 'not from the MUC service');
});

test('rooms: back into a room whose leave is still on its way, the occupants are the new join\'s', () => {
  const s = loggedIn();
  const self = (type = '') => `<presence${type} from='room1@${MUC}/lg1'><x xmlns='http://jabber.org/protocol/muc#user'><status code='110'/></x></presence>`;
  const occupant = (nick: string) => `<presence from='room1@${MUC}/${nick}'><x xmlns='http://jabber.org/protocol/muc#user'/></presence>`;
  s.join('room1');
  parse(s, occupant('old'));
  parse(s, self());
  s.leave('room1');
  s.join('room1'); // written after the leave: the room handles the leave first
  parse(s, occupant('late')); // joined before our leave was handled: the old membership
  assert.equal([parse(s, self(` type='unavailable'`)).kind], ['left']);
  parse(s, occupant('new'));
  assert.equal([parse(s, self()).kind], ['joined']);
  s.members('room1');
  const ev = parse(s, `<iq type='result' id='cp-members-room1'/>`);
  assert.equal(ev.nicks, ['new']);
});

test('rooms: a nickname conflict is nick_taken and the next login(nick) retries the join; other refusals are join_refused', () => {
  const s = loggedIn();
  s.join('room2');
  let ev = parse(s, `<presence type='error' from='room2@${MUC}/lg1'><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`);
  assert.equal([ev.kind, ev.errorKind], ['error', 'nick_taken']);
  assert.is(s.login('lg1_x'), `<presence to='room2@${MUC}/lg1_x'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`);
  ev = parse(s, `<presence type='error' from='room2@${MUC}/lg1_x'><error type='auth'><registration-required xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`);
  assert.equal([ev.kind, ev.errorKind], ['error', 'join_refused']);
  assert.is(s.login('lg1_y'), '', 'nothing to retry');
});

test('messages: the reflection of our own is self, textStart is the byte offset of the body text; PMs; errors', () => {
  const s = loggedIn('lg1');
  s.join('room1');
  assert.is(s.say('room1', 'a<b'), `<message type='groupchat' to='room1@${MUC}'><body>a&lt;b</body></message>`);
  assert.is(s.pm('lg9', '~1~'), `<message type='chat' to='room1@${MUC}/lg9'><body>~1~</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>`);
  const text = encodePayload('ab0cd', 7, 3, 1_000, 2_000, 40);
  const p = newPayload();
  // Multi-byte characters before the body: the offset is in bytes, not characters.
  const frame = (from: string, type = 'groupchat') => Buffer.from(`<message xml:lang='en' type='${type}' id='é✓' from='${from}' to='${ME}'><body>${text}</body><occupant-id id='q' xmlns='urn:xmpp:occupant-id:0'/></message>`);
  for (const [from, self] of [[`room1@${MUC}/lg1`, true], [`room1@${MUC}/lg12`, false], [`room1@${MUC}/zoë`, false]] as const) {
    const f = frame(from);
    const ev = newProtocolEvent();
    s.parse(f, ev);
    assert.equal([ev.kind, ev.self], ['message', self], from);
    assert.ok(decodePayload(f, ev.textStart, p, tagBytes('ab0cd')) && p.gid === 7 && p.seq === 3, 'the payload decodes at textStart');
  }
  const pm = frame(`room1@${MUC}/lg2`, 'chat');
  const ev = newProtocolEvent();
  s.parse(pm, ev);
  assert.equal([ev.kind, ev.self], ['pm', false]);
  assert.is(pm.toString('utf8', ev.textStart).slice(0, text.length), text);
  const body = (attrs: string) => parse(s, `<message type='groupchat' from='room1@${MUC}/lg2'><body${attrs}>~1.1.1.1~</body></message>`);
  assert.is(body(` xml:lang='en' title='a>b'`).kind, 'message', 'a `>` inside the body tag');
  assert.is(parse(s, `<message type='groupchat' from='room1@${MUC}/lg2'><body/></message>`).kind, 'ignore');
  assert.is(parse(s, `<message type='groupchat' from='room1@${MUC}'><body>room notice</body></message>`).kind, 'ignore', 'from the room itself');
  let err = parse(s, `<message type='error' from='room1@${MUC}/nobody' to='${ME}'><error type='cancel' by='room1@${MUC}'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Recipient not in room</text></error></message>`);
  assert.equal([err.kind, err.errorKind, err.nick], ['error', 'no_such_user', 'nobody']);
  err = parse(s, `<message type='error' from='room1@${MUC}'><error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`);
  assert.equal([err.kind, err.errorKind, err.nick], ['error', 'cannot_send', '']);
});

test('server pings are answered, other requests refused; stream errors and the close are `closing` with a kind', () => {
  const s = loggedIn();
  let ev = parse(s, `<iq type='get' id='p1' from='localhost' to='${ME}'><ping xmlns='urn:xmpp:ping'/></iq>`);
  assert.equal([ev.kind, ev.text], ['reply', `<iq type='result' id='p1' to='localhost'/>`]);
  ev = parse(s, `<iq type='get' id='v&amp;1' from='localhost'><query xmlns='jabber:iq:version'/></iq>`);
  assert.equal([ev.kind, ev.text], ['reply', `<iq type='error' id='v&amp;1' to='localhost'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`]);
  assert.is(parse(s, `<iq type='result' id='other'/>`).kind, 'ignore');
  assert.is(parse(s, `<presence><unclosed`).kind, 'unknown', 'malformed XML never throws');
  ev = parse(s, `<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>`);
  assert.equal([ev.kind, ev.errorKind], ['closing', 'stream_system_shutdown']);
  assert.is(parse(s, '</stream:stream>').kind, 'ignore', 'the close after an error adds nothing');
  ev = parse(loggedIn(), '</stream:stream>');
  assert.equal([ev.kind, ev.errorKind], ['closing', 'stream_closed']);
});

test('targets: xmpp://HOST:PORT?muc=…, port 5222 by default, only its own query keys', () => {
  assert.equal(parseTarget('xmpp://127.0.0.1:5222?muc=conference.localhost', 'chatpulse'), {
    protocol: 'xmpp', transport: 'tcp', host: '127.0.0.1', port: 5222, path: '', namespace: '', params: { muc: 'conference.localhost' },
  });
  assert.is(parseTarget('xmpp://chat.example', 'chatpulse').port, 5222);
  assert.equal(parseTarget('127.0.0.1:5222?muc=conference.localhost', 'xmpp').params, { muc: 'conference.localhost' }, 'HOST:PORT?query with --protocol xmpp');
  assert.equal(parseTarget('xmpp://127.0.0.1:5223?domain=localhost&auth=plain&password=p', 'xmpp').params, { domain: 'localhost', auth: 'plain', password: 'p' });
  assert.throws(() => parseTarget('xmpp://h:5222?room=x', 'chatpulse'), /has a query other than \?muc=, \?domain=, \?auth=, \?user=, \?password=/);
  assert.throws(() => parseTarget('xmpp://h:5222?auth=scram', 'chatpulse'), /\?auth=scram: expected anonymous or plain/);
  // A password is taken as typed: `+` is no space (form encoding), %-escapes are decoded.
  assert.is(parseTarget('xmpp://h:5222?auth=plain&password=a+b%26c', 'xmpp').params.password, 'a+b&c');
  // Without auth=plain it would be ignored (an anonymous login sends none): refused instead.
  assert.throws(() => parseTarget('xmpp://h:5222?password=x', 'xmpp'), /has \?password= without \?auth=plain \(anonymous logins send none\)/);
  assert.throws(() => parseTarget('xmpp://h:5222?auth=anonymous&user=u', 'xmpp'), /has \?user= without \?auth=plain/);
  assert.is(redactTarget('xmpp://h:5222?auth=plain&password=p%26w&user=u'), 'xmpp://h:5222?auth=plain&password=***&user=u');
  assert.is(redactTarget('xmpp://h:5222?Password=x'), 'xmpp://h:5222?Password=***');
  assert.is(xmpp.roomName('Room3'), 'room3');
});

// --- A real Prosody ---

const prosody = prosodyBin();

needing(test, prosody)('Prosody, 100 clients in 5 rooms for 8 s: nothing lost or unexpected, PMs through MUC, switches exact', async () => {
  const srv = await startProsody(prosody as string);
  try {
    const s = await runLoad({
      clients: 100, rooms: 5, rate: 1, duration: 8000, ramp: 1000, pm: 0.1, switch: 0.02, users: 0.02,
      workers: 1, interval: 500, lossTimeout: 3000, seed: 18, targets: [srv.url],
    });
    const m = s.messages;
    assert.is(s.protocol, 'xmpp');
    assert.ok(m.sent > 500, `sent ${m.sent}`);
    // The reflection places each message among the presences exactly: nothing is ambiguous, even
    // with clients joining during the ramp and switching rooms throughout.
    assert.equal([m.lost, m.unexpected, m.duplicated], [0, 0, 0], JSON.stringify(m));
    assert.ok(m.received >= m.expected && m.received <= m.expected + m.ambiguous, JSON.stringify(m));
    assert.ok(m.expected > m.sent * 10, 'room messages fan out to ~20 occupants');
    assert.is(s.latency.corrected.count, m.received);
    assert.ok(s.latency.corrected.p50 > 0 && s.latency.uncorrected.p50 > 0);
    // A PM reaches its target only through the sender's room: the others come back item-not-found.
    const refused = s.errors.no_such_user ?? 0;
    assert.ok(m.pm > 0 && refused > 0 && refused < m.pm, `PMs ${m.pm}, refused ${refused}`);
    assert.is(s.commands.pm.count, 0, 'MUC does not reflect a PM to its sender');
    assert.ok(s.commands.join.count > 100 && s.commands.users.count > 100, JSON.stringify(s.commands));
    assert.is(s.clients.peak, 100);
    assert.is(s.errorsTotal - refused, 0, JSON.stringify(s.errors));
  } finally {
    await srv.stop();
  }
});

needing(test, prosody)('Prosody with SASL PLAIN (accounts on plain.localhost): logs in as NICK@plain.localhost, nothing lost', async () => {
  const srv = await startProsody(prosody as string);
  try {
    const s = await runLoad({ clients: 10, rooms: 2, rate: 2, duration: 3000, ramp: 300, pm: 0, switch: 0, users: 0, workers: 1, interval: 500, lossTimeout: 2000, seed: 3, nickPrefix: 'plainbot', targets: [srv.plainUrl] });
    assert.ok(s.messages.sent > 20);
    assert.equal([s.messages.lost, s.messages.unexpected], [0, 0], JSON.stringify(s.messages));
    assert.is(s.messages.received, s.messages.expected);
    assert.match(srv.log(), /plainbot\d+@plain\.localhost/, 'Prosody authenticated the PLAIN user');
    assert.is(s.errorsTotal, 0, JSON.stringify(s.errors));
    // The summary is printed and saved: the account's password is not in it.
    assert.not.match(JSON.stringify(s), /secret/);
    assert.match(s.target, /auth=plain&.*password=\*\*\*/);
    assert.match(formatSummary(s), /password=\*\*\*/);
  } finally {
    await srv.stop();
  }
});

const faults = { clients: 20, rooms: 2, rate: 5, ramp: 300, pm: 0, switch: 0, users: 0, workers: 1, interval: 250, seed: 9 };

needing(test, prosody)('Prosody stopped for 1 s (SIGSTOP): the stall shows in corrected latency, nothing is lost', async () => {
  const srv = await startProsody(prosody as string);
  try {
    const run = runLoad({ ...faults, duration: 4000, lossTimeout: 4000, targets: [srv.url] });
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

needing(test, prosody)('Prosody killed (SIGKILL) and restarted on its port: every client reconnects and traffic resumes', async () => {
  const first = await startProsody(prosody as string);
  let second: ProsodyServer | undefined;
  const ticks: LoadgenTickReport[] = [];
  try {
    const run = runLoad({ ...faults, duration: 6000, lossTimeout: 1000, targets: [first.url] }, { onTick: (r) => ticks.push(r) });
    await sleep(1500);
    await first.kill();
    const killedAt = Date.now();
    await sleep(700);
    second = await startProsody(prosody as string, { port: first.port });
    const s = await run;
    assert.ok(s.clients.reconnects >= faults.clients, `reconnects ${s.clients.reconnects}`);
    assert.ok(crashDisconnects(s) >= faults.clients, `the crash is named: ${JSON.stringify(s.errors)}`);
    const after = ticks.filter((t) => t.time > killedAt + 1500).reduce((a, t) => a + t.received, 0);
    assert.ok(after > 100, `deliveries after the restart: ${after}`);
  } finally {
    await first.stop();
    await second?.stop();
  }
});

test.run();
