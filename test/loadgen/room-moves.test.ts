import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RoomMoves, sameRoom } from '../../loadgen/room-moves.js';
import { RoomView } from '../../loadgen/room-view.js';

/** A manual clock, the two histograms as lists of µs, a view, and moves wanting room 'lobby'. */
function setup() {
  const clock = { t: 1000 };
  const h = { join: [] as number[], users: [] as number[] };
  const rec = (list: number[]) => ({ recordValue: (us: number) => void list.push(us) });
  const view = new RoomView();
  const m = new RoomMoves('lobby', view, () => clock.t, { join: rec(h.join), users: rec(h.users) });
  return { clock, h, view, m };
}

test('sameRoom: case-insensitive', () => {
  assert.ok(sameRoom('Dev', 'dev'));
  assert.not.ok(sameRoom('dev', 'ops'));
});

test('other: never the current room, spread over the rest', () => {
  const { m } = setup();
  const rooms = ['main', 'lobby', 'dev'];
  assert.is(m.other(rooms, 0), 'main');
  assert.is(m.other(rooms, 0.5), 'dev', 'index 1 is the current room: the last instead');
  assert.is(m.other(rooms, 0.99), 'dev');
});

test('a join: timed from asking to our joined line; the auto-joined rooms are left, once', () => {
  const { clock, h, m } = setup();
  m.loggedIn(['main', 'hall']);
  m.joining('dev');
  assert.is(m.room, 'dev');
  clock.t = 1002.5;
  const left: string[] = [];
  assert.not.ok(m.joined('DEV', false, (r) => left.push(r)), 'not asked for: no completion');
  assert.equal(h.join, []);
  assert.ok(m.joined('DEV', true, (r) => left.push(r)));
  assert.equal(h.join, [2500]);
  assert.equal(left, ['main', 'hall']);
  m.joining('ops');
  assert.ok(m.joined('ops', true, (r) => left.push(r)));
  assert.equal(left, ['main', 'hall', 'DEV'], 'only the room we were still in');
});

test('joined another room than the wanted one: not our join', () => {
  const { h, m } = setup();
  m.joining('dev');
  assert.not.ok(m.joined('main', true, () => assert.unreachable('left')));
  assert.equal(h.join, []);
});

test('/users answers time the oldest ask; the view takes only its own room', () => {
  const { clock, h, view, m } = setup();
  view.reset('dev', 'me');
  m.askedUsers();
  clock.t = 1001;
  m.askedUsers();
  clock.t = 1004;
  assert.not.ok(m.members('ops', ['x'], 'me'));
  assert.is(view.size, 1, 'still only me');
  clock.t = 1005;
  assert.ok(m.members('DEV', ['a', 'b', 'me'], 'me'));
  assert.equal(h.users, [4000, 4000]);
  assert.is(view.size, 3);
  m.askedUsers();
  m.disconnected();
  assert.not.ok(m.members('ops', [], 'me'));
  assert.equal(h.users, [4000, 4000], 'asked on a gone connection: not timed');
});

test("others' joins and leaves reach the view for its room only; our leave forgets the room", () => {
  const { m, view } = setup();
  view.reset('dev', 'me');
  m.otherJoined('DEV', 'ann');
  m.otherJoined('ops', 'bob');
  assert.is(view.size, 2);
  m.left('dev', 'ann', false);
  assert.is(view.size, 1);
  m.loggedIn(['main']);
  m.left('main', 'me', true);
  m.joining('dev');
  assert.ok(m.joined('dev', true, () => assert.unreachable('main was left already')));
});

test.run();
