/**
 * The `wsjson` protocol: an app described by a spec (spec.ts) that speaks one JSON object per WebSocket
 * text frame, its event name under `eventField`, its data beside it. Intents become frames by filling
 * the spec's `send` templates; frames become `ProtocolEvent`s by event name and key paths. Templates
 * and key paths are compiled once per adapter (per worker), not per frame.
 */
import type { LoadAction, ProtocolAdapter, ProtocolEvent, ProtocolEventKind, ProtocolSession } from './adapter.js';
import type { ProtocolSpec, SendTemplate } from './spec.js';

export interface Vars {
  nick: string;
  room: string;
  to: string;
  text: string;
}
type Build = (v: Vars) => unknown;
type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `"user.name"` → a reader of `frame.user.name` (undefined when any step is missing). */
export function compileKeyPath(path: string): (frame: unknown) => unknown {
  const keys = path.split('.');
  if (keys.length === 1) {
    const k = keys[0] as string;
    return (f) => (isObject(f) ? f[k] : undefined);
  }
  return (f) => {
    let v: unknown = f;
    for (const k of keys) {
      if (!isObject(v)) return undefined;
      v = v[k];
    }
    return v;
  };
}

const PLACEHOLDER = /(\{nick\}|\{room\}|\{to\}|\{text\})/;

/** A template value → a builder that replaces `{nick}` `{room}` `{to}` `{text}` in every string inside it. */
export function compileTemplate(v: unknown): Build {
  if (typeof v === 'string') {
    const parts = v.split(PLACEHOLDER);
    if (parts.length === 1) return () => v;
    // Odd indices are the placeholders (split keeps the captured separators).
    const names = parts.map((p, i) => (i % 2 === 1 ? (p.slice(1, -1) as keyof Vars) : null));
    return (x) => {
      let out = '';
      for (let i = 0; i < parts.length; i++) {
        const n = names[i];
        out += n ? x[n] : parts[i];
      }
      return out;
    };
  }
  if (Array.isArray(v)) {
    const items = v.map(compileTemplate);
    return (x) => items.map((b) => b(x));
  }
  if (isObject(v)) {
    const entries = Object.entries(v).map(([k, x]) => [k, compileTemplate(x)] as const);
    return (x) => {
      const o: Obj = {};
      for (const [k, b] of entries) o[k] = b(x);
      return o;
    };
  }
  return () => v;
}

/**
 * One `send` entry → the text of its frame, without any prefix or newline: the JSON object with the
 * event name under `eventField` (websocket), or the Socket.IO event array `["event", payload]`.
 */
function compileSend(t: SendTemplate | undefined, spec: ProtocolSpec): ((v: Vars) => string) | undefined {
  if (!t) return undefined;
  const data = compileTemplate(t.data) as (v: Vars) => Obj;
  const ef = spec.eventField;
  if (spec.transport === 'socketio') return (v) => JSON.stringify([t.event, data(v)]);
  return (v) => JSON.stringify({ [ef]: t.event, ...data(v) });
}

export interface Compiled {
  eventField: string;
  send: Record<'login' | 'join' | 'leave' | 'say' | 'pm' | 'members', ((v: Vars) => string) | undefined>;
  byEvent: Map<string, ProtocolEventKind>;
  room: Record<string, (f: unknown) => unknown>;
  nick: Record<string, (f: unknown) => unknown>;
  text: Record<string, (f: unknown) => unknown>;
  nicks: (f: unknown) => unknown;
  errorKind: ((f: unknown) => unknown) | undefined;
}

export function compile(spec: ProtocolSpec): Compiled {
  const r = spec.receive;
  const ef = spec.eventField;
  const byEvent = new Map<string, ProtocolEventKind>([
    [r.loggedIn.event, 'loggedIn'], [r.joined.event, 'joined'], [r.left.event, 'left'],
    [r.message.event, 'message'], [r.error.event, 'error'], [r.members.event, 'members'],
  ]);
  if (r.pm) byEvent.set(r.pm.event, 'pm');
  const kp = compileKeyPath;
  const none = () => undefined;
  return {
    eventField: ef,
    send: {
      login: compileSend(spec.send.login, spec), join: compileSend(spec.send.join, spec), leave: compileSend(spec.send.leave, spec),
      say: compileSend(spec.send.say, spec), pm: compileSend(spec.send.pm, spec), members: compileSend(spec.send.members, spec),
    },
    byEvent,
    // Per event kind: where its room, its nick (or sender) and its text are.
    room: { joined: kp(r.joined.room), left: kp(r.left.room), message: kp(r.message.room), members: kp(r.members.room) },
    nick: { joined: kp(r.joined.nick), left: kp(r.left.nick), message: kp(r.message.from), pm: r.pm ? kp(r.pm.from) : none, error: r.error.nick ? kp(r.error.nick) : none },
    text: { message: kp(r.message.text), pm: r.pm ? kp(r.pm.text) : none, error: kp(r.error.text) },
    nicks: kp(r.members.nicks),
    errorKind: r.error.kind ? kp(r.error.kind) : undefined,
  };
}

const TILDE = 0x7e;
const ERROR_KIND = /^[a-z][a-z0-9_]{0,40}$/;

/**
 * Where the load header of `text` (`~tag.gid.seq.intended.written~`, plain ASCII, which JSON writes
 * verbatim) starts in the raw frame, so that the inbox reads it there without a copy; `line.length`
 * (no payload) when `text` carries none.
 */
export function textOffset(line: Buffer, text: string): number {
  if (text.charCodeAt(0) !== TILDE) return line.length;
  const end = text.indexOf('~', 1);
  if (end < 0) return line.length;
  for (let i = line.indexOf(TILDE); i >= 0 && i + end < line.length; i = line.indexOf(TILDE, i + 1)) {
    let k = 1;
    while (k <= end && line[i + k] === text.charCodeAt(k)) k++;
    if (k > end) return i;
  }
  return line.length;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/**
 * What every spec-driven session shares: intents become frames through the compiled templates, and an
 * event (its name and payload, however the transport carries them) becomes a `ProtocolEvent`. A
 * transport's session says how a frame is wrapped (`prefix`) and unwraps frames in `parse`.
 */
export abstract class SpecSession implements ProtocolSession {
  protected nick = '';
  readonly #vars: Vars = { nick: '', room: '', to: '', text: '' };

  constructor(readonly c: Compiled, readonly prefix = '') {}

  protected frame(build: ((v: Vars) => string) | undefined, room: string, to: string, text: string): string {
    if (!build) return '';
    const v = this.#vars;
    v.nick = this.nick;
    v.room = room;
    v.to = to;
    v.text = text;
    return `${this.prefix}${build(v)}\n`;
  }

  open(): string {
    return '';
  }
  login(nick: string): string {
    // Without send.login the nickname went in the handshake (URL or auth); the session still needs it.
    this.nick = nick;
    return this.frame(this.c.send.login, '', '', '');
  }
  join(room: string): string {
    return this.frame(this.c.send.join, room, '', '');
  }
  leave(room: string): string {
    return this.frame(this.c.send.leave, room, '', '');
  }
  say(room: string, text: string): string {
    return this.frame(this.c.send.say, room, '', text);
  }
  pm(nick: string, text: string): string {
    return this.frame(this.c.send.pm, '', nick, text);
  }
  members(room: string): string {
    return this.frame(this.c.send.members, room, '', '');
  }
  quit(): string {
    return '';
  }

  abstract parse(line: Buffer, out: ProtocolEvent): void;

  /** The app's event `name` with `payload` (its typed fields at the spec's key paths), read from `line`. */
  protected event(name: unknown, payload: unknown, line: Buffer, out: ProtocolEvent): void {
    const kind = typeof name === 'string' ? this.c.byEvent.get(name) : undefined;
    if (kind === undefined) {
      out.kind = 'unknown';
      return;
    }
    const c = this.c;
    out.kind = kind;
    switch (kind) {
      case 'message':
      case 'pm': {
        const from = str(c.nick[kind]?.(payload));
        const text = str(c.text[kind]?.(payload));
        out.self = from === this.nick;
        if (kind === 'pm' && out.self) out.kind = 'pmEcho';
        out.textStart = textOffset(line, text);
        return;
      }
      case 'joined':
      case 'left':
        out.room = str(c.room[kind]?.(payload));
        out.nick = str(c.nick[kind]?.(payload));
        out.self = out.nick === this.nick;
        return;
      case 'members': {
        out.room = str(c.room.members?.(payload));
        const list = c.nicks(payload);
        out.nicks = Array.isArray(list) ? list.filter((n): n is string => typeof n === 'string') : [];
        return;
      }
      case 'loggedIn':
        out.rooms = [];
        out.room = '';
        return;
      case 'error': {
        const k = c.errorKind?.(payload);
        out.errorKind = errorKindOf(k) ?? 'app_error';
        out.text = str(c.text.error?.(payload));
        out.nick = str(c.nick.error?.(payload));
        return;
      }
      default:
    }
  }
}

/** A word that may name an error kind as it is (`nick_taken`), else undefined. */
export function errorKindOf(v: unknown): string | undefined {
  return typeof v === 'string' && ERROR_KIND.test(v) ? v : undefined;
}

/** wsjson: one JSON object per text frame, its event name under `eventField`, its fields beside it. */
class SpecJsonSession extends SpecSession {
  parse(line: Buffer, out: ProtocolEvent): void {
    out.kind = 'ignore';
    out.self = false;
    let frame: unknown;
    try {
      frame = JSON.parse(line.toString('utf8'));
    } catch {
      out.kind = 'unknown';
      return;
    }
    this.event(isObject(frame) ? frame[this.c.eventField] : undefined, frame, line, out);
  }
}

/** What an app cannot be asked to do, by its spec (DESIGN §9: without send.pm / send.leave). */
export function specCannot(spec: ProtocolSpec): Partial<Record<LoadAction, string>> {
  return {
    ...(!spec.send.pm && { pm: 'its spec has no send.pm' }),
    ...(!spec.send.leave && { switch: 'its spec has no send.leave' }),
  };
}

/** The adapter for one spec (compiled here, once). */
export function specJsonProtocol(spec: ProtocolSpec): ProtocolAdapter {
  const c = compile(spec);
  return {
    name: 'wsjson',
    defaultPort: 80,
    echoesOwnRoomMessages: spec.echo,
    echoesOwnPrivateMessages: false,
    lobby: '',
    roomName: (plain) => plain,
    nickAtConnect: !spec.send.login,
    cannot: specCannot(spec),
    session: () => new SpecJsonSession(c),
    // No send.login: the app reads the nickname from the upgrade request's query.
    ...(!spec.send.login && { connectPath: (path: string, nick: string) => `${path}${path.includes('?') ? '&' : '?'}nick=${encodeURIComponent(nick)}` }),
  };
}
