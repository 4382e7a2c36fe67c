import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSystemLine, parseSystemLine, type SystemLine } from '../../protocol/index.js';

/** One case per kind: the exact line pinned, so that a rewording its own parser follows is still caught. */
const CASES: [SystemLine, string][] = [
  [{ kind: 'greeting' }, '* Welcome to chatpulse. Choose a nickname with /nick NAME'],
  [{ kind: 'welcome', nick: 'zoë', room: 'main' }, '* Welcome, zoë. You are in #main. Type /help for the commands.'],
  [{ kind: 'welcomeBack', nick: 'ann', rooms: ['main', 'café', 'x.y'], active: 'café' }, '* Welcome back, ann. Rooms restored: #main, #café, #x.y; active room: #café'],
  [{ kind: 'joined', nick: 'Łukasz', room: '日本' }, '* Łukasz joined #日本'],
  [{ kind: 'left', nick: 'bob', room: 'dev' }, '* bob left #dev'],
  [{ kind: 'active', room: 'ü.x' }, '* #ü.x is now your active room'],
  [{ kind: 'renamed', from: 'ann', to: 'anna' }, '* ann is now known as anna'],
  [{ kind: 'rooms', total: 3, shown: [{ name: 'dev', members: 3 }, { name: 'ü.x', members: 1 }] }, '* rooms (3): dev (3), ü.x (1), … and 1 more'],
  [{ kind: 'users', room: 'dev', nicks: ['ann', 'Ωmega'] }, '* users in #dev (2): ann, Ωmega'],
  [{ kind: 'historyHeader', room: 'dev', count: 1 }, '* history of #dev: last 1 line (UTC)'],
  [{ kind: 'history', room: 'dev', time: '14:03:05', nick: 'bob', text: 'hi: [x] * ann joined #dev' }, '* [dev] 14:03:05 bob: hi: [x] * ann joined #dev'],
  [{ kind: 'noHistory', room: 'dev' }, '* no history in #dev yet'],
  [{ kind: 'historyOff' }, '* history is switched off on this server'],
  [{ kind: 'historyNotSaved', problem: 'disk full (ENOSPC)' }, '* history is not being saved right now (disk full (ENOSPC))'],
  [{ kind: 'bye' }, '* Bye'],
  [{ kind: 'shuttingDown' }, '* server shutting down; your rooms are kept for the grace period'],
  [{ kind: 'other', text: 'commands:' }, '* commands:'],
];

test('every system line kind has a pinned case', () => {
  const kinds = new Set(CASES.map(([l]) => l.kind));
  const all: SystemLine['kind'][] = ['greeting', 'welcome', 'welcomeBack', 'joined', 'left', 'active', 'renamed', 'rooms', 'users',
    'historyHeader', 'history', 'noHistory', 'historyOff', 'historyNotSaved', 'bye', 'shuttingDown', 'other'];
  assert.equal([...kinds].sort(), [...all].sort());
});

for (const [line, text] of CASES) {
  test(`${line.kind}: formats to its exact text and parses back`, () => {
    assert.is(formatSystemLine(line), text);
    assert.equal(parseSystemLine(text), line);
  });
}

test('empty lists round-trip', () => {
  for (const line of [
    { kind: 'users', room: 'dev', nicks: [] },
    { kind: 'rooms', total: 0, shown: [] },
    { kind: 'rooms', total: 250, shown: [] },
    { kind: 'historyHeader', room: 'dev', count: 20 },
  ] as SystemLine[]) {
    assert.equal(parseSystemLine(formatSystemLine(line)), line);
  }
  assert.is(formatSystemLine({ kind: 'users', room: 'dev', nicks: [] }), '* users in #dev (0): ');
});

test('a line from elsewhere reads as other, never as a near miss', () => {
  assert.equal(parseSystemLine('* Welcome, ann. You are in #main.'), { kind: 'other', text: 'Welcome, ann. You are in #main.' });
  assert.equal(parseSystemLine('* ann joined dev'), { kind: 'other', text: 'ann joined dev' });
  assert.equal(parseSystemLine('* server shutting down; x'), { kind: 'other', text: 'server shutting down; x' });
});

test("a hostile server's room name is read whole, to be shown", () => {
  assert.equal(parseSystemLine('* #x\x1b]0;t\x07 is now your active room'), { kind: 'active', room: 'x\x1b]0;t\x07' });
});

test.run();
