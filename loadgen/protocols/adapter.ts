/**
 * The seam between a virtual client and a chat protocol (DESIGN §9 "Protocols"). Schedule,
 * measurement and delivery accounting speak only in intents and `ProtocolEvent`s; an adapter turns
 * intents into lines and the server's lines back into events. A new protocol is one file that
 * exports a `ProtocolAdapter`, plus one entry in `protocols/index.ts`.
 */

export type ProtocolEventKind =
  /** Nothing the load generator cares about. */
  | 'ignore'
  /** A room message (`self`: the sender's own echo). Its text starts at `textStart` in `line`. */
  | 'message'
  /** A private message received; its text starts at `textStart`. */
  | 'pm'
  /** The echo of a private message we sent (the /pm round trip), when the protocol has one. */
  | 'pmEcho'
  /** The server greeted us (first line after connect). */
  | 'hello'
  /** Login accepted; `rooms`: the rooms we are in now (restored or the lobby). */
  | 'loggedIn'
  /** `nick` joined `room` (possibly us: `self`). */
  | 'joined'
  /** `nick` left `room` (possibly us: `self`). */
  | 'left'
  /** The member list of `room` (answer to `members`). */
  | 'members'
  /** Any other informational line. */
  | 'system'
  /** A line this protocol does not know (a spec app's unnamed event, or not JSON): ignored, counted. */
  | 'unknown'
  /**
   * The server refused something; `errorKind` is a stable snake_case kind, `text` the reason, `nick`
   * the nickname it is about when there is one ('' otherwise; `no_such_user`: the PM's target).
   */
  | 'error'
  /** The server is closing this connection; `text` says why, `errorKind` the kind of disconnect. */
  | 'closing'
  /**
   * The server ended this session but may keep the connection open (Socket.IO: a refused namespace
   * CONNECT, or a DISCONNECT packet): `errorKind` names why, `text` says it. The client hangs up and
   * reconnects, as an app's own client would have to.
   */
  | 'ended'
  /** The protocol needs an answer written back at once (IRC PING → PONG): `text` is the line(s). */
  | 'reply';

/**
 * One parsed server line. The adapter fills a caller-owned object so that the hot path (room
 * messages) allocates nothing: for `message` and `pm` only `kind`, `self` and `textStart` are set.
 */
export interface ProtocolEvent {
  kind: ProtocolEventKind;
  self: boolean;
  /** Byte offset of the message text inside the line (`message`, `pm`). */
  textStart: number;
  room: string;
  nick: string;
  nicks: string[];
  rooms: string[];
  text: string;
  errorKind: string;
  /**
   * Bytes to write back at once, whatever else the frame is (an MQTT PUBACK for a QoS 1 delivery); set
   * by the session, written and reset to '' by the client. '' for none.
   */
  ack: Wire;
}

export function newProtocolEvent(): ProtocolEvent {
  return { kind: 'ignore', self: false, textStart: 0, room: '', nick: '', nicks: [], rooms: [], text: '', errorKind: '', ack: '' };
}

/**
 * What an intent writes: text (lines ending in `\n`, sent as UTF-8) or, for a binary protocol (MQTT),
 * bytes. '' (or an empty buffer) writes nothing.
 */
export type Wire = string | Uint8Array;

/**
 * Splits what arrives into the protocol's frames: a line (the default, `LineDecoder`), an MQTT packet,
 * an XMPP stanza. `whole`: the chunk is one whole frame already (a WebSocket message).
 */
export interface FrameDecoder {
  push(chunk: Buffer, whole?: boolean): void;
}

export interface FrameHandlers {
  /** One whole frame; valid only during the call (the decoder may reuse its bytes). */
  onLine(frame: Buffer): void;
  /** A frame passed the size limit; its bytes are discarded. */
  onOverflow(): void;
}

/** Per-connection protocol state. Intent methods return what to write (`Wire`). */
export interface ProtocolSession {
  /**
   * The delivery rule when it is negotiated per connection (IRC `echo-message`); read when a
   * message is written. Absent: the adapter's fixed `echoesOwnRoomMessages` / `…PrivateMessages`.
   */
  readonly echoesOwnRoomMessages?: boolean;
  readonly echoesOwnPrivateMessages?: boolean;
  /** Written right after connect, before any server line ('' for none). */
  open(): Wire;
  login(nick: string): Wire;
  join(room: string): Wire;
  leave(room: string): Wire;
  /** A message to `room` (the room the client is active in). */
  say(room: string, text: string): Wire;
  pm(nick: string, text: string): Wire;
  /** Ask for the member list of `room`. */
  members(room: string): Wire;
  quit(): Wire;
  /**
   * Parses one frame (a line without its `\n`, or the adapter's `frames` unit) into `out`. Never throws
   * on bad input: `ignore`, `unknown` or `error`.
   */
  parse(line: Buffer, out: ProtocolEvent): void;
  /**
   * Optional: `parse` of the line `buf[start, end)` where it lies, so the receive path makes no view
   * per line (a protocol of lines on the hot path implements it; `textStart` is then an offset in `buf`).
   */
  parseAt?(buf: Buffer, start: number, end: number, out: ProtocolEvent): void;
}

export interface ProtocolAdapter {
  /** As in `--protocol` and target URLs (`chatpulse://host:port`). */
  readonly name: string;
  readonly defaultPort: number;
  /**
   * Delivery rule: does the server send a sender its own room message back? chatpulse does
   * (`[room] You: …`), so the sender is one of the expected recipients and the echo acknowledges
   * the message; IRC does not (unless `echo-message` is negotiated), so there the expected
   * recipients are the other members and messages are never acknowledged.
   */
  readonly echoesOwnRoomMessages: boolean;
  /** Does a PM come back to its sender (the /pm round trip)? */
  readonly echoesOwnPrivateMessages: boolean;
  /** The room a fresh login lands in, if any ('' for none). */
  readonly lobby: string;
  /** Room names this protocol accepts, made from a plain name (`room3` → `#room3` for IRC). */
  roomName(plain: string): string;
  /**
   * A session for one connection to `target`: its Socket.IO `namespace` ('/' for the main one), and
   * `params`, the target URL's query (`xmpp://h:5222?muc=conference.localhost`) for adapters that
   * declare `params`. Other adapters ignore both.
   */
  session(target?: SessionTarget): ProtocolSession;
  /**
   * Actions this protocol (or this app's spec) cannot express, each with why: the loadgen does not
   * schedule them, and `compare` leaves them out for every target so that all run one schedule.
   */
  readonly cannot?: Readonly<Partial<Record<LoadAction, string>>>;
  /** Query keys a target URL of this protocol may carry (`?muc=…`), checked when targets are parsed. */
  readonly params?: readonly string[];
  /** Checks the values of a target's `params` when targets are parsed: '' when fine, else what is wrong. */
  checkParams?(params: Readonly<Record<string, string>>): string;
  /**
   * How input splits into frames, for protocols that are not lines (MQTT packets, XMPP stanzas);
   * absent: lines. `maxBytes`: the largest frame to accept.
   */
  frames?(maxBytes: number, handlers: FrameHandlers): FrameDecoder;
  /**
   * The WebSocket request path for a client `nick`, from the target's path: when the app reads the
   * nickname from the URL, or the protocol adds its own query (Socket.IO's `?EIO=4&transport=websocket`).
   */
  connectPath?(path: string, nick: string): string;
  /**
   * The nickname travels in the connection's handshake (URL query, Socket.IO auth), not in a login
   * command: a taken one is retried on a new connection, not with another login.
   */
  readonly nickAtConnect?: boolean;
}

export interface SessionTarget {
  /** The target's host (XMPP: the server's domain unless `?domain=` says otherwise). */
  host?: string;
  namespace?: string;
  params?: Readonly<Record<string, string>>;
}

/** The optional actions of the schedule (`--pm`, `--switch`, `--users`); room messages are always there. */
export type LoadAction = 'pm' | 'switch' | 'users';
