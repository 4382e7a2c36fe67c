/**
 * Terminal styling of §3 lines by their marker: nicknames each in a stable colour, `!` errors red,
 * PMs magenta, `*` system lines dim. No colour at all when NO_COLOR is set (no-color.org) or the
 * output is not a terminal.
 */
import { showControls } from './visible.js';

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const BOLD = '\x1b[1m';
const NORMAL = '\x1b[22m';
const RED = '\x1b[31m';
const MAGENTA = '\x1b[35m';
const YELLOW = '\x1b[33m';

/** Green, yellow, blue, cyan and their bright forms: red and magenta stay free for errors and PMs. */
export const NICK_PALETTE = [32, 33, 34, 36, 92, 93, 94, 96] as const;

export function colorEnabled(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  const noColor = env.NO_COLOR;
  return stream.isTTY === true && (noColor === undefined || noColor === '');
}

/** FNV-1a of the lowercased nickname → palette: the same nick has the same colour in every session. */
export function nickColor(nick: string): number {
  let h = 0x811c9dc5;
  const s = nick.toLowerCase();
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return NICK_PALETTE[(h >>> 0) % NICK_PALETTE.length] as number;
}

function paintNick(nick: string): string {
  return `\x1b[${nickColor(nick)}m${nick}\x1b[39m`;
}

const ROOM_LINE = /^\[([^\]\s]+)\] ([^\s:]+): /;
const PM_LINE = /^\[PM (from|to) ([^\]\s]+)\] /;

/** One server line as it is printed: controls made visible (client/visible.ts), then styled. */
export function styleLine(raw: string, color: boolean): string {
  const line = showControls(raw);
  if (!color) return line;
  if (line.startsWith('! ')) return `${RED}${line}${RESET}`;
  if (line.startsWith('* ')) return `${DIM}${line}${RESET}`;
  let m = PM_LINE.exec(line);
  if (m) return `${MAGENTA}[PM ${m[1]} ${BOLD}${m[2]}${NORMAL}] ${line.slice(m[0].length)}${RESET}`;
  m = ROOM_LINE.exec(line);
  if (m) {
    const nick = m[2] as string;
    const who = nick === 'You' ? `${BOLD}You${NORMAL}` : paintNick(nick);
    return `${DIM}[${m[1]}]${NORMAL} ${who}: ${line.slice(m[0].length)}`;
  }
  return line;
}

/** The client's own notices (disconnected, retrying): not from the server, so styled apart. */
export function styleNotice(text: string, color: boolean): string {
  return color ? `${YELLOW}${text}${RESET}` : text;
}
