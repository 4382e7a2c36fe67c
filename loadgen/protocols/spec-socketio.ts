/**
 * The `socketio` protocol: a Socket.IO v4 app described by a spec (spec.ts), spoken on the wire over the
 * WebSocket transport — Engine.IO 4 packets, one per text frame, carrying Socket.IO 5 packets:
 *
 *   server `0{…}` open · `2` ping → we answer `3` · `1` close
 *   `40/ns,{auth}` CONNECT (ours, with the handshake auth) → `40/ns,{"sid"…}` or `44/ns,{"message"…}`;
 *   nothing else is sent before that ack (the server would close the connection)
 *   `42/ns,["event",payload]` an event either way · `41/ns,` the server disconnected us
 *
 * Why not socket.io-client: each of its sockets is a Manager, an Engine.IO socket and a ws client, and it
 * decodes every event into objects before anyone sees it; here a room message stays one frame, parsed
 * once, whose load header the inbox reads in place — the same receive path as every other protocol.
 * Only the WebSocket transport is spoken (no long-polling): a Socket.IO server accepts it directly
 * unless it was configured with `transports: ['polling']`. Binary events and acks are not used by
 * chat apps of this kind; they are counted as unknown events.
 */
import type { ProtocolAdapter, ProtocolEvent } from './adapter.js';
import { compile, compileTemplate, errorKindOf, specCannot, SpecSession, type Compiled, type Vars } from './spec-json.js';
import type { ProtocolSpec } from './spec.js';

/** The Engine.IO path a Socket.IO server listens on unless configured otherwise. */
export const DEFAULT_SOCKETIO_PATH = '/socket.io/';

const C = (ch: string) => ch.charCodeAt(0);
const [OPEN, CLOSE, PING, MESSAGE] = [C('0'), C('1'), C('2'), C('4')];
const [CONNECT, DISCONNECT, EVENT, CONNECT_ERROR] = [C('0'), C('1'), C('2'), C('4')];
const SLASH = C('/');
const COMMA = C(',');
const DIGIT_0 = C('0');
const DIGIT_9 = C('9');

/** The WebSocket request path (and query) of a Socket.IO server at Engine.IO path `path`. */
export function socketIoRequestPath(path: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}EIO=4&transport=websocket`;
}

class SocketIoSession extends SpecSession {
  readonly #auth: ((v: Vars) => unknown) | undefined;
  /** `/ns,` for a namespace other than the main one ('' for '/'). */
  readonly #ns: string;
  #connectSent = false;
  /** The login event, held until the server acknowledges the namespace CONNECT. */
  #heldLogin = '';

  constructor(c: Compiled, auth: ((v: Vars) => unknown) | undefined, namespace: string) {
    const ns = namespace === '/' || namespace === '' ? '' : `${namespace},`;
    super(c, `42${ns}`);
    this.#auth = auth;
    this.#ns = ns;
  }

  override login(nick: string): string {
    // The namespace CONNECT goes once per connection; a retried login (nick_taken) is only the event.
    const login = super.login(nick);
    if (this.#connectSent) return login;
    this.#connectSent = true;
    // A Socket.IO server closes a connection that sends an event before its namespace is connected
    // (it connects asynchronously, after its middlewares): the login waits for the CONNECT ack.
    this.#heldLogin = login;
    const auth = this.#auth ? JSON.stringify(this.#auth({ nick, room: '', to: '', text: '' })) : '';
    return `40${this.#ns}${auth}\n`;
  }

  override parse(line: Buffer, out: ProtocolEvent): void {
    out.kind = 'ignore';
    out.self = false;
    const eio = line[0];
    if (eio === PING) {
      out.kind = 'reply';
      out.text = `3${line.toString('latin1', 1)}\n`;
      return;
    }
    if (eio === CLOSE) {
      out.kind = 'closing';
      out.errorKind = 'server_closed';
      out.text = 'Engine.IO close';
      return;
    }
    if (eio === OPEN) return;
    if (eio !== MESSAGE || line.length < 2) {
      // Pong, upgrade, noop: nothing to do. Anything else (a binary frame) is not an event we know.
      if (eio === undefined || eio > DIGIT_9 || eio < DIGIT_0) out.kind = 'unknown';
      return;
    }
    const type = line[1];
    // After the type: an optional `/namespace,` (ours: a connection has one), an optional ack id, JSON.
    let i = 2;
    if (line[i] === SLASH) {
      const comma = line.indexOf(COMMA, i);
      i = comma < 0 ? line.length : comma + 1;
    }
    while (i < line.length && (line[i] as number) >= DIGIT_0 && (line[i] as number) <= DIGIT_9) i++;
    if (type === CONNECT) {
      if (this.#heldLogin === '') return;
      out.kind = 'reply';
      out.text = this.#heldLogin;
      this.#heldLogin = '';
      return;
    }
    if (type === DISCONNECT) {
      out.kind = 'ended';
      out.errorKind = 'server_disconnect';
      out.text = 'the server disconnected the socket (Socket.IO DISCONNECT)';
      return;
    }
    let body: unknown;
    try {
      body = i < line.length ? JSON.parse(line.toString('utf8', i)) : undefined;
    } catch {
      out.kind = 'unknown';
      return;
    }
    if (type === CONNECT_ERROR) {
      // A middleware's `next(new Error('nick_taken'))` arrives as {"message":"nick_taken"}.
      const message = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
      out.kind = 'ended';
      out.errorKind = errorKindOf(message) ?? 'connect_error';
      out.text = typeof message === 'string' ? message.slice(0, 200) : 'connection refused by the app';
      out.nick = this.nick;
      return;
    }
    if (type !== EVENT || !Array.isArray(body)) {
      out.kind = 'unknown';
      return;
    }
    this.event(body[0], body[1], line, out);
  }
}

/** The adapter for one Socket.IO spec (compiled here, once). */
export function specSocketIoProtocol(spec: ProtocolSpec): ProtocolAdapter {
  const c = compile(spec);
  // No send.login: the nickname travels in the handshake auth, as Socket.IO apps usually take it.
  const authTemplate = spec.auth ?? (spec.send.login ? undefined : { nick: '{nick}' });
  const auth = authTemplate ? (compileTemplate(authTemplate) as (v: Vars) => unknown) : undefined;
  return {
    name: 'socketio',
    defaultPort: 80,
    echoesOwnRoomMessages: spec.echo,
    echoesOwnPrivateMessages: false,
    lobby: '',
    roomName: (plain) => plain,
    nickAtConnect: !spec.send.login,
    cannot: specCannot(spec),
    connectPath: (path) => socketIoRequestPath(path),
    session: (t) => new SocketIoSession(c, auth, t?.namespace || '/'),
  };
}
