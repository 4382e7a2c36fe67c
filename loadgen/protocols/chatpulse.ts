import { CHAT_BYTES, isClosingKind, parseErrorLine, parseSystemLine } from '../../protocol/index.js';
import type { ProtocolAdapter, ProtocolEvent, ProtocolSession } from './adapter.js';

/** The chatpulse line protocol of DESIGN §3. */
export const chatpulseProtocol: ProtocolAdapter = {
  name: 'chatpulse',
  defaultPort: 5555,
  echoesOwnRoomMessages: true,
  echoesOwnPrivateMessages: true,
  lobby: 'main',
  roomName: (plain) => plain,
  session: () => new ChatpulseSession(),
};

const { OPEN_BRACKET, CLOSE_BRACKET, COLON, SPACE, PM_FROM, PM_TO, YOU } = CHAT_BYTES;
const STAR = 0x2a;
const BANG = 0x21;

class ChatpulseSession implements ProtocolSession {
  #nick = '';

  open(): string {
    return '';
  }
  login(nick: string): string {
    this.#nick = nick;
    return `/nick ${nick}\n`;
  }
  join(room: string): string {
    return `/join ${room}\n`;
  }
  leave(room: string): string {
    return `/leave ${room}\n`;
  }
  say(_room: string, text: string): string {
    // Messages go to the active room; a text starting with '/' would be a command, ours never do.
    return `${text}\n`;
  }
  pm(nick: string, text: string): string {
    return `/pm ${nick} ${text}\n`;
  }
  members(room: string): string {
    return `/users ${room}\n`;
  }
  quit(): string {
    return '/quit\n';
  }

  parse(line: Buffer, out: ProtocolEvent): void {
    this.parseAt(line, 0, line.length, out);
  }

  parseAt(buf: Buffer, start: number, end: number, out: ProtocolEvent): void {
    out.kind = 'ignore';
    out.self = false;
    const first = buf[start];
    if (first === OPEN_BRACKET) return bracketed(buf, start, end, out);
    if (end - start < 2 || buf[start + 1] !== SPACE) return;
    if (first === STAR) return this.#system(buf.toString('utf8', start, end), out);
    if (first === BANG) {
      const error = parseErrorLine(buf.toString('utf8', start, end));
      // A timeout or a slow-consumer cut: the close that follows is counted once, as this kind.
      out.kind = isClosingKind(error.kind) ? 'closing' : 'error';
      out.text = error.text;
      out.errorKind = error.kind;
      out.nick = error.kind === 'no_such_user' ? (error.nick ?? '') : '';
    }
  }

  #system(line: string, out: ProtocolEvent): void {
    const l = parseSystemLine(line);
    out.kind = 'system';
    out.text = line.slice(2);
    switch (l.kind) {
      case 'joined':
      case 'left':
        return set(out, l.kind, l.room, l.nick, this.#nick);
      case 'active':
        return set(out, 'joined', l.room, this.#nick, this.#nick);
      case 'users':
        out.kind = 'members';
        out.room = l.room;
        out.nicks = l.nicks;
        return;
      case 'welcome':
        out.kind = 'loggedIn';
        out.rooms = [l.room];
        out.room = l.room;
        return;
      case 'welcomeBack':
        out.kind = 'loggedIn';
        out.rooms = l.rooms;
        out.room = l.active;
        return;
      case 'greeting':
        out.kind = 'hello';
        return;
      case 'bye':
      case 'shuttingDown':
        out.kind = 'closing';
        out.errorKind = 'server_closed';
        return;
    }
  }
}

function set(out: ProtocolEvent, kind: 'joined' | 'left', room: string, nick: string, me: string): void {
  out.kind = kind;
  out.room = room;
  out.nick = nick;
  out.self = nick.toLowerCase() === me.toLowerCase();
}

/**
 * The hot path, once per delivery: `[room] nick: text`, `[room] You: text`, `[PM from x] text`,
 * `[PM to x] text`, in `buf[start, end)`.
 */
function bracketed(buf: Buffer, start: number, end: number, out: ProtocolEvent): void {
  const close = find(buf, CLOSE_BRACKET, start + 1, end);
  // `close + 1 < end`: past the line is the next line's (or frame's) first byte.
  if (close < 0 || close + 1 >= end || buf[close + 1] !== SPACE) return;
  if (startsWith(buf, start, end, PM_FROM)) {
    out.kind = 'pm';
    out.textStart = close + 2;
    return;
  }
  if (startsWith(buf, start, end, PM_TO)) {
    out.kind = 'pmEcho';
    out.textStart = close + 2;
    return;
  }
  const nickStart = close + 2;
  const colon = find(buf, COLON, nickStart, end);
  if (colon < 0 || colon + 1 >= end || buf[colon + 1] !== SPACE) return;
  out.kind = 'message';
  out.self = colon - nickStart === 3 && isYou(buf, nickStart);
  out.textStart = colon + 2;
}

/**
 * Byte by byte, here and below: the bytes sought lie a few places ahead (a room name, a nickname), where
 * `Buffer#indexOf`/`#compare` check their arguments and call into C++ — once or twice per delivery,
 * that was ~14 % of a saturated worker's time (profile).
 */
function find(buf: Buffer, byte: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === byte) return i;
  return -1;
}

function startsWith(buf: Buffer, start: number, end: number, prefix: Uint8Array): boolean {
  const n = prefix.length;
  if (end - start < n) return false;
  for (let i = 0; i < n; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

function isYou(buf: Buffer, at: number): boolean {
  return buf[at] === YOU[0] && buf[at + 1] === YOU[1] && buf[at + 2] === YOU[2];
}
