import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { errorText, formatErrorLine, parseErrorLine, type ErrorLine } from '../../protocol/index.js';

/** Every `!` formatter: its exact line for sample arguments, and what a reader gets back. */
const CASES: Record<keyof typeof errorText, [string, ErrorLine['kind'], string | null]> = {
  lineTooLong: [errorText.lineTooLong(4096), 'line_too_long', null],
  invalidUtf8: [errorText.invalidUtf8(), 'invalid_utf8', null],
  controlChar: [errorText.controlChar('U+001B'), 'control_char', null],
  rateLimit: [errorText.rateLimit(50), 'rate_limit', null],
  nickTaken: [errorText.nickTaken('zoë'), 'nick_taken', 'zoë'],
  nickLostInSplit: [errorText.nickLostInSplit('ann', 'ann-x1y2'), 'nick_taken', null],
  badNick: [errorText.badNick('a b', 'only letters'), 'bad_name', null],
  badRoom: [errorText.badRoom('#', 'empty'), 'bad_name', null],
  unknownCommand: [errorText.unknownCommand('frob'), 'unknown_command', null],
  noSuchUser: [errorText.noSuchUser('Łukasz'), 'no_such_user', 'Łukasz'],
  noSuchRoom: [errorText.noSuchRoom('dev'), 'no_such_room', null],
  notInRoom: [errorText.notInRoom('日本'), 'not_in_room', null],
  inNoRoom: [errorText.inNoRoom(), 'not_in_room', null],
  roomLimit: [errorText.roomLimit(20), 'room_limit', null],
  serverRoomLimit: [errorText.serverRoomLimit(10000), 'server_room_limit', null],
  notRestored: [errorText.notRestored(errorText.serverRoomLimit(5), ['s2', 's3']), 'server_room_limit', null],
  notLoggedIn: [errorText.notLoggedIn(), 'not_logged_in', null],
  usage: [errorText.usage('/pm NICK TEXT'), 'bad_argument', null],
  tooManyWords: [errorText.tooManyWords('/join ROOM', 'one room name (room names have no spaces)', 2), 'bad_argument', null],
  historyCount: [errorText.historyCount(200, 'abc'), 'bad_argument', null],
  onlyInLobby: [errorText.onlyInLobby('main'), 'bad_argument', null],
  internal: [errorText.internal(), 'internal', null],
  binaryFrame: [errorText.binaryFrame(), 'binary_frame', null],
  loginTimeout: [errorText.loginTimeout('30s'), 'login_timeout', null],
  lineTimeout: [errorText.lineTimeout('1m'), 'line_timeout', null],
  idleTimeout: [errorText.idleTimeout('5m'), 'idle_timeout', null],
  slowConsumer: [errorText.slowConsumer('1MiB'), 'slow_consumer', null],
};

/** The texts the server's tests and users rely on, pinned: a rewording must show up here. */
const EXACT: Record<keyof typeof errorText, string> = {
  lineTooLong: 'line too long (max 4096 bytes)',
  invalidUtf8: 'invalid UTF-8',
  controlChar: 'control character U+001B refused (only tab is allowed); the line was dropped',
  rateLimit: 'rate limit: at most 50 lines per second; excess dropped',
  nickTaken: "nickname 'zoë' is taken",
  nickLostInSplit: "nickname 'ann' was taken on another node while the cluster was split; you are now 'ann-x1y2'; choose another with /nick",
  badNick: "invalid nickname 'a b': only letters",
  badRoom: "invalid room name '#': empty",
  unknownCommand: "unknown command '/frob' (try /help)",
  noSuchUser: "no such user 'Łukasz'",
  noSuchRoom: "no such room '#dev'",
  notInRoom: 'you are not in #日本',
  inNoRoom: 'you are in no room',
  roomLimit: 'room limit reached: at most 20 rooms per user',
  serverRoomLimit: 'server room limit reached: at most 10000 rooms',
  notRestored: 'server room limit reached: at most 5 rooms; not restored on your return: #s2, #s3 (join them again when there is room)',
  notLoggedIn: 'choose a nickname first with /nick NAME',
  usage: 'usage: /pm NICK TEXT',
  tooManyWords: '/join ROOM takes one room name (room names have no spaces); got 2 words',
  historyCount: "/history takes a number from 1 to 200, got 'abc'",
  onlyInLobby: 'you are only in #main; join another room before leaving it',
  internal: 'internal error; the line was dropped',
  binaryFrame: 'a binary frame is no chat line; send each line as a text frame (it was dropped)',
  loginTimeout: 'no nickname after 30s (login timeout); closing the connection',
  lineTimeout: 'a line left unfinished for 1m (line timeout: end each line with a newline); closing the connection',
  idleTimeout: 'nothing received for 5m (idle timeout); closing the connection',
  slowConsumer: 'reading too slowly: over 1MiB of output waiting (slow consumer, --max-queue); what did not fit was dropped; closing the connection',
};

test('every ! reason has a case', () => {
  assert.equal(Object.keys(CASES).sort(), Object.keys(errorText).sort());
});

for (const [name, [text, kind, nick]] of Object.entries(CASES)) {
  test(`${name}: exact text, and its kind reads back`, () => {
    assert.is(text, EXACT[name as keyof typeof errorText]);
    const line = formatErrorLine(text);
    assert.is(line, `! ${EXACT[name as keyof typeof errorText]}`);
    assert.equal(parseErrorLine(line), { kind, text, nick });
  });
}

test('a taken nickname with its lookalike still names the refused one', () => {
  const line = formatErrorLine(errorText.nickTaken('ann', 'аnn'));
  assert.is(line, "! nickname 'ann' is taken: it looks like 'аnn'");
  assert.equal(parseErrorLine(line), { kind: 'nick_taken', text: line.slice(2), nick: 'ann' });
});

test('a ! line from elsewhere is a server_error', () => {
  assert.equal(parseErrorLine('! something odd'), { kind: 'server_error', text: 'something odd', nick: null });
});

test.run();
