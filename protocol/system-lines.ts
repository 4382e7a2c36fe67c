/**
 * The server's `*` lines (DESIGN §3): each kind's text is written once here and read back here, so
 * rewording one changes its parser in the same edit and the round-trip test catches a mismatch.
 * Strings, not bytes: these lines are rare (logins, joins, lists), unlike room messages.
 *
 * Nicknames and room names never hold spaces, brackets, `#`, `,`, `(`, `)` or `:` (server/names.ts),
 * which is what keeps the patterns below unambiguous; text after them is anything at all. A name is
 * still read as any run of non-spaces: a client must show a hostile server's room name, not drop the
 * line (the terminal client's prompt test sends one full of escape sequences).
 */

export interface RoomCount {
  name: string;
  members: number;
}

export type SystemLine =
  | { kind: 'greeting' }
  | { kind: 'welcome'; nick: string; room: string }
  | { kind: 'welcomeBack'; nick: string; rooms: string[]; active: string }
  | { kind: 'joined'; nick: string; room: string }
  | { kind: 'left'; nick: string; room: string }
  | { kind: 'active'; room: string }
  | { kind: 'renamed'; from: string; to: string }
  /** `shown` may be fewer than `total`: the line then ends in `… and N more`. */
  | { kind: 'rooms'; total: number; shown: RoomCount[] }
  | { kind: 'users'; room: string; nicks: string[] }
  | { kind: 'historyHeader'; room: string; count: number }
  /** A replayed room message; `time` is `HH:MM:SS` UTC. */
  | { kind: 'history'; room: string; time: string; nick: string; text: string }
  | { kind: 'noHistory'; room: string }
  | { kind: 'historyOff' }
  | { kind: 'historyNotSaved'; problem: string }
  | { kind: 'bye' }
  | { kind: 'shuttingDown' }
  /** Any other `*` line (help text, …): `text` is what follows `* `. */
  | { kind: 'other'; text: string };

export type SystemLineKind = SystemLine['kind'];

const GREETING = '* Welcome to chatpulse. Choose a nickname with /nick NAME';
const BYE = '* Bye';
const SHUTTING_DOWN = '* server shutting down; your rooms are kept for the grace period';
const HISTORY_OFF = '* history is switched off on this server';
const MORE = ', … and ';

/** One `*` line, without its `\n`. */
export function formatSystemLine(l: SystemLine): string {
  switch (l.kind) {
    case 'greeting': return GREETING;
    case 'welcome': return `* Welcome, ${l.nick}. You are in #${l.room}. Type /help for the commands.`;
    case 'welcomeBack': return `* Welcome back, ${l.nick}. Rooms restored: ${l.rooms.map((r) => `#${r}`).join(', ')}; active room: #${l.active}`;
    case 'joined': return `* ${l.nick} joined #${l.room}`;
    case 'left': return `* ${l.nick} left #${l.room}`;
    case 'active': return `* #${l.room} is now your active room`;
    case 'renamed': return `* ${l.from} is now known as ${l.to}`;
    case 'rooms': {
      const shown = l.shown.map((r) => `${r.name} (${r.members})`).join(', ');
      const more = l.total > l.shown.length ? `${MORE}${l.total - l.shown.length} more` : '';
      return `* rooms (${l.total}): ${shown}${more}`;
    }
    case 'users': return `* users in #${l.room} (${l.nicks.length}): ${l.nicks.join(', ')}`;
    case 'historyHeader': return `* history of #${l.room}: last ${l.count} line${l.count === 1 ? '' : 's'} (UTC)`;
    case 'history': return `* [${l.room}] ${l.time} ${l.nick}: ${l.text}`;
    case 'noHistory': return `* no history in #${l.room} yet`;
    case 'historyOff': return HISTORY_OFF;
    case 'historyNotSaved': return `* history is not being saved right now (${l.problem})`;
    case 'bye': return BYE;
    case 'shuttingDown': return SHUTTING_DOWN;
    case 'other': return `* ${l.text}`;
  }
}

const NAME = '\\S+?';
const re = (src: string, flags = 's') => new RegExp(src.replaceAll('NAME', NAME), flags);

const WELCOME = re('^\\* Welcome, (NAME)\\. You are in #(NAME)\\. Type /help for the commands\\.$');
const WELCOME_BACK = re('^\\* Welcome back, (NAME)\\. Rooms restored: ((?:#NAME(?:, #NAME)*)?); active room: #(NAME)$');
const JOINED = re('^\\* (NAME) joined #(NAME)$');
const LEFT = re('^\\* (NAME) left #(NAME)$');
const ACTIVE = re('^\\* #(NAME) is now your active room$');
const RENAMED = re('^\\* (NAME) is now known as (NAME)$');
const ROOMS = re('^\\* rooms \\((\\d+)\\): ((?:NAME \\(\\d+\\)(?:, NAME \\(\\d+\\))*)?)(?:, … and (\\d+) more)?$');
const ROOM_COUNT = re('(NAME) \\((\\d+)\\)', 'gs');
const USERS = re('^\\* users in #(NAME) \\((\\d+)\\): ((?:NAME(?:, NAME)*)?)$');
const HISTORY_HEADER = re('^\\* history of #(NAME): last (\\d+) lines? \\(UTC\\)$');
const HISTORY = re('^\\* \\[(NAME)\\] (\\d\\d:\\d\\d:\\d\\d) (NAME): (.*)$');
const NO_HISTORY = re('^\\* no history in #(NAME) yet$');
const NOT_SAVED = /^\* history is not being saved right now \((.*)\)$/s;

const list = (s: string, strip = 0): string[] => (s === '' ? [] : s.split(', ').map((x) => x.slice(strip)));

/** Reads one line that starts with `* ` (without its `\n`); a line this file did not write is `other`. */
export function parseSystemLine(line: string): SystemLine {
  let m: RegExpExecArray | null;
  if (line === GREETING) return { kind: 'greeting' };
  if (line === BYE) return { kind: 'bye' };
  if (line === SHUTTING_DOWN) return { kind: 'shuttingDown' };
  if (line === HISTORY_OFF) return { kind: 'historyOff' };
  // History first: a replayed message's text may itself read like any other line.
  if ((m = HISTORY.exec(line))) return { kind: 'history', room: m[1]!, time: m[2]!, nick: m[3]!, text: m[4]! };
  if ((m = WELCOME.exec(line))) return { kind: 'welcome', nick: m[1]!, room: m[2]! };
  if ((m = WELCOME_BACK.exec(line))) return { kind: 'welcomeBack', nick: m[1]!, rooms: list(m[2]!, 1), active: m[3]! };
  if ((m = JOINED.exec(line))) return { kind: 'joined', nick: m[1]!, room: m[2]! };
  if ((m = LEFT.exec(line))) return { kind: 'left', nick: m[1]!, room: m[2]! };
  if ((m = ACTIVE.exec(line))) return { kind: 'active', room: m[1]! };
  if ((m = RENAMED.exec(line))) return { kind: 'renamed', from: m[1]!, to: m[2]! };
  if ((m = ROOMS.exec(line))) {
    const shown: RoomCount[] = [];
    for (const c of m[2]!.matchAll(ROOM_COUNT)) shown.push({ name: c[1]!, members: Number(c[2]) });
    return { kind: 'rooms', total: Number(m[1]), shown };
  }
  if ((m = USERS.exec(line))) return { kind: 'users', room: m[1]!, nicks: list(m[3]!) };
  if ((m = HISTORY_HEADER.exec(line))) return { kind: 'historyHeader', room: m[1]!, count: Number(m[2]) };
  if ((m = NO_HISTORY.exec(line))) return { kind: 'noHistory', room: m[1]! };
  if ((m = NOT_SAVED.exec(line))) return { kind: 'historyNotSaved', problem: m[1]! };
  return { kind: 'other', text: line.slice(2) };
}
