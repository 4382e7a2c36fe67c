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

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const STAR = 0x2a;
const BANG = 0x21;
const COLON = 0x3a;
const SPACE = 0x20;
const PM_FROM = Buffer.from('[PM from ');
const PM_TO = Buffer.from('[PM to ');
const YOU = Buffer.from('You');

/** `! reason` → a stable kind (the server's ErrorReason names, DESIGN §8). */
const ERROR_KINDS: [RegExp, string][] = [
  [/^line too long/, 'line_too_long'],
  [/^invalid UTF-8/, 'invalid_utf8'],
  [/^rate limit/, 'rate_limit'],
  [/^nickname .* is taken/, 'nick_taken'],
  [/^invalid (nickname|room name)/, 'bad_name'],
  [/^unknown command/, 'unknown_command'],
  [/^no such user/, 'no_such_user'],
  [/^no such room/, 'no_such_room'],
  [/^you are (not in|in no room)/, 'not_in_room'],
  [/^room limit/, 'room_limit'],
  [/^server room limit/, 'server_room_limit'],
  [/^choose a nickname first/, 'not_logged_in'],
  [/^(usage:|\/history takes|you are only in)/, 'bad_argument'],
  [/^internal error/, 'internal'],
];

export function classifyError(text: string): string {
  for (const [re, kind] of ERROR_KINDS) if (re.test(text)) return kind;
  return 'server_error';
}

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
    if (first === STAR && line[1] === SPACE) return this.#system(line.toString('utf8', 2), out);
    if (first === BANG && line[1] === SPACE) {
      out.kind = 'error';
      out.text = line.toString('utf8', 2);
      out.errorKind = classifyError(out.text);
      out.nick = out.errorKind === 'no_such_user' ? (/'(.*)'/.exec(out.text)?.[1] ?? '') : '';
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
    out.self = colon - nickStart === 3 && line.compare(YOU, 0, 3, nickStart, colon) === 0;
    out.textStart = colon + 2;
  }

  #system(text: string, out: ProtocolEvent): void {
    let m: RegExpExecArray | null;
    out.kind = 'system';
    out.text = text;
    if ((m = /^(\S+) joined #(\S+)$/.exec(text))) {
      set(out, 'joined', m[2] as string, m[1] as string, this.#nick);
    } else if ((m = /^(\S+) left #(\S+)$/.exec(text))) {
      set(out, 'left', m[2] as string, m[1] as string, this.#nick);
    } else if ((m = /^#(\S+) is now your active room$/.exec(text))) {
      set(out, 'joined', m[1] as string, this.#nick, this.#nick);
    } else if ((m = /^users in #(\S+) \(\d+\): ?(.*)$/.exec(text))) {
      out.kind = 'members';
      out.room = m[1] as string;
      out.nicks = m[2] === '' ? [] : (m[2] as string).split(', ');
    } else if ((m = /^Welcome, (\S+)\. You are in #(\S+)\./.exec(text))) {
      out.kind = 'loggedIn';
      out.rooms = [m[2] as string];
      out.room = m[2] as string;
    } else if ((m = /^Welcome back, (\S+)\. Rooms restored: (.*); active room: #(\S+)$/.exec(text))) {
      out.kind = 'loggedIn';
      out.rooms = (m[2] as string).split(', ').map((r) => r.replace(/^#/, ''));
      out.room = m[3] as string;
    } else if (text.startsWith('Welcome to chatpulse')) {
      out.kind = 'hello';
    } else if (text === 'Bye' || text.startsWith('server shutting down')) {
      out.kind = 'closing';
      out.errorKind = 'server_closed';
    }
  }
}

function set(out: ProtocolEvent, kind: 'joined' | 'left', room: string, nick: string, me: string): void {
  out.kind = kind;
  out.room = room;
  out.nick = nick;
  out.self = nick.toLowerCase() === me.toLowerCase();
}

function startsWith(line: Buffer, prefix: Buffer): boolean {
  return line.length >= prefix.length && line.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
