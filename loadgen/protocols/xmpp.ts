/**
 * The client side of XMPP that chat needs (RFC 6120/6121, Multi-User Chat XEP-0045):
 * `xmpp://HOST:PORT?muc=conference.example.org`. Login is xmpp-login.ts (SASL ANONYMOUS by default, or
 * `?auth=plain&user={nick}&password=…`; `?domain=` when the server's domain is not the host); frames are
 * whole stanzas (xml-stanzas.ts).
 *
 * Rooms are MUC rooms `ROOM@MUC` (MUC: `?muc=`, default `conference.` + the domain), and the room
 * nickname is the virtual client's nick. Joining is a presence to `ROOM@MUC/NICK` asking for no history;
 * a 409 conflict is `nick_taken`, and the next `login(nick)` retries that join with the new nick.
 *
 * Membership, and why the member list is exact: XEP-0045 §7.2.3 has the room send a joiner every
 * existing occupant's presence and then the joiner's own (status 110) — Prosody does both in one
 * handler, so nothing comes between. After that, every join or leave the room handles reaches us as a
 * presence, in the room's order on our one stream. So the occupants are known from presences alone:
 * those before our 110 presence, plus joins, minus leaves. The `members` intent asks the room a
 * disco#items query (XEP-0045 §6.5) only as a round trip: the room answers it in its order, so when the
 * answer arrives every change the room made before handling the query has arrived too, and the list
 * returned is the occupants seen from presences at that moment (whatever the items say — Prosody lists
 * none for a non-public room). The list leaves us out: the room view adds the client itself.
 *
 * Delivery rule: a MUC room reflects a groupchat message to every occupant, its sender included, so
 * the reflection is the echo (`echoesOwnRoomMessages`). PMs are MUC private messages (`chat` to
 * `ROOM@MUC/NICK`, to the room the client is in or joining): with anonymous login the JIDs are random,
 * so a nickname is only reachable through a room, and only by occupants of the same room. A PM to a
 * nick not in that room comes back as an `item-not-found` error naming it: `no_such_user`, a PM with
 * no recipient to lose. PMs are not reflected to their sender (`echoesOwnPrivateMessages` false).
 *
 * Server pings (XEP-0199) are answered; any other request addressed to us gets service-unavailable, as
 * RFC 6120 §8.4 asks. A stream error is a `closing` whose kind is `stream_` + its condition.
 */
import { parse as parseXml, type Element } from 'ltx';
import type { ProtocolAdapter, ProtocolEvent, ProtocolSession, SessionTarget } from './adapter.js';
import { StanzaDecoder } from './xml-stanzas.js';
import { bodyTextStart, bytesEqual, escapeXml, newStartTag, scanStartTag, startsWithTag } from './xml-scan.js';
import { condition, NS, StreamLogin, type LoginOptions } from './xmpp-login.js';

const PARAMS = ['muc', 'domain', 'auth', 'user', 'password'] as const;

export const xmppProtocol: ProtocolAdapter = {
  name: 'xmpp',
  defaultPort: 5222,
  echoesOwnRoomMessages: true,
  echoesOwnPrivateMessages: false,
  lobby: '',
  // MUC room names are JID localparts, which compare case-insensitively (nodeprep lowercases them).
  roomName: (plain) => plain.toLowerCase(),
  params: PARAMS,
  checkParams: (p) => {
    if (p.auth !== undefined && p.auth !== 'anonymous' && p.auth !== 'plain') return `has ?auth=${p.auth}: expected anonymous or plain`;
    // Anonymous logins send no password: one given without auth=plain would be ignored without a word.
    if (p.auth !== 'plain' && (p.password !== undefined || p.user !== undefined)) return `has ?${p.password !== undefined ? 'password' : 'user'}= without ?auth=plain (anonymous logins send none)`;
    return '';
  },
  session: (target) => new XmppSession(target),
  frames: (maxBytes, handlers) => new StanzaDecoder(maxBytes, handlers),
};

const MUC = 'http://jabber.org/protocol/muc';
const MUC_USER = 'http://jabber.org/protocol/muc#user';
const PING = 'urn:xmpp:ping';
const DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
const MEMBERS_ID = 'cp-members-';

const MESSAGE = Buffer.from('message');
const STREAM = Buffer.from('stream:stream');
const GROUPCHAT = Buffer.from('groupchat');
const CHAT = Buffer.from('chat');
const ERROR = Buffer.from('error');
const SLASH = 0x2f;

class XmppSession implements ProtocolSession {
  readonly #login: StreamLogin;
  readonly #options: LoginOptions;
  readonly #userPattern: string;
  readonly #muc: string;
  #nick = '';
  /** Our nick as it appears in a `from` attribute (escaped), for the echo test on the hot path. */
  #nickAttr = Buffer.alloc(0);
  /** The room of the last join: PMs are addressed through it. */
  #room = '';
  /** A room whose join met a nickname conflict: the next `login(nick)` retries it. */
  #retryJoin = '';
  /** Other occupants of each room we are in or joining (by lowercased room), from presences. */
  readonly #occupants = new Map<string, Set<string>>();
  /** Rooms whose self-presence (110) came. */
  readonly #joined = new Set<string>();
  /** Rooms asked to join whose self-presence has not come yet. */
  readonly #joining = new Set<string>();
  #streamError = false;
  readonly #tag = newStartTag();

  constructor(target: SessionTarget = {}) {
    const p = target.params ?? {};
    const domain = p.domain ?? target.host ?? 'localhost';
    this.#muc = (p.muc ?? `conference.${domain}`).toLowerCase();
    this.#userPattern = p.user ?? '{nick}';
    this.#options = { domain, mechanism: p.auth === 'plain' ? 'PLAIN' : 'ANONYMOUS', user: '', password: p.password ?? '' };
    this.#login = new StreamLogin(this.#options);
  }

  open(): string {
    return this.#login.header();
  }
  /** The nickname to use; while a join is refused for a conflict, retries it with this one. */
  login(nick: string): string {
    this.#nick = nick;
    this.#nickAttr = Buffer.from(escapeXml(nick));
    this.#options.user = this.#userPattern.replaceAll('{nick}', nick);
    if (this.#retryJoin === '') return '';
    const room = this.#retryJoin;
    this.#retryJoin = '';
    return this.join(room);
  }
  join(room: string): string {
    this.#room = room;
    this.#occupants.set(room.toLowerCase(), new Set());
    this.#joined.delete(room.toLowerCase());
    this.#joining.add(room.toLowerCase());
    return `<presence to='${this.#jid(room)}/${escapeXml(this.#nick)}'><x xmlns='${MUC}'><history maxstanzas='0'/></x></presence>`;
  }
  leave(room: string): string {
    return `<presence type='unavailable' to='${this.#jid(room)}/${escapeXml(this.#nick)}'/>`;
  }
  say(room: string, text: string): string {
    return `<message type='groupchat' to='${this.#jid(room)}'><body>${escapeXml(text)}</body></message>`;
  }
  pm(nick: string, text: string): string {
    if (this.#room === '') return '';
    return `<message type='chat' to='${this.#jid(this.#room)}/${escapeXml(nick)}'><body>${escapeXml(text)}</body><x xmlns='${MUC_USER}'/></message>`;
  }
  members(room: string): string {
    return `<iq type='get' id='${MEMBERS_ID}${escapeXml(room)}' to='${this.#jid(room)}'><query xmlns='${DISCO_ITEMS}'/></iq>`;
  }
  quit(): string {
    return `<presence type='unavailable'/></stream:stream>`;
  }

  parse(frame: Buffer, out: ProtocolEvent): void {
    out.kind = 'ignore';
    out.self = false;
    // The hot path: room messages and PMs, by a byte scan (no tree, no allocation).
    if (startsWithTag(frame, MESSAGE) && this.#message(frame, out)) return;
    if (frame[1] === SLASH) return this.#streamClosed(out);
    if (startsWithTag(frame, STREAM)) return; // the stream's header (again after a restart)
    let el: Element;
    try {
      el = parseXml(frame.toString('utf8'));
    } catch {
      out.kind = 'unknown';
      return;
    }
    const step = this.#login.step(el);
    if (step !== undefined) {
      if (step.reply !== undefined) return reply(out, step.reply);
      if (step.loggedIn) {
        out.kind = 'loggedIn';
        out.rooms = [];
        out.room = '';
        return;
      }
      out.kind = 'ended';
      out.errorKind = step.end ?? 'login_failed';
      out.text = step.text ?? '';
      return;
    }
    switch (el.getName()) {
      case 'presence':
        return this.#presence(el, out);
      case 'iq':
        return this.#iq(el, out);
      case 'message':
        return this.#messageError(el, out);
      case 'error': // <stream:error>
        this.#streamError = true;
        out.kind = 'closing';
        out.errorKind = `stream_${condition(el)}`;
        out.text = el.getChildText('text') ?? out.errorKind;
        return;
      default:
    }
  }

  /** A groupchat message or a PM with a body: true when handled here; errors take the slow path. */
  #message(frame: Buffer, out: ProtocolEvent): boolean {
    const t = this.#tag;
    if (!scanStartTag(frame, t)) return true;
    if (t.typeStart >= 0 && bytesEqual(frame, t.typeStart, t.typeEnd, ERROR)) return false;
    const group = t.typeStart >= 0 && bytesEqual(frame, t.typeStart, t.typeEnd, GROUPCHAT);
    if (!group && t.typeStart >= 0 && !bytesEqual(frame, t.typeStart, t.typeEnd, CHAT)) return true; // headline, normal
    const start = t.selfClosing ? -1 : bodyTextStart(frame, t.end + 1);
    if (start < 0) return true; // the room's subject, a chat state: no text
    out.textStart = start;
    if (!group) {
      out.kind = 'pm';
      return true;
    }
    const slash = t.fromStart < 0 ? -1 : frame.indexOf(SLASH, t.fromStart);
    if (slash < 0 || slash >= t.fromEnd) return true; // from the room itself, not an occupant
    out.kind = 'message';
    out.self = bytesEqual(frame, slash + 1, t.fromEnd, this.#nickAttr);
    return true;
  }

  #presence(el: Element, out: ProtocolEvent): void {
    const from = splitJid(el.attrs.from ?? '');
    if (from.local === '' || from.domain.toLowerCase() !== this.#muc) return; // not from a room
    const room = from.local;
    const key = room.toLowerCase();
    const type = el.attrs.type;
    if (type === 'error') {
      const cond = condition(el.getChild('error') ?? el);
      out.kind = 'error';
      out.nick = '';
      out.text = `${room}@${this.#muc}: ${cond}`;
      // A taken nick is retried with another only on a first join: while we are in another room under
      // this nick, a new one would turn its leave into a nick change there.
      const retry = cond === 'conflict' && this.#joined.size === 0;
      this.#joining.delete(key);
      if (retry) this.#retryJoin = room;
      out.errorKind = retry ? 'nick_taken' : 'join_refused';
      return;
    }
    const x = el.getChild('x', MUC_USER);
    const self = x?.getChildren('status').some((s) => s.attrs.code === '110') ?? false;
    if (type === 'unavailable') {
      if (self || x?.getChild('destroy') !== undefined) {
        // Back into a room we were leaving: the leave was handled first, so the presences that follow
        // are the new join's occupants (the ones before it were the old membership's).
        if (this.#joining.has(key)) this.#occupants.set(key, new Set());
        else this.#occupants.delete(key);
        this.#joined.delete(key);
        return membership(out, 'left', room, self ? from.resource : this.#nick, true);
      }
      if (!this.#occupants.get(key)?.delete(from.resource)) return;
      return membership(out, 'left', room, from.resource, false);
    }
    if (type !== undefined && type !== 'available') return;
    if (self) {
      if (this.#joined.has(key)) return; // a later self-presence (a role changed): already in
      this.#joined.add(key);
      this.#joining.delete(key);
      this.#nick = from.resource; // the room may have changed it (status 210)
      this.#nickAttr = Buffer.from(escapeXml(from.resource));
      return membership(out, 'joined', room, from.resource, true);
    }
    const others = this.#occupants.get(key);
    if (others === undefined || others.has(from.resource)) return; // not our room, or a status update
    others.add(from.resource);
    membership(out, 'joined', room, from.resource, false);
  }

  #iq(el: Element, out: ProtocolEvent): void {
    const { type, id = '', from } = el.attrs;
    if ((type === 'result' || type === 'error') && id.startsWith(MEMBERS_ID)) {
      const room = id.slice(MEMBERS_ID.length);
      out.kind = 'members';
      out.room = room;
      out.nicks = [...(this.#occupants.get(room.toLowerCase()) ?? [])];
      return;
    }
    if (type !== 'get' && type !== 'set') return;
    const to = from === undefined ? '' : ` to='${escapeXml(from)}'`;
    if (type === 'get' && el.getChild('ping', PING) !== undefined) return reply(out, `<iq type='result' id='${escapeXml(id)}'${to}/>`);
    reply(out, `<iq type='error' id='${escapeXml(id)}'${to}><error type='cancel'><service-unavailable xmlns='${NS.stanzas}'/></error></iq>`);
  }

  /** A message of type error: a PM to a nick not in the room is `no_such_user`, naming it. */
  #messageError(el: Element, out: ProtocolEvent): void {
    if (el.attrs.type !== 'error') return;
    const from = splitJid(el.attrs.from ?? '');
    const cond = condition(el.getChild('error') ?? el);
    out.kind = 'error';
    out.text = `${el.attrs.from ?? ''}: ${cond}`;
    const gone = from.resource !== '' && (cond === 'item_not_found' || cond === 'recipient_unavailable');
    out.errorKind = gone ? 'no_such_user' : 'cannot_send';
    out.nick = gone ? from.resource : '';
  }

  #streamClosed(out: ProtocolEvent): void {
    // After a stream error the close adds nothing: the error named the reason.
    if (this.#streamError) return;
    out.kind = 'closing';
    out.errorKind = 'stream_closed';
    out.text = 'the server closed the stream';
  }

  #jid(room: string): string {
    return `${escapeXml(room)}@${this.#muc}`;
  }
}

/** `local@domain/resource` (the resource may contain `/` and `@`). */
export function splitJid(jid: string): { local: string; domain: string; resource: string } {
  const slash = jid.indexOf('/');
  const bare = slash < 0 ? jid : jid.slice(0, slash);
  const at = bare.indexOf('@');
  return { local: at < 0 ? '' : bare.slice(0, at), domain: at < 0 ? bare : bare.slice(at + 1), resource: slash < 0 ? '' : jid.slice(slash + 1) };
}

function membership(out: ProtocolEvent, kind: 'joined' | 'left', room: string, nick: string, self: boolean): void {
  out.kind = kind;
  out.room = room;
  out.nick = nick;
  out.self = self;
}

function reply(out: ProtocolEvent, text: string): void {
  out.kind = 'reply';
  out.text = text;
}
