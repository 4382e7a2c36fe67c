import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nickHue, parseChatLine } from '../../dashboard/web/chat-lines.js';

test('room messages, echoes and PMs; text after the marker is anything', () => {
  assert.equal(parseChatLine('[dev] bob: hi: [x] <b>'), { kind: 'message', room: 'dev', nick: 'bob', text: 'hi: [x] <b>', self: false });
  assert.equal(parseChatLine('[dev] You: hi'), { kind: 'message', room: 'dev', nick: 'You', text: 'hi', self: true });
  assert.equal(parseChatLine('[PM from bob] [dev] x: y'), { kind: 'pm', direction: 'from', nick: 'bob', text: '[dev] x: y' });
  assert.equal(parseChatLine('[PM to ann] hey'), { kind: 'pm', direction: 'to', nick: 'ann', text: 'hey' });
});

test('welcome, restored rooms, joins, leaves, active room, renames', () => {
  assert.equal(parseChatLine('* Welcome to chatpulse. Choose a nickname with /nick NAME'), { kind: 'greeting' });
  assert.equal(parseChatLine('* Welcome, a.b. You are in #main. Type /help for the commands.'), { kind: 'welcome', nick: 'a.b', rooms: ['main'], active: 'main', restored: false });
  assert.equal(parseChatLine('* Welcome back, ann. Rooms restored: #main, #dev, #x.y; active room: #dev'), { kind: 'welcome', nick: 'ann', rooms: ['main', 'dev', 'x.y'], active: 'dev', restored: true });
  assert.equal(parseChatLine('* ann joined #dev'), { kind: 'joined', nick: 'ann', room: 'dev' });
  assert.equal(parseChatLine('* ann left #dev'), { kind: 'left', nick: 'ann', room: 'dev' });
  assert.equal(parseChatLine('* #dev is now your active room'), { kind: 'active', room: 'dev' });
  assert.equal(parseChatLine('* ann is now known as anna'), { kind: 'renamed', from: 'ann', to: 'anna' });
});

test('rooms with member counts, users, history', () => {
  assert.equal(parseChatLine('* rooms (3): dev (3), main (12), ü.x (1)'), { kind: 'rooms', total: 3, rooms: [{ name: 'dev', members: 3 }, { name: 'main', members: 12 }, { name: 'ü.x', members: 1 }] });
  assert.equal(parseChatLine('* rooms (0): '), { kind: 'rooms', total: 0, rooms: [] });
  assert.equal(parseChatLine('* users in #dev (2): ann, bob'), { kind: 'users', room: 'dev', nicks: ['ann', 'bob'] });
  assert.equal(parseChatLine('* history of #dev: last 2 lines (UTC)'), { kind: 'history-header', room: 'dev' });
  assert.equal(parseChatLine('* [dev] 14:03:05 bob: hi: there'), { kind: 'history', room: 'dev', time: '14:03:05', nick: 'bob', text: 'hi: there' });
  assert.equal(parseChatLine('* no history in #dev yet'), { kind: 'no-history', room: 'dev' });
});

test('errors, the taken nickname, anything else is a system line', () => {
  assert.equal(parseChatLine("! nickname 'ann' is taken"), { kind: 'error', text: "nickname 'ann' is taken", takenNick: 'ann' });
  assert.equal(parseChatLine('! rate limit: x'), { kind: 'error', text: 'rate limit: x', takenNick: null });
  assert.equal(parseChatLine('* server shutting down; x'), { kind: 'system', text: 'server shutting down; x' });
});

test('nickname hues: stable, case-blind, and spread so that people in one room look different', () => {
  assert.is(nickHue('Ann'), nickHue('ann'));
  // 24 nicknames of one room: a hue per person, so most of them differ (a constant or a few buckets fail).
  const nicks = ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jon', 'kim', 'lee',
    'max', 'ned', 'oli', 'pam', 'quin', 'rob', 'sue', 'tom', 'uma', 'vic', 'wes', 'zoe'];
  const hues = nicks.map(nickHue);
  assert.ok(hues.every((h) => Number.isInteger(h) && h >= 0 && h < 360), String(hues));
  assert.ok(new Set(hues).size >= 20, `distinct hues: ${new Set(hues).size} of 24`);
  // Spread over the wheel, not bunched: every third of it holds some of them.
  for (let third = 0; third < 3; third++) {
    assert.ok(hues.some((h) => Math.floor(h / 120) === third), `a hue in ${third * 120}–${third * 120 + 119}: ${hues}`);
  }
  assert.is.not(nickHue('ann'), nickHue('ann2'), 'a near name is another colour');
});

test.run();
