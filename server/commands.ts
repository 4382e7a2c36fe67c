import { errorText } from '../protocol/index.js';
import type { ClusterLink } from './cluster-link.js';
import type { ChatEvents, DisconnectReason, ErrorReason } from './events.js';
import type { HistoryStore } from './history-store.js';
import * as lines from './lines.js';
import { normalizeRoom } from './names.js';
import { HISTORY_MAX, HISTORY_ON_JOIN } from './options.js';
import type { Room, RoomRegistry } from './rooms.js';
import type { Session } from './session.js';

/**
 * What the commands need of the chat core. Declared here rather than importing `ChatCore`, which
 * imports this module to run the commands: the core satisfies it structurally.
 */
export interface CommandCore {
  readonly events: ChatEvents;
  readonly rooms: RoomRegistry<Session>;
  readonly history: HistoryStore | undefined;
  readonly cluster: ClusterLink | undefined;
  send(session: Session, line: Buffer): void;
  fail(session: Session, reason: ErrorReason, text: string): void;
  sendPrivate(session: Session, target: Session, text: string): void;
  findByNick(nick: string): Session | undefined;
  login(session: Session, raw: string): void;
  renick(session: Session, raw: string): void;
  join(session: Session, rawName: string): void;
  leave(session: Session, rawName: string | undefined): void;
  sendHistory(session: Session, room: Room<Session>, n: number): void;
  close(session: Session, reason: DisconnectReason, farewell?: Buffer): void;
}

type Handler = (core: CommandCore, session: Session, args: string) => void;

/** Splits `/cmd rest of line` into the command and the rest (single spaces kept inside `rest`). */
function split(text: string): [string, string] {
  const sp = text.indexOf(' ');
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
  const target = core.findByNick(nick);
  if (target) return core.sendPrivate(s, target, text);
  if (core.cluster?.publishPrivate(s.nick as string, nick, text)) {
    core.events.emit('pm', { from: s.nick as string, to: nick });
    return core.send(s, lines.pmTo(nick, text));
  }
  core.fail(s, 'no_such_user', errorText.noSuchUser(nick));
};

/** Commands available only once a nickname is set. */
const loggedIn: Record<string, Handler> = {
  join: (core, s, args) => (args === '' ? core.fail(s, 'bad_argument', errorText.usage('/join ROOM')) : core.join(s, args)),
  leave: (core, s, args) => core.leave(s, args === '' ? undefined : args),
  rooms: (core, s) => {
    const counts = new Map<string, { name: string; n: number }>();
    for (const r of core.rooms.list()) counts.set(r.key, { name: r.name, n: r.members.size });
    for (const [name, n] of core.cluster?.remoteRooms() ?? []) {
      const entry = counts.get(name.toLowerCase()) ?? { name, n: 0 };
      entry.n += n;
      counts.set(name.toLowerCase(), entry);
    }
    const all = [...counts.values()].sort((a, b) => b.n - a.n || a.name.localeCompare(b.name));
    const shown = all.slice(0, ROOMS_SHOWN).map((r) => ({ name: r.name, members: r.n }));
    core.send(s, lines.system({ kind: 'rooms', total: all.length, shown }));
  },
  users: (core, s, args) => {
    const name = args === '' ? s.active?.name : normalizeRoom(args);
    const room = name === undefined ? undefined : core.rooms.get(name);
    const remote = name === undefined ? [] : (core.cluster?.remoteMembers(name) ?? []);
    if (!room && remote.length === 0) return core.fail(s, 'no_such_room', errorText.noSuchRoom(name ?? ''));
    const nicks = [...(room?.members ?? [])].map((m) => m.nick as string).concat(remote).sort();
    core.send(s, lines.system({ kind: 'users', room: room?.name ?? (name as string), nicks }));
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
    if (!core.history?.enabled) return core.send(s, lines.system({ kind: 'historyOff' }));
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

export function runCommand(core: CommandCore, session: Session, text: string): void {
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
