import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHAT_BYTES, formatChatLine, parseChatLine, pmPrefix, roomPrefix, type ChatLine } from '../../protocol/index.js';

const CASES: [ChatLine, string][] = [
  [{ kind: 'message', room: 'dev', nick: 'bob', text: 'hi: [x] <b>', self: false }, '[dev] bob: hi: [x] <b>'],
  [{ kind: 'message', room: 'café', nick: 'Łukasz', text: '日本語 🎉', self: false }, '[café] Łukasz: 日本語 🎉'],
  [{ kind: 'message', room: 'dev', nick: 'You', text: 'my own', self: true }, '[dev] You: my own'],
  [{ kind: 'pm', direction: 'from', nick: 'zoë', text: '[dev] x: y' }, '[PM from zoë] [dev] x: y'],
  [{ kind: 'pm', direction: 'to', nick: 'ann', text: '' }, '[PM to ann] '],
];

for (const [line, text] of CASES) {
  test(`${line.kind} ${text}: exact text, parses back`, () => {
    assert.is(formatChatLine(line), text);
    assert.equal(parseChatLine(text), line);
  });
}

test('the byte prefixes are the formatted prefixes (what the server writes, the loadgen compares)', () => {
  const dec = new TextDecoder();
  assert.is(dec.decode(CHAT_BYTES.PM_FROM), '[PM from ');
  assert.is(dec.decode(CHAT_BYTES.PM_TO), '[PM to ');
  assert.ok(pmPrefix('from', 'x').startsWith(dec.decode(CHAT_BYTES.PM_FROM)));
  assert.ok(pmPrefix('to', 'x').startsWith(dec.decode(CHAT_BYTES.PM_TO)));
  assert.is(roomPrefix('dev', dec.decode(CHAT_BYTES.YOU)), '[dev] You: ');
  const p = roomPrefix('dev', 'bob');
  assert.is(p.charCodeAt(0), CHAT_BYTES.OPEN_BRACKET);
  assert.is(p.charCodeAt(4), CHAT_BYTES.CLOSE_BRACKET);
  assert.is(p.charCodeAt(5), CHAT_BYTES.SPACE);
  assert.is(p.charCodeAt(9), CHAT_BYTES.COLON);
});

test('other lines are not chat lines', () => {
  assert.is(parseChatLine('* ann joined #dev'), null);
  assert.is(parseChatLine('[dev]bob: no space'), null);
  assert.is(parseChatLine('! no such user'), null);
});

test.run();
