import type { ProtocolAdapter, ProtocolEvent, ProtocolSession } from './adapter.js';

/**
 * The client side of IRC (RFC 2812) that chat needs: NICK/USER registration (001 = logged in, 433 =
 * nickname taken → the client retries with a suffix), JOIN/PART as `#room`, PRIVMSG to channels and
 * nicknames, NAMES (353…366) as the member list, PING → PONG, and IRCv3 `echo-message` when the server
 * offers it (CAP LS/REQ). Delivery rule: without echo-message the sender does not see its own channel
 * messages, so the expected recipients are the other members; with it, the sender counts itself and
 * its own echo acknowledges the message, exactly as with chatpulse. ERROR lines and KILLs become a
 * `closing` event whose `errorKind` names the kind of disconnect (flood, ping timeout, ban, sendq, …).
 */
export const ircProtocol: ProtocolAdapter = {
  name: 'irc',
  defaultPort: 6667,
  echoesOwnRoomMessages: false,
  echoesOwnPrivateMessages: false,
  lobby: '',
  roomName: (plain) => (plain.startsWith('#') ? plain : `#${plain}`),
  session: () => new IrcSession(),
};

const SPACE = 0x20;
const COLON = 0x3a;
const AT = 0x40;
const BANG = 0x21;
const HASH = 0x23;
const AMP = 0x26;
const PRIVMSG = Buffer.from('PRIVMSG ');
/** A NAMES entry's channel-status symbols (`@op`, `+voice`, and whatever a server's PREFIX= adds: `!`, `.`): none can start a nickname. */
const NAME_PREFIXES = /^[^\p{L}_[\]\\`^{}|]+/u;

/** Server error numerics → the loadgen's stable error kinds (chatpulse's names where they mean the same). */
const NUMERIC_ERRORS: Record<string, string> = {
  '401': 'no_such_user', '403': 'no_such_room', '404': 'cannot_send', '405': 'room_limit', '421': 'unknown_command',
  '432': 'bad_name', '433': 'nick_taken', '436': 'nick_taken', '437': 'nick_taken', '442': 'not_in_room',
  '451': 'not_logged_in', '461': 'bad_argument', '464': 'password_required', '465': 'banned',
  '471': 'join_refused', '473': 'join_refused', '474': 'join_refused', '475': 'join_refused', '477': 'join_refused',
  '263': 'try_again', '481': 'not_allowed', '482': 'not_allowed',
};

/** Why the server closed the link, by kind: the text of `ERROR :Closing link: … [Excess Flood]` or a KILL. */
const DISCONNECT_KINDS: [RegExp, string][] = [
  [/flood/i, 'disconnect_flood'],
  [/ping timeout|registration timeout|timed out/i, 'disconnect_ping_timeout'],
  [/[kgzdqe]-?lined|banned|\bbans?\b|k-?line|g-?line|z-?line|akill/i, 'disconnect_banned'],
  [/sendq|recvq|buffer/i, 'disconnect_sendq'],
];

export function classifyDisconnect(text: string): string {
  for (const [re, kind] of DISCONNECT_KINDS) if (re.test(text)) return kind;
  return 'disconnect_other';
}

class IrcSession implements ProtocolSession {
  #nick = '';
  #nickBuf = Buffer.alloc(0);
  #userSent = false;
  #echo = false;
  #capDone = false;
  #echoOffered = false;
  /** Channels whose automatic NAMES reply (sent with our own JOIN) is still to come. */
  readonly #autoNames = new Set<string>();
  /** NAMES replies being collected (353 lines until 366). */
  readonly #names = new Map<string, string[]>();
  /** The channel we joined last: a QUIT names no channel, and a virtual client is in one at a time. */
  #channel = '';

  /** Negotiated per connection: the sender sees its own messages only with echo-message. */
  get echoesOwnRoomMessages(): boolean {
    return this.#echo;
  }
  get echoesOwnPrivateMessages(): boolean {
    return this.#echo;
  }

  open(): string {
    return 'CAP LS 302\r\n';
  }
  login(nick: string): string {
    this.#setNick(nick);
    if (this.#userSent) return `NICK ${nick}\r\n`;
    this.#userSent = true;
    return `NICK ${nick}\r\nUSER ${nick} 0 * :chatpulse loadgen\r\n`;
  }
  join(room: string): string {
    this.#autoNames.add(room.toLowerCase());
    return `JOIN ${room}\r\n`;
  }
  leave(room: string): string {
    return `PART ${room}\r\n`;
  }
  say(room: string, text: string): string {
    return `PRIVMSG ${room} :${text}\r\n`;
  }
  pm(nick: string, text: string): string {
    return `PRIVMSG ${nick} :${text}\r\n`;
  }
  members(room: string): string {
    return `NAMES ${room}\r\n`;
  }
  quit(): string {
    return 'QUIT :chatpulse loadgen done\r\n';
  }

  parse(line: Buffer, out: ProtocolEvent): void {
    out.kind = 'ignore';
    out.self = false;
    let i = 0;
    if (line[0] === AT) i = skipWord(line, 0); // IRCv3 message tags
    let prefixStart = -1;
    let prefixEnd = -1;
    if (line[i] === COLON) {
      prefixStart = i + 1;
      prefixEnd = line.indexOf(SPACE, i);
      if (prefixEnd < 0) return;
      i = prefixEnd + 1;
    }
    // The hot path first: `:nick!user@host PRIVMSG target :text`, no allocation.
    if (prefixStart >= 0 && startsWithAt(line, PRIVMSG, i)) return this.#privmsg(line, prefixStart, prefixEnd, i + PRIVMSG.length, out);
    const words = splitParams(line.toString('utf8', i));
    const command = (words[0] ?? '').toUpperCase();
    const from = prefixStart >= 0 ? nickOf(line.toString('utf8', prefixStart, prefixEnd)) : '';
    this.#other(command, words, from, out);
  }

  #privmsg(line: Buffer, pStart: number, pEnd: number, target: number, out: ProtocolEvent): void {
    const targetEnd = line.indexOf(SPACE, target);
    if (targetEnd < 0) return;
    const textStart = line[targetEnd + 1] === COLON ? targetEnd + 2 : targetEnd + 1;
    let nickEnd = line.indexOf(BANG, pStart);
    if (nickEnd < 0 || nickEnd > pEnd) nickEnd = pEnd;
    const fromMe = this.#isMe(line, pStart, nickEnd);
    const channel = line[target] === HASH || line[target] === AMP;
    out.textStart = textStart;
    out.self = fromMe;
    if (channel) out.kind = 'message';
    else out.kind = fromMe && !this.#isMe(line, target, targetEnd) ? 'pmEcho' : 'pm';
  }

  #other(command: string, w: string[], from: string, out: ProtocolEvent): void {
    const me = (nick: string) => nick.toLowerCase() === this.#nick.toLowerCase();
    switch (command) {
      case 'PING':
        return reply(out, `PONG :${w[1] ?? ''}\r\n`);
      case 'CAP':
        return this.#cap(w, out);
      case '001':
        if (w[1]) this.#setNick(w[1]);
        out.kind = 'loggedIn';
        out.rooms = [];
        out.room = '';
        return;
      case 'JOIN':
        return membership(out, 'joined', (w[1] ?? '').split(',')[0] as string, from, me(from), this);
      case 'PART':
        return membership(out, 'left', (w[1] ?? '').split(',')[0] as string, from, me(from), this);
      case 'KICK':
        return membership(out, 'left', w[1] ?? '', w[2] ?? '', me(w[2] ?? ''), this);
      case 'QUIT':
        return membership(out, 'left', this.#channel, from, me(from), this);
      case 'NICK':
        if (me(from) && w[1]) this.#setNick(w[1]);
        return;
      case '353': {
        const room = (w[3] ?? '').toLowerCase();
        const list = this.#names.get(room) ?? [];
        for (const n of (w[4] ?? '').split(' ')) if (n !== '') list.push(n.replace(NAME_PREFIXES, ''));
        this.#names.set(room, list);
        return;
      }
      case '366': {
        const room = w[2] ?? '';
        const nicks = this.#names.get(room.toLowerCase()) ?? [];
        this.#names.delete(room.toLowerCase());
        // The NAMES a server sends with our own JOIN is not the answer to a NAMES we asked for.
        if (this.#autoNames.delete(room.toLowerCase())) return;
        out.kind = 'members';
        out.room = room;
        out.nicks = nicks;
        return;
      }
      case 'ERROR':
        out.kind = 'closing';
        out.text = w[1] ?? '';
        out.errorKind = classifyDisconnect(out.text);
        return;
      case 'KILL':
        if (!me(w[1] ?? '')) return;
        out.kind = 'closing';
        out.text = w[2] ?? '';
        out.errorKind = /flood/i.test(out.text) ? 'disconnect_flood' : classifyDisconnect(out.text) === 'disconnect_other' ? 'disconnect_killed' : classifyDisconnect(out.text);
        return;
      default:
        return this.#numeric(command, w, out);
    }
  }

  #numeric(command: string, w: string[], out: ProtocolEvent): void {
    const kind = NUMERIC_ERRORS[command];
    if (kind !== undefined) {
      if (command === '421' && (w[2] ?? '').toUpperCase() === 'CAP') return; // a server without CAP: fine
      out.kind = 'error';
      out.errorKind = kind;
      out.nick = command === '401' ? (w[2] ?? '') : '';
      out.text = w.slice(2).join(' ');
      return;
    }
    // Any other 4xx/5xx is a refusal; 422 (no MOTD) is only news.
    if (/^[45]\d\d$/.test(command) && command !== '422') {
      out.kind = 'error';
      out.errorKind = `irc_${command}`;
      out.nick = '';
      out.text = w.slice(2).join(' ');
    }
  }

  #cap(w: string[], out: ProtocolEvent): void {
    if (this.#capDone) return;
    const sub = (w[2] ?? '').toUpperCase();
    const list = w[w.length - 1] ?? '';
    if (sub === 'LS') {
      if (list.split(' ').some((c) => c === 'echo-message' || c.startsWith('echo-message='))) this.#echoOffered = true;
      if (w[3] === '*' && w.length >= 5) return; // more LS lines follow (CAP 302 multiline)
      if (this.#echoOffered) return reply(out, 'CAP REQ :echo-message\r\n');
    } else if (sub === 'ACK') {
      if (list.split(' ').includes('echo-message')) this.#echo = true;
    } else if (sub !== 'NAK') {
      return;
    }
    this.#capDone = true;
    reply(out, 'CAP END\r\n');
  }

  #setNick(nick: string): void {
    this.#nick = nick;
    this.#nickBuf = Buffer.from(nick.toLowerCase());
  }

  /** Compares `line[start, end)` with our nickname, ASCII case-insensitively. */
  #isMe(line: Buffer, start: number, end: number): boolean {
    const n = this.#nickBuf;
    if (end - start !== n.length) return false;
    for (let k = 0; k < n.length; k++) {
      let c = line[start + k] as number;
      if (c >= 65 && c <= 90) c += 32;
      if (c !== n[k]) return false;
    }
    return true;
  }

  /** Remembers the channel we are in (a QUIT names none). */
  noteChannel(kind: 'joined' | 'left', room: string, self: boolean): void {
    if (!self) return;
    if (kind === 'joined') this.#channel = room;
    else {
      this.#autoNames.delete(room.toLowerCase());
      if (this.#channel.toLowerCase() === room.toLowerCase()) this.#channel = '';
    }
  }
}

function membership(out: ProtocolEvent, kind: 'joined' | 'left', room: string, nick: string, self: boolean, s: IrcSession): void {
  if (room === '' || nick === '') return;
  s.noteChannel(kind, room, self);
  out.kind = kind;
  out.room = room;
  out.nick = nick;
  out.self = self;
}

function reply(out: ProtocolEvent, text: string): void {
  out.kind = 'reply';
  out.text = text;
}

/** `nick!user@host` → `nick`. */
function nickOf(prefix: string): string {
  const bang = prefix.indexOf('!');
  return bang < 0 ? prefix : prefix.slice(0, bang);
}

/** IRC parameters: space-separated words, the last one after ` :` may hold spaces. */
export function splitParams(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s.charCodeAt(i) === SPACE) {
      i++;
      continue;
    }
    if (s.charCodeAt(i) === COLON && out.length > 0) {
      out.push(s.slice(i + 1));
      break;
    }
    const end = s.indexOf(' ', i);
    out.push(end < 0 ? s.slice(i) : s.slice(i, end));
    if (end < 0) break;
    i = end + 1;
  }
  return out;
}

function skipWord(line: Buffer, i: number): number {
  const sp = line.indexOf(SPACE, i);
  return sp < 0 ? line.length : sp + 1;
}

function startsWithAt(line: Buffer, word: Buffer, at: number): boolean {
  return line.length >= at + word.length && line.compare(word, 0, word.length, at, at + word.length) === 0;
}
