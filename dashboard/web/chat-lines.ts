/**
 * Reads the server's §3 lines (DESIGN §3) into typed events for the browser chat page. Pure: no DOM,
 * so it is tested in Node. Nicknames and room names never hold spaces, brackets or `:`, which is
 * what keeps these patterns unambiguous; the text after them is anything at all.
 */
export type ChatLine =
  | { kind: 'greeting' }
  | { kind: 'welcome'; nick: string; rooms: string[]; active: string; restored: boolean }
  | { kind: 'joined'; nick: string; room: string }
  | { kind: 'left'; nick: string; room: string }
  | { kind: 'active'; room: string }
  | { kind: 'renamed'; from: string; to: string }
  | { kind: 'rooms'; total: number; rooms: RoomCount[] }
  | { kind: 'users'; room: string; nicks: string[] }
  | { kind: 'history-header'; room: string }
  | { kind: 'history'; room: string; time: string; nick: string; text: string }
  | { kind: 'no-history'; room: string }
  | { kind: 'message'; room: string; nick: string; text: string; self: boolean }
  | { kind: 'pm'; direction: 'from' | 'to'; nick: string; text: string }
  | { kind: 'error'; text: string; takenNick: string | null }
  | { kind: 'system'; text: string };

export interface RoomCount {
  name: string;
  members: number;
}

const NAME = '[^\\s\\[\\]:#,()]+';
const re = (src: string, flags = 's') => new RegExp(src.replaceAll('NAME', NAME), flags);

const MESSAGE = re('^\\[(NAME)\\] (NAME): (.*)$');
const PM = re('^\\[PM (from|to) (NAME)\\] (.*)$');
const HISTORY = re('^\\* \\[(NAME)\\] (\\d\\d:\\d\\d:\\d\\d) (NAME): (.*)$');
const GREETING = /^\* Welcome to chatpulse\b/;
const WELCOME = re('^\\* Welcome, (NAME)\\. You are in #(NAME)\\.');
const WELCOME_BACK = re('^\\* Welcome back, (NAME)\\. Rooms restored: (.*); active room: #(NAME)$');
const JOINED = re('^\\* (NAME) joined #(NAME)$');
const LEFT = re('^\\* (NAME) left #(NAME)$');
const ACTIVE = re('^\\* #(NAME) is now your active room$');
const RENAMED = re('^\\* (NAME) is now known as (NAME)$');
const ROOMS = /^\* rooms \((\d+)\): ?(.*)$/s;
const ROOM_COUNT = re('(NAME) \\((\\d+)\\)', 'gs');
const USERS = re('^\\* users in #(NAME) \\(\\d+\\): ?(.*)$');
const HISTORY_HEADER = re('^\\* history of #(NAME): ');
const NO_HISTORY = re('^\\* no history in #(NAME) yet$');
const TAKEN = re("^! nickname '(NAME)' is taken$");

export function parseChatLine(line: string): ChatLine {
  let m: RegExpExecArray | null;
  if (line.startsWith('[PM ') && (m = PM.exec(line))) {
    return { kind: 'pm', direction: m[1] === 'from' ? 'from' : 'to', nick: m[2] as string, text: m[3] as string };
  }
  if (line.startsWith('[') && (m = MESSAGE.exec(line))) {
    return { kind: 'message', room: m[1] as string, nick: m[2] as string, text: m[3] as string, self: m[2] === 'You' };
  }
  if (line.startsWith('! ')) {
    m = TAKEN.exec(line);
    return { kind: 'error', text: line.slice(2), takenNick: m ? (m[1] as string) : null };
  }
  if (!line.startsWith('* ')) return { kind: 'system', text: line };
  if ((m = HISTORY.exec(line))) {
    return { kind: 'history', room: m[1] as string, time: m[2] as string, nick: m[3] as string, text: m[4] as string };
  }
  if (GREETING.test(line)) return { kind: 'greeting' };
  if ((m = WELCOME.exec(line))) return { kind: 'welcome', nick: m[1] as string, rooms: [m[2] as string], active: m[2] as string, restored: false };
  if ((m = WELCOME_BACK.exec(line))) {
    const rooms = (m[2] as string).split(', ').map((r) => r.replace(/^#/, ''));
    return { kind: 'welcome', nick: m[1] as string, rooms, active: m[3] as string, restored: true };
  }
  if ((m = JOINED.exec(line))) return { kind: 'joined', nick: m[1] as string, room: m[2] as string };
  if ((m = LEFT.exec(line))) return { kind: 'left', nick: m[1] as string, room: m[2] as string };
  if ((m = ACTIVE.exec(line))) return { kind: 'active', room: m[1] as string };
  if ((m = RENAMED.exec(line))) return { kind: 'renamed', from: m[1] as string, to: m[2] as string };
  if ((m = ROOMS.exec(line))) {
    const rooms: RoomCount[] = [];
    for (const c of (m[2] as string).matchAll(ROOM_COUNT)) rooms.push({ name: c[1] as string, members: Number(c[2]) });
    return { kind: 'rooms', total: Number(m[1]), rooms };
  }
  if ((m = USERS.exec(line))) {
    const list = m[2] as string;
    return { kind: 'users', room: m[1] as string, nicks: list === '' ? [] : list.split(', ') };
  }
  if ((m = HISTORY_HEADER.exec(line))) return { kind: 'history-header', room: m[1] as string };
  if ((m = NO_HISTORY.exec(line))) return { kind: 'no-history', room: m[1] as string };
  return { kind: 'system', text: line.slice(2) };
}

/** A stable hue (0–359) per nickname, so that each person keeps one colour on every page. */
export function nickHue(nick: string): number {
  let h = 0x811c9dc5;
  const s = nick.toLowerCase();
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 360;
}
