import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getProtocol, newProtocolEvent, parseTarget, resolveLoadOptions, targetIndex } from '../../loadgen/index.js';

const irc = getProtocol('irc');
const parse = (s: ReturnType<typeof irc.session>, line: string) => {
  const ev = newProtocolEvent();
  s.parse(Buffer.from(line), ev);
  return ev;
};

test('registration, CAP echo-message, PING, 001', () => {
  const s = irc.session();
  assert.is(s.open(), 'CAP LS 302\r\n');
  assert.is(s.login('lg1'), 'NICK lg1\r\nUSER lg1 0 * :chatpulse loadgen\r\n');
  assert.is(s.login('lg1_x'), 'NICK lg1_x\r\n', 'a retry after 433 sends only NICK');
  let ev = parse(s, ':irc.test CAP * LS * :account-notify away-notify');
  assert.is(ev.kind, 'ignore', 'multiline LS: wait for the last line');
  ev = parse(s, ':irc.test CAP * LS :echo-message extended-join');
  assert.equal([ev.kind, ev.text], ['reply', 'CAP REQ :echo-message\r\n']);
  assert.is(s.echoesOwnRoomMessages, false);
  ev = parse(s, ':irc.test CAP lg1_x ACK :echo-message');
  assert.equal([ev.kind, ev.text], ['reply', 'CAP END\r\n']);
  assert.is(s.echoesOwnRoomMessages, true);
  assert.equal([parse(s, 'PING :abc').kind, parse(s, 'PING :abc').text], ['reply', 'PONG :abc\r\n']);
  ev = parse(s, ':irc.test 433 * lg1 :Nickname is already in use');
  assert.equal([ev.kind, ev.errorKind], ['error', 'nick_taken']);
  assert.is(parse(s, ':irc.test 001 lg1_x :Welcome').kind, 'loggedIn');
  assert.is(parse(s, ':irc.test 422 lg1_x :MOTD File is missing').kind, 'ignore');
});

test('a server without echo-message: CAP END at once, sender not counted', () => {
  const s = irc.session();
  s.login('a');
  const ev = parse(s, ':ng CAP * LS :multi-prefix');
  assert.equal([ev.kind, ev.text], ['reply', 'CAP END\r\n']);
  assert.is(s.echoesOwnRoomMessages, false);
  assert.is(parse(s, ':ng 421 a CAP :Unknown command').kind, 'ignore');
});

test('PRIVMSG to channel and nick, own echoes, tags; text offset points at the payload', () => {
  const s = irc.session();
  s.login('Me');
  let line = ':bob!b@h PRIVMSG #room1 :~1.2.3.4~pad';
  let ev = parse(s, line);
  assert.equal([ev.kind, ev.self, line.slice(ev.textStart)], ['message', false, '~1.2.3.4~pad']);
  ev = parse(s, ':me!u@h PRIVMSG #room1 :hi');
  assert.equal([ev.kind, ev.self], ['message', true], 'own channel echo (nick compared case-insensitively)');
  line = '@time=2026-01-01T00:00:00Z :bob!b@h PRIVMSG Me :~9.9.9.9~';
  ev = parse(s, line);
  assert.equal([ev.kind, line.slice(ev.textStart)], ['pm', '~9.9.9.9~']);
  assert.is(parse(s, ':Me!u@h PRIVMSG bob :x').kind, 'pmEcho');
});

test('JOIN, NAMES (auto reply after own JOIN skipped), PART, QUIT, KICK', () => {
  const s = irc.session();
  s.login('me');
  s.join('#r');
  let ev = parse(s, ':me!u@h JOIN :#r');
  assert.equal([ev.kind, ev.room, ev.self], ['joined', '#r', true]);
  parse(s, ':srv 353 me = #r :@me +bob');
  assert.is(parse(s, ':srv 366 me #r :End of /NAMES list.').kind, 'ignore', 'the NAMES that comes with JOIN');
  s.members('#r');
  parse(s, ':srv 353 me = #r :@me +bob');
  parse(s, ':srv 353 me = #r :cat !~dan .[eve] ^fay');
  ev = parse(s, ':srv 366 me #r :End of /NAMES list.');
  assert.equal([ev.kind, ev.room, ev.nicks], ['members', '#r', ['me', 'bob', 'cat', 'dan', '[eve]', '^fay']], 'status symbols a PREFIX= adds are not part of the name');
  ev = parse(s, ':bob!b@h PART #r :bye');
  assert.equal([ev.kind, ev.room, ev.nick, ev.self], ['left', '#r', 'bob', false]);
  ev = parse(s, ':cat!c@h QUIT :gone');
  assert.equal([ev.kind, ev.room, ev.nick], ['left', '#r', 'cat'], 'QUIT leaves the channel we are in');
  ev = parse(s, ':op!o@h KICK #r dan :out');
  assert.equal([ev.kind, ev.nick], ['left', 'dan']);
});

test('errors and disconnects by kind', () => {
  const s = irc.session();
  s.login('me');
  let ev = parse(s, ':srv 401 me lg7 :No such nick/channel');
  assert.equal([ev.kind, ev.errorKind, ev.nick], ['error', 'no_such_user', 'lg7']);
  assert.is(parse(s, ':srv 474 me #r :Cannot join channel (+b)').errorKind, 'join_refused');
  assert.is(parse(s, ':srv 499 me :odd').errorKind, 'irc_499');
  const kinds = (t: string) => {
    const e = parse(s, t);
    return [e.kind, e.errorKind];
  };
  assert.equal(kinds('ERROR :Closing link: (c@127.0.0.1) [Excess Flood]'), ['closing', 'disconnect_flood']);
  assert.equal(kinds('ERROR :Closing link: (c@127.0.0.1) [Ping timeout: 120 seconds]'), ['closing', 'disconnect_ping_timeout']);
  assert.equal(kinds('ERROR :Closing link: (c@127.0.0.1) [K-Lined: go away]'), ['closing', 'disconnect_banned']);
  assert.equal(kinds('ERROR :Closing link: (c@127.0.0.1) [SendQ exceeded]'), ['closing', 'disconnect_sendq']);
  assert.equal(kinds('ERROR :Closing link: (c@127.0.0.1) [Server shutting down]'), ['closing', 'disconnect_other']);
  assert.equal(kinds(':oper!o@h KILL me :spam'), ['closing', 'disconnect_killed']);
  assert.is(parse(s, ':oper!o@h KILL other :spam').kind, 'ignore');
});

test('--target forms, clear errors, one protocol; clients spread so every room spans every target', () => {
  assert.equal(parseTarget('127.0.0.1:6667', 'irc'), { protocol: 'irc', host: '127.0.0.1', port: 6667, transport: 'tcp', path: '', namespace: '', params: {} });
  assert.equal(parseTarget('chatpulse://localhost:5556', 'irc'), { protocol: 'chatpulse', host: 'localhost', port: 5556, transport: 'tcp', path: '', namespace: '', params: {} });
  assert.equal(parseTarget('irc://[::1]', 'chatpulse'), { protocol: 'irc', host: '::1', port: 6667, transport: 'tcp', path: '', namespace: '', params: {} });
  assert.throws(() => parseTarget('localhost', 'irc'), /has no port/);
  assert.throws(() => parseTarget('gopher://h:70', 'irc'), /unknown protocol 'gopher'/);
  assert.throws(() => parseTarget('irc://h:1/path', 'irc'), /more than a host and port/);
  assert.throws(() => resolveLoadOptions({ targets: ['irc://a:1', 'chatpulse://b:2'] }), /one protocol, got irc and chatpulse/);
  const o = resolveLoadOptions({ targets: ['127.0.0.1:7000', 'irc://127.0.0.1:7001'], protocol: 'irc' });
  assert.equal([o.protocol, o.host, o.port, o.targets], ['irc', '127.0.0.1', 7000, ['irc://127.0.0.1:7000', 'irc://127.0.0.1:7001']]);
  for (const rooms of [1, 2, 3, 8]) {
    const seen = new Map<number, Set<number>>();
    for (let gid = 0; gid < rooms * 4; gid++) {
      const r = gid % rooms;
      seen.set(r, (seen.get(r) ?? new Set()).add(targetIndex(gid, rooms, 2)));
    }
    for (const [r, t] of seen) assert.is(t.size, 2, `room ${r} of ${rooms} spans both targets`);
  }
});

test.run();
