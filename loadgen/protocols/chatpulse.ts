import { CHAT_BYTES, parseErrorLine, parseSystemLine } from '../../protocol/index.js';
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
    out.kind = 'ignore';
    out.self = false;
    const first = line[0];
    if (first === OPEN_BRACKET) return this.#bracketed(line, out);
    if (first === STAR && line[1] === SPACE) return this.#system(line.toString('utf8'), out);
    if (first === BANG && line[1] === SPACE) {
      const error = parseErrorLine(line.toString('utf8'));
      out.kind = 'error';
      out.text = error.text;
      out.errorKind = error.kind;
      out.nick = error.kind === 'no_such_user' ? (error.nick ?? '') : '';
    }
  }

  /** The hot path: `[room] nick: text`, `[room] You: text`, `[PM from x] text`, `[PM to x] text`. */
  #bracketed(line: Buffer, out: ProtocolEvent): void {
    const close = line.indexOf(CLOSE_BRACKET, 1);
    if (close < 0 || line[close + 1] !== SPACE) return;
    if (startsWith(line, PM_FROM)) {
      out.kind = 'pm';
      out.textStart = close + 2;
      return;
    }
    if (startsWith(line, PM_TO)) {
      out.kind = 'pmEcho';
      out.textStart = close + 2;
      return;
    }
    const nickStart = close + 2;
    const colon = line.indexOf(COLON, nickStart);
    if (colon < 0 || line[colon + 1] !== SPACE) return;
    out.kind = 'message';
    out.self = colon - nickStart === 3 && isYou(line, nickStart);
    out.textStart = colon + 2;
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
 * Byte by byte: `Buffer#compare` with offsets checks its arguments and calls into C++ — on the receive
 * path, once or twice per delivery, that was ~14 % of a saturated worker's time (profile).
 */
function startsWith(line: Buffer, prefix: Uint8Array): boolean {
  const n = prefix.length;
  if (line.length < n) return false;
  for (let i = 0; i < n; i++) if (line[i] !== prefix[i]) return false;
  return true;
}

function isYou(line: Buffer, at: number): boolean {
  return line[at] === YOU[0] && line[at + 1] === YOU[1] && line[at + 2] === YOU[2];
}
