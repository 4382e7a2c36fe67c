import { isUtf8 } from 'node:buffer';
import { defuseControls, describeControl, errorText, findControl, formatBytes } from '../protocol/index.js';
import type { ClusterDelivery, ClusterLink } from './cluster-link.js';
import { runCommand, type CommandContext } from './commands.js';
import { ChatEvents, type DisconnectReason, type ErrorReason } from './events.js';
import { FanOut } from './fan-out.js';
import { GraceMemory, type GraceStore } from './grace-memory.js';
import type { HistoryStore } from './history-store.js';
import { IdlePolicy } from './idle-policy.js';
import * as lines from './lines.js';
import { Membership, type RoomCount } from './membership.js';
import { Nicknames } from './nicknames.js';
import { defaultChatOptions, validateChatOptions, type ChatOptions } from './options.js';
import { RoomRegistry, type Room } from './rooms.js';
import { Session } from './session.js';
import type { Connection, ConnectionHandler } from './transport.js';

/** Lines held while a nickname claim is in flight across the cluster. */
const MAX_PENDING_LINES = 64;

export interface ChatCoreDeps {
  events?: ChatEvents;
  history?: HistoryStore;
  grace?: GraceStore;
  /** Wall clock in ms (history timestamps, grace periods, rate limits, idle timeouts). @default Date.now */
  now?: () => number;
  /** Other nodes sharing rooms (Redis); none = a single node. */
  cluster?: ClusterLink;
}

/**
 * The chat core: a connection's lifecycle from greeting to goodbye, and each line's way to a command or
 * to its room. It knows nothing of sockets (transports hand it `Connection`s) and nothing of metrics
 * (it emits `ChatEvents`). Its jobs live beside it: `FanOut` writes, `Membership` keeps rooms,
 * `Nicknames` keeps names; commands see it only as a `CommandContext`.
 */
export class ChatCore implements CommandContext {
  readonly options: ChatOptions;
  readonly events: ChatEvents;
  readonly grace: GraceStore;
  readonly now: () => number;
  readonly cluster: ClusterLink | undefined;
  readonly #history: HistoryStore | undefined;
  readonly #out: FanOut;
  readonly #membership: Membership;
  readonly #nicknames: Nicknames;
  readonly #sessions = new Set<Session>();
  readonly #idle: IdlePolicy;
  #idleTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout;
  /** Set by shutdown: called when the last session closes. */
  #drained: (() => void) | undefined;
  #nextId = 1;

  constructor(options: Partial<ChatOptions> = {}, deps: ChatCoreDeps = {}) {
    this.options = { ...defaultChatOptions, ...options };
    validateChatOptions(this.options);
    this.events = deps.events ?? new ChatEvents();
    this.#history = deps.history;
    this.grace = deps.grace ?? new GraceMemory(this.options.graceMs);
    this.now = deps.now ?? Date.now;
    this.cluster = deps.cluster;
    const { events, grace, now, cluster } = this;
    const history = this.#history;
    const rooms = new RoomRegistry<Session>();
    this.#out = new FanOut({ events, rooms, history, cluster, now });
    this.#membership = new Membership({ options: this.options, rooms, out: this.#out, events, grace, history, cluster });
    const replay = (session: Session, line: Buffer) => this.#guardedLine(session, line, false);
    this.#nicknames = new Nicknames({ out: this.#out, membership: this.#membership, events, grace, cluster, now, replay });
    this.#sweepTimer = setInterval(() => this.grace.sweep(this.now()), 10_000).unref();
    this.#idle = new IdlePolicy(this.options);
    const every = this.#idle.sweepMs;
    if (every > 0) this.#idleTimer = setInterval(() => this.#sweepIdle(), every).unref();
  }

  /** Called by the write coalescer after each flush: fan-out times and byte counts for this turn. */
  get afterFlush(): () => void {
    return this.#out.afterFlush;
  }

  /** A transport's new connection; the returned handler receives its lines. */
  accept(conn: Connection): ConnectionHandler {
    const session = new Session(this.#nextId++, conn, this.options.maxRate, this.now());
    this.#sessions.add(session);
    this.events.emit('connect', { connId: session.id, transport: conn.transport, remote: conn.remote });
    this.#out.send(session, lines.system({ kind: 'greeting' }));
    return new ChatCore.#Input(this, session);
  }

  /**
   * A connection's handler: two fields, its methods on the prototype. Four arrow functions and the
   * context they close over cost ~300 bytes more per connection (heap snapshot, BENCHMARKS.md 5).
   * Declared in here so that it reaches the core's private methods.
   */
  static readonly #Input = class implements ConnectionHandler {
    constructor(
      readonly core: ChatCore,
      readonly session: Session,
    ) {}

    onBytes(n: number): void {
      this.core.#out.read(n);
    }

    onLine(line: Buffer, checked: boolean): void {
      this.session.lastLineAt = this.core.#out.readMs;
      this.core.#guardedLine(this.session, line, checked);
    }

    onLineTooLong(): void {
      this.core.#refuse(this.session, 'line_too_long', errorText.lineTooLong(this.core.options.maxLine));
    }

    onBinaryFrame(): void {
      this.core.#refuse(this.session, 'binary_frame', errorText.binaryFrame());
    }

    onOverrun(): void {
      const core = this.core;
      core.close(this.session, 'slow_consumer', lines.error(errorText.slowConsumer(formatBytes(core.options.maxQueue))));
    }

    onClose(): void {
      this.core.#onClose(this.session);
    }
  };

  /** Where unexpected exceptions from line handling go. @default console.error */
  onInternalError: (err: unknown) => void = (err) => console.error('chatpulse: internal error:', err);

  /** A line from the connection or replayed after a nickname claim. */
  #guardedLine(session: Session, line: Buffer, checked: boolean): void {
    try {
      this.#onLine(session, line, checked);
    } catch (err) {
      // A bug must cost one line, not the server: answer, count, keep serving.
      this.onInternalError(err);
      this.fail(session, 'internal', errorText.internal());
    }
  }

  #refuse(session: Session, reason: ErrorReason, text: string): void {
    if (session.closed) return;
    if (session.limiter.take(this.now()) !== 'ok') return;
    this.fail(session, reason, text);
  }

  #onLine(session: Session, line: Buffer, checked: boolean): void {
    if (session.closed) return;
    if (session.pending !== null) {
      if (session.pending.length < MAX_PENDING_LINES) session.pending.push(Buffer.from(line));
      return;
    }
    const verdict = session.limiter.take(this.#out.readMs);
    if (verdict !== 'ok') {
      if (verdict === 'warn') {
        this.fail(session, 'rate_limit', errorText.rateLimit(this.options.maxRate));
      } else {
        this.events.emit('error', { connId: session.id, reason: 'rate_limit' });
      }
      return;
    }
    if (line.length === 0) return;
    if (!checked) {
      if (!isUtf8(line)) return this.fail(session, 'invalid_utf8', errorText.invalidUtf8());
      const at = findControl(line, 0, line.length);
      if (at !== -1) {
        return this.fail(session, 'control_char', errorText.controlChar(describeControl(line, at)));
      }
    }
    // The hot path: a room message is fanned out as bytes and never decoded here.
    if (line[0] !== 47 /* '/' */ && session.nick !== null) return this.#out.toRoom(session, line);
    const text = line.toString('utf8');
    if (text.charCodeAt(0) === 47) return runCommand(this, session, text);
    this.login(session, text.trim());
  }

  // CommandContext: what commands may do, each handed to the part of the core that does it.
  send(session: Session, line: Buffer): void {
    this.#out.send(session, line);
  }

  fail(session: Session, reason: ErrorReason, text: string): void {
    this.#out.fail(session, reason, text);
  }

  login(session: Session, nick: string): void {
    this.#nicknames.login(session, nick);
  }

  renick(session: Session, nick: string): void {
    this.#nicknames.renick(session, nick);
  }

  join(session: Session, room: string): void {
    this.#membership.join(session, room);
  }

  leave(session: Session, room: string | undefined): void {
    this.#membership.leave(session, room);
  }

  roomCounts(): RoomCount[] {
    return this.#membership.roomCounts();
  }

  users(room: string): { room: string; nicks: string[] } | undefined {
    return this.#membership.users(room);
  }

  get historyEnabled(): boolean {
    return this.#history?.enabled === true;
  }

  sendHistory(session: Session, room: Room<Session>, n: number): void {
    this.#membership.sendHistory(session, room, n);
  }

  privateMessage(session: Session, nick: string, text: string): void {
    const from = session.nick as string;
    const target = this.#nicknames.find(nick);
    if (target) {
      this.send(target, lines.pmFrom(from, text));
      this.send(session, lines.pmTo(target.nick as string, text));
      this.events.emit('pm', { from, to: target.nick as string });
    } else if (this.cluster?.publishPrivate(from, nick, text)) {
      this.events.emit('pm', { from, to: nick });
      this.send(session, lines.pmTo(nick, text));
    } else {
      this.fail(session, 'no_such_user', errorText.noSuchUser(nick));
    }
  }

  /**
   * Closes a session on our side (/quit, a timeout, shutdown). It leaves its rooms and frees its
   * nickname now, not when the socket closes: a peer that keeps its half of the connection open (nc
   * does) would otherwise stay in its rooms, hold its nickname and still be heard. Its rooms are
   * remembered for the grace period as on any disconnect (DESIGN §3). The connection is ended after
   * `farewell` and destroyed `quitLinger` later if the peer has not closed its side by then.
   */
  close(session: Session, reason: DisconnectReason, farewell?: Buffer): void {
    if (session.closed) return;
    this.#detach(session, reason);
    if (farewell) this.send(session, farewell);
    session.conn.end();
    const conn = session.conn;
    session.linger = setTimeout(() => conn.destroy(), this.options.quitLinger).unref();
  }

  #onClose(session: Session): void {
    clearTimeout(session.linger);
    this.#sessions.delete(session);
    if (!session.closed) this.#detach(session, session.conn.closeCause);
    if (this.#sessions.size === 0) this.#drained?.();
  }

  /** The idle policy's sweep: closes connections that never logged in, went silent or stalled mid-line. */
  #sweepIdle(): void {
    const now = this.now();
    for (const s of this.#sessions) {
      if (s.closed) continue;
      const verdict = this.#idle.judge(s, now);
      if (verdict !== undefined) this.close(s, verdict.reason, lines.error(verdict.text));
    }
  }

  /** The session leaves the chat: rooms (remembered for the grace period), nickname, events. */
  #detach(session: Session, reason: DisconnectReason): void {
    session.closed = true;
    const nick = session.nick;
    if (nick !== null) {
      this.#membership.leaveAll(session, nick, this.now());
      this.#nicknames.release(session, nick);
    }
    this.events.emit('disconnect', { connId: session.id, nick, reason });
  }

  /**
   * Polite shutdown: tell every client, flush, then wait up to `timeoutMs` for the last socket to
   * close before destroying the rest.
   */
  async shutdown(timeoutMs = 2000): Promise<void> {
    clearInterval(this.#sweepTimer);
    clearInterval(this.#idleTimer);
    this.#membership.quiet = true;
    const bye = lines.system({ kind: 'shuttingDown' });
    for (const s of this.#sessions) this.close(s, 'shutdown', bye);
    if (this.#sessions.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    for (const s of [...this.#sessions]) {
      s.conn.destroy();
      this.#onClose(s);
    }
    await this.#history?.close();
    this.grace.close?.();
  }

  /** What the cluster link delivers from other nodes: fanned out to local members only. */
  clusterDelivery(): ClusterDelivery {
    return {
      remoteMessage: (roomName, nick, text, ts) => this.#out.relay(roomName, nick, text, ts),
      remotePresence: (roomName, nick, change) => this.#membership.remotePresence(roomName, nick, change),
      remotePrivate: (from, to, text) => {
        const target = this.#nicknames.find(to);
        if (target) this.send(target, lines.pmFrom(from, defuseControls(text)));
      },
      nickLost: (nick) => this.#nicknames.giveWay(nick),
      localNicks: () => this.#nicknames.local(),
      localPresence: () => this.#membership.localPresence(),
    };
  }
}
