import { errorText } from '../protocol/index.js';
import type { DisconnectReason, ErrorReason } from './events.js';
import * as lines from './lines.js';
import type { RoomCount } from './membership.js';
import { normalizeRoom } from './names.js';
import { HISTORY_MAX, HISTORY_ON_JOIN } from './options.js';
import type { Room } from './rooms.js';
import type { Session } from './session.js';

/** What a command may do: the chat core implements it, and commands see nothing else of the core. */
export interface CommandContext {
  send(session: Session, line: Buffer): void;
  /** An `!` line, counted as an error with `reason`. */
  fail(session: Session, reason: ErrorReason, text: string): void;
  login(session: Session, nick: string): void;
  renick(session: Session, nick: string): void;
  join(session: Session, room: string): void;
  leave(session: Session, room: string | undefined): void;
  /** To a user on this node or another; fails as `no_such_user` when there is none. */
  privateMessage(session: Session, nick: string, text: string): void;
  /** Every room of the cluster, busiest first. */
  roomCounts(): RoomCount[];
  /** A room's nicknames on every node, or undefined when nobody is in it. */
  users(room: string): { room: string; nicks: string[] } | undefined;
  readonly historyEnabled: boolean;
  sendHistory(session: Session, room: Room<Session>, n: number): void;
  close(session: Session, reason: DisconnectReason, farewell: Buffer): void;
}

type Handler = (core: CommandContext, session: Session, args: string) => void;

/** Splits `/cmd rest of line` into the command and the rest (single spaces kept inside `rest`); a tab after the command separates too. */
function split(text: string): [string, string] {
  const sp = text.search(/[ \t]/);
  return sp === -1 ? [text.slice(1).toLowerCase(), ''] : [text.slice(1, sp).toLowerCase(), text.slice(sp + 1).trim()];
}

const ROOMS_SHOWN = 200;

/**
 * Commands whose arguments are single words, with how many they take and their usage. Extra words are
 * refused rather than dropped: `/nick two words` must not quietly become `two`, nor `/join a b` join `a`.
 */
const ARITY: Record<string, { max: 0 | 1; usage: string; what: string }> = {
  nick: { max: 1, usage: '/nick NAME', what: 'one nickname (nicknames have no spaces)' },
  join: { max: 1, usage: '/join ROOM', what: 'one room name (room names have no spaces)' },
  leave: { max: 1, usage: '/leave [ROOM]', what: 'at most one room name' },
  users: { max: 1, usage: '/users [ROOM]', what: 'at most one room name' },
  history: { max: 1, usage: '/history [N]', what: 'at most one number' },
  rooms: { max: 0, usage: '/rooms', what: 'no arguments' },
};

/** The `!` text when `args` has more words than the command takes; undefined when it fits. */
export function arityError(name: string, args: string): string | undefined {
  const rule = ARITY[name];
  if (rule === undefined || args === '') return undefined;
  const words = args.split(/\s+/).length;
  if (words <= rule.max) return undefined;
  return errorText.tooManyWords(rule.usage, rule.what, words);
}

const pm: Handler = (core, s, args) => {
  const sp = args.indexOf(' ');
  const nick = sp === -1 ? args : args.slice(0, sp);
  const text = sp === -1 ? '' : args.slice(sp + 1).trim();
  if (nick === '' || text === '') return core.fail(s, 'bad_argument', errorText.usage('/pm NICK TEXT'));
  core.privateMessage(s, nick, text);
};

/** Commands available only once a nickname is set. */
const loggedIn: Record<string, Handler> = {
  join: (core, s, args) => (args === '' ? core.fail(s, 'bad_argument', errorText.usage('/join ROOM')) : core.join(s, args)),
  leave: (core, s, args) => core.leave(s, args === '' ? undefined : args),
  rooms: (core, s) => {
    const all = core.roomCounts();
    core.send(s, lines.system({ kind: 'rooms', total: all.length, shown: all.slice(0, ROOMS_SHOWN) }));
  },
  users: (core, s, args) => {
    const name = args === '' ? s.active?.name : normalizeRoom(args);
    const found = name === undefined ? undefined : core.users(name);
    if (found === undefined) return core.fail(s, 'no_such_room', errorText.noSuchRoom(name ?? ''));
    core.send(s, lines.system({ kind: 'users', room: found.room, nicks: found.nicks.sort() }));
  },
  pm,
  msg: pm,
  history: (core, s, args) => {
    let n = HISTORY_ON_JOIN;
    if (args !== '') {
      if (!/^\d{1,4}$/.test(args) || Number(args) < 1 || Number(args) > HISTORY_MAX) {
        return core.fail(s, 'bad_argument', errorText.historyCount(HISTORY_MAX, args.slice(0, 20)));
      }
      n = Number(args);
    }
    const room = s.active;
    if (!room) return core.fail(s, 'not_in_room', errorText.inNoRoom());
    if (!core.historyEnabled) return core.send(s, lines.system({ kind: 'historyOff' }));
    core.sendHistory(s, room, n);
  },
};

/** Commands available before and after login. */
const always: Record<string, Handler> = {
  nick: (core, s, args) => {
    const nick = args;
    if (nick === '') return core.fail(s, 'bad_argument', errorText.usage('/nick NAME'));
    if (s.nick === null) core.login(s, nick);
    else core.renick(s, nick);
  },
  help: (core, s) => core.send(s, Buffer.from(lines.HELP)),
  quit: (core, s) => core.close(s, 'quit', lines.system({ kind: 'bye' })),
};

export function runCommand(core: CommandContext, session: Session, text: string): void {
  const [name, args] = split(text);
  const handler = always[name] ?? loggedIn[name];
  if (handler === undefined) {
    return core.fail(session, 'unknown_command', errorText.unknownCommand(name.slice(0, 32)));
  }
  if (session.nick === null && always[name] === undefined) {
    return core.fail(session, 'not_logged_in', errorText.notLoggedIn());
  }
  const tooMany = arityError(name, args);
  if (tooMany !== undefined) return core.fail(session, 'bad_argument', tooMany);
  handler(core, session, args);
}
