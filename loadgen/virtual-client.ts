/**
 * One simulated chat user: connects, logs in, joins its room, learns the members, then acts when the
 * schedule says so. It speaks only through a `ProtocolSession` and reports only to `WorkerStats`.
 *
 * Delivery rule (what `expected` means): a room message's recipients are the members of the sender's
 * room as the sender saw them when the server handled the message — the `/users` answer it asked for
 * after joining, updated by every join and leave line since, read at the moment its echo arrives
 * (lines keep the server's order, so that is exact: room-view.ts); itself included only if the
 * protocol echoes. Without an echo, or with several servers, members whose join or leave crossed the
 * message are ambiguous (own-messages.ts). A PM expects exactly one recipient (zero if the server
 * answers that the user does not exist).
 *
 * Open loop: actions fall due on the schedule whatever the server does, from the moment
 * the client is first in its room (actions due during its first login are skipped: a user still
 * connecting has nothing to say yet — some servers take a second to register). A room message
 * is written at once unless the client is not ready (reconnecting, joining, switching), its socket is
 * backed up, or — only with `--inflight N` — N of its own messages await their echo; then it waits in
 * the client's queue with its intended time unchanged. Corrected latency (from the intended time) charges that wait to
 * the server; uncorrected latency (from the actual write) is what a closed-loop tool would report.
 * One exception: messages due before the client's *first* login completed count from the moment it
 * arrived (logged in for PMs, in its room for room messages) — connecting is measured on its own
 * (connect, first line, /join), and some servers take a second to register. After a drop, the
 * outage is charged in full.
 *
 * Longer than 300 lines because what is left is one state machine (connecting → login → joining →
 * listing → ready → down) with the send path that reads its state on every message; the jobs it
 * drives live in client-socket.ts, room-moves.ts, inbox.ts, send-queue.ts, own-messages.ts and
 * pm-tracker.ts.
 */
import { LineDecoder, type LineDecoderHandlers } from '../protocol/index.js';
import { encodePayload } from './payload.js';
import { Inbox } from './inbox.js';
import { Prng, PURPOSE } from './prng.js';
import { targetIndex } from './options.js';
import { newProtocolEvent, type ProtocolSession } from './protocols/index.js';
import type { FrameDecoder, FrameHandlers } from './protocols/adapter.js';
import { RoomView } from './room-view.js';
import { RoomMoves } from './room-moves.js';
import { OwnMessages } from './own-messages.js';
import { SendKind, SendQueue, intendedTime } from './send-queue.js';
import { PmTracker } from './pm-tracker.js';
import { ConnectAttempt } from './connect-attempt.js';
import { ClientSocket } from './client-socket.js';
import { elapsedUs } from './clock.js';
import { backoffDelay, type BackoffOptions } from '../client/index.js';
import type { ClientContext } from './client-context.js';
import type { Target } from './options.js';

/**
 * Around a message with no echo to anchor it (or several servers), membership changes this close are
 * ambiguous — at least; the window reaches twice as far as the server is behind (the client's recent
 * command round trips, the worker's longest recent delivery), up to the loss timeout. With ngircd's flood
 * penalty a message is handled up to 2 s after its write, and a join handled before it but seen after a
 * fixed 1 s window read as an unexpected delivery (1–17 a run of 50 clients).
 */
export const AMBIGUITY_WINDOW_MS = 1000;

type State = 'idle' | 'connecting' | 'login' | 'joining' | 'listing' | 'ready' | 'down';

/** Reconnect delays: the interactive client's formula (client/backoff.ts) with the loadgen's own bounds. */
const RECONNECT_BACKOFF: BackoffOptions = { minMs: 200, maxMs: 10_000 };
const MAX_LINE = 64 * 1024;

export class VirtualClient {
  readonly nick0: string;
  #nick: string;
  #state: State = 'idle';
  #session: ProtocolSession;
  #decoder: FrameDecoder;
  readonly #ev = newProtocolEvent();
  readonly #inbox: Inbox;
  readonly #actions: Prng;
  readonly #backoff: Prng;
  readonly #view: RoomView;
  readonly #moves: RoomMoves;
  /** Writes a leave (made once: `RoomMoves.joined` calls it per room left). */
  readonly #leave = (room: string): void => this.#sock.write(this.#session.leave(room));
  readonly #own: OwnMessages;
  readonly #queue = new SendQueue();
  readonly #pms = new PmTracker();
  readonly #connectAttempt: ConnectAttempt;
  readonly #sock: ClientSocket;
  #seq = 0;
  /** Reconnects since the last login (backoff). */
  #attempts = 0;
  /**
   * New nicknames tried on this connection. Its own count: shared with the reconnects, a client that
   * came back after a few refused attempts found its nickname still held (by its dead node, until the
   * presence TTL) and gave up — logged out for the rest of the run, its messages piling up unsent.
   */
  #renames = 0;
  #everConnected = false;
  #everReady = false;
  /** Cut off since it was last in a room: every worker was told (member-outages.ts), and is told of its return. */
  #outage = false;
  /** When this client was first logged in, then first in its room (epoch ms; 0 before). */
  #arrivedAt = 0;
  /**
   * When it was back in its room after the run's own planned drop (a disconnect storm; epoch ms, 0
   * before): like a first login, the outage the generator made is not charged to the server — messages
   * due during it count from here. (A drop the server or network made is charged whole.)
   */
  #backFromStormAt = 0;
  /** When the storm dropped it (epoch ms; 0: not dropped, or back): only messages due since are excused. */
  #stormDropAt = 0;
  /** The drop `#backFromStormAt` ended: the excused messages fell due between the two. */
  #lastStormDropAt = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #target: Target;
  /** Epoch ms of the socket read whose lines are being handled. */
  #readAt = 0;

  constructor(readonly gid: number, readonly ctx: ClientContext) {
    this.nick0 = `${ctx.nickPrefix}${gid}`;
    this.#nick = this.nick0;
    this.#actions = new Prng(ctx.seed, gid, PURPOSE.actions);
    this.#backoff = new Prng(ctx.seed, gid, PURPOSE.backoff);
    this.#target = ctx.targets[targetIndex(gid, ctx.rooms.length, ctx.targets.length)] as Target;
    this.#session = ctx.adapter.session(this.#target);
    this.#decoder = this.#newDecoder();
    this.#view = new RoomView(ctx.runMembers);
    this.#moves = new RoomMoves(ctx.rooms[gid % ctx.rooms.length] as string, this.#view, () => ctx.now(), ctx.stats);
    const moves = this.#moves;
    this.#own = new OwnMessages(this.#view, {
      echo: true, oneServer: ctx.targets.length === 1, timeoutMs: ctx.lossTimeoutMs,
      // As far as the server is behind (see AMBIGUITY_WINDOW_MS), read when a window is judged.
      get windowMs() {
        return Math.min(ctx.lossTimeoutMs, Math.max(AMBIGUITY_WINDOW_MS, 2 * Math.max(moves.commandLagMs, ctx.stats.serverLagMs)));
      },
    }, (seq, written, e) => ctx.stats.wrote(gid, seq, e.expected, e.ambiguous, written));
    // Every line of one read arrived when the read did: the clock is read once per read, not per line
    // (per delivery it was ~6 % of a saturated worker), and later lines of a big read are not charged
    // the time spent on the ones before them.
    this.#inbox = new Inbox(gid, ctx.runTagBytes, ctx.stats, ctx.lossTimeoutMs, () => this.#readAt, (seq, now) => this.#echoed(seq, now), ctx.delivered ? (g, s, at) => ctx.delivered?.(g, s, at) : undefined);
    this.#connectAttempt = new ConnectAttempt(() => ctx.now(), ctx.stats);
    this.#sock = new ClientSocket({
      opened: () => this.#opened(),
      data: (chunk) => {
        this.#readAt = ctx.now();
        this.#decoder.push(chunk);
      },
      line: (buf, start, end, newRead) => {
        if (newRead) this.#readAt = ctx.now();
        const decoder = this.#decoder;
        // A line decoder reads the line where it lies; other frame decoders take it as a buffer of its own.
        if (decoder instanceof LineDecoder) decoder.pushLine(buf, start, end);
        else decoder.push(start === 0 && end === buf.length ? buf : buf.subarray(start, end), true);
      },
      drained: () => this.flush(),
      closed: (wasOpen, fault) => this.#onClose(wasOpen, fault),
    }, this.#connectAttempt);
  }

  get state(): State {
    return this.#state;
  }

  connect(): void {
    if (this.ctx.stopping || (this.#state !== 'idle' && this.#state !== 'down')) return;
    this.#state = 'connecting';
    this.#renames = 0;
    this.#session = this.ctx.adapter.session(this.#target);
    this.#decoder = this.#newDecoder();
    const started = this.ctx.now();
    this.#sock.open(this.ctx.dial(this.#target, this.#nick), started);
  }

  /** The schedule says: act now (intended epoch ms). Draws the same random numbers whatever the state. */
  act(intended: number): void {
    const r = this.#actions.next();
    const pick = this.#actions.next();
    const { pm, users } = this.ctx;
    const sw = this.ctx.switch;
    if (r < pm) {
      const n = this.ctx.plannedConnected(intended);
      if (n < 2) return;
      let target = Math.floor(pick * (n - 1));
      if (target >= this.gid) target++;
      this.#enqueue(intended, SendKind.Pm, target);
    } else if (r < pm + sw) {
      if (this.ctx.rooms.length < 2 || this.#state !== 'ready') return;
      this.#switchTo(this.#moves.other(this.ctx.rooms, pick));
    } else if (r < pm + sw + users) {
      if (this.#state !== 'ready') return;
      this.#askUsers();
    } else {
      this.#enqueue(intended, SendKind.Room, 0);
    }
  }

  /**
   * One of this client's room messages reached a client of this worker at epoch ms `at`: the server had
   * handled it by then, so the window around it must reach that far (own-messages.ts).
   */
  ownDelivered(seq: number, at: number): void {
    if (this.#own.length > 0) this.#own.delivered(seq, at);
  }

  /** Joins this client's writes until `release` (one timer turn's messages in one write: client-socket.ts). */
  hold(): void {
    this.#sock.hold();
  }

  release(): void {
    this.#sock.release();
  }

  /** Disconnect storm: drop the connection as a network fault would, then reconnect with backoff. */
  drop(): void {
    if (this.#state === 'down' || this.#state === 'idle') return;
    // Only a client that was in its room: one already out through the server's doing stays charged.
    if (this.#state === 'ready') this.#stormDropAt = this.ctx.now();
    this.#sock.drop();
  }

  /** Writes what can go now: PMs once logged in, room messages when ready and the window allows. */
  flush(): void {
    const limit = this.ctx.inflight;
    // Decides own messages whose echo is overdue or whose window closed (called at least once a tick).
    if (this.#own.length > 0) this.#own.sweep(this.ctx.now());
    // No PM echo: only an error answers a PM, so forget the ones old enough to have had it.
    if (this.#pms.length > 0 && !this.#echoesPm()) this.#pms.expire(this.ctx.now() - this.ctx.lossTimeoutMs);
    const q = this.#queue;
    const sock = this.#sock;
    let i = 0;
    const n = q.length;
    for (; i < n && !sock.backedUp; i++) {
      if (q.kind(i) === SendKind.Pm) {
        if (this.#state === 'idle' || this.#state === 'connecting' || this.#state === 'login' || this.#state === 'down') break;
        this.#send(q.due(i), true, q.target(i));
      } else {
        if (this.#state !== 'ready' || (limit > 0 && this.#own.awaitingEcho >= limit)) break;
        this.#send(q.due(i), false, 0);
      }
    }
    q.sent(i);
  }

  /** End of the schedule: no more reconnects. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  /** Messages due but not written yet (the client down, joining, backed up): unsent, if the run ends now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Polite goodbye; resolves when the socket is gone (destroyed after `graceMs`). */
  close(graceMs = 500): Promise<void> {
    clearTimeout(this.#timer);
    this.#queue.clear();
    return this.#sock.close(graceMs, this.#session.quit());
  }

  #enqueue(intended: number, kind: SendKind, target: number): void {
    if (!this.#queue.push(intended, kind, target)) return this.ctx.stats.error('queue_full');
    this.flush();
  }

  /** Writes one load message now: to the room, or a PM to client `target`. */
  #send(due: number, pm: boolean, target: number): void {
    const written = this.ctx.now();
    const seq = ++this.#seq;
    // Due while the storm had it out (since its drop, before it was back): counted from its return.
    const from = due >= this.#lastStormDropAt && due < this.#backFromStormAt ? this.#backFromStormAt : this.#arrivedAt;
    const text = encodePayload(this.ctx.runTag, this.gid, seq, intendedTime(due, from, written), written, this.ctx.size);
    this.ctx.stats.sent++;
    if (!pm) {
      this.#sock.write(this.#session.say(this.#moves.room, text));
      return this.#own.sent(seq, written);
    }
    const to = `${this.ctx.nickPrefix}${target}`;
    this.#sock.write(this.#session.pm(to, text));
    this.ctx.stats.pmSent++;
    // A PM to a client the run drops around now may die unread in its socket, and one from a client the
    // run drops right after may never leave it: neither expected nor not. (No echo says when the server
    // passed it on: the window after the write is the ambiguity window.)
    const run = this.ctx.runMembers;
    const until = written + AMBIGUITY_WINDOW_MS;
    const dropping = run.stormNear(written, until) && (run.dropsNear(target, written, until) || run.dropsNear(this.gid, written, written));
    this.ctx.stats.wrote(this.gid, seq, dropping ? 0 : 1, dropping ? 1 : 0, written);
    this.#pms.sent(seq, to, written);
  }

  /** Whether the sender is among a room message's recipients (the view counts it as a member). */
  #echoesRoom(): boolean {
    return this.#session.echoesOwnRoomMessages ?? this.ctx.adapter.echoesOwnRoomMessages;
  }

  #echoesPm(): boolean {
    return this.#session.echoesOwnPrivateMessages ?? this.ctx.adapter.echoesOwnPrivateMessages;
  }

  #switchTo(room: string): void {
    this.#moves.joining(room);
    this.#state = 'joining';
    this.#sock.write(this.#session.join(room));
  }

  #askUsers(): void {
    this.#moves.askedUsers();
    this.#sock.write(this.#session.members(this.#moves.room));
  }

  #newDecoder(): FrameDecoder {
    const handlers: FrameHandlers & Pick<LineDecoderHandlers, 'onLineAt'> = {
      onLine: (line: Buffer) => this.#onLine(line, 0, line.length),
      onOverflow: () => this.ctx.stats.error('line_too_long'),
    };
    // Lines read where they lie, when the protocol can parse them there (no view per delivery).
    if (this.#session.parseAt !== undefined) handlers.onLineAt = (buf, start, end) => this.#onLine(buf, start, end);
    // Lines unless the protocol frames its input otherwise (MQTT packets, XMPP stanzas).
    return this.ctx.adapter.frames?.(MAX_LINE, handlers) ?? new LineDecoder(MAX_LINE, handlers);
  }

  /** One frame, `buf[start, end)` — all of `buf` unless the session has `parseAt`. */
  #onLine(buf: Buffer, start: number, end: number): void {
    this.#connectAttempt.line();
    const ev = this.#ev;
    const session = this.#session;
    if (session.parseAt !== undefined) session.parseAt(buf, start, end, ev);
    else session.parse(buf, ev);
    if (ev.ack.length > 0) {
      this.#sock.write(ev.ack);
      ev.ack = '';
    }
    switch (ev.kind) {
      case 'message':
      case 'pm':
        return this.#inbox.receive(buf, ev.textStart, ev.self, end);
      case 'pmEcho':
        return this.#pmEchoed();
      case 'loggedIn':
        return this.#loggedIn(ev.rooms);
      case 'joined':
        return this.#joined(ev.room, ev.nick, ev.self);
      case 'left':
        return this.#moves.left(ev.room, ev.nick, ev.self);
      case 'members':
        return this.#membersOf(ev.room, ev.nicks);
      case 'error':
        return this.#error(ev.errorKind, ev.nick);
      case 'closing':
        return this.#sock.serverClosing(ev.errorKind, ev.text);
      case 'ended':
        return this.#ended(ev.errorKind, ev.text);
      case 'reply':
        return this.#sock.write(ev.text);
      case 'unknown':
        return this.ctx.stats.error('unknown_event');
      default:
    }
  }

  /** One of our messages came back (from the inbox, before it logs the receipt). */
  #echoed(seq: number, now: number): void {
    if (this.#own.length === 0) return;
    this.#own.echoed(seq, now);
    if (this.#queue.length > 0) this.flush();
  }

  #loggedIn(rooms: string[]): void {
    if (!this.#everReady) this.#arrivedAt = this.ctx.now();
    // Registration is over: whether this session echoes is known now (IRC's echo-message).
    this.#view.countSelf = this.#own.mode.echo = this.#echoesRoom();
    this.#attempts = 0;
    this.#moves.loggedIn(rooms);
    this.#switchTo(this.#moves.room);
  }

  #joined(room: string, nick: string, self: boolean): void {
    if (!self) return this.#moves.otherJoined(room, nick);
    if (!this.#moves.joined(room, this.#state === 'joining', this.#leave)) return;
    this.#state = 'listing';
    // Every echo of the old room came before this line (the server's order): nothing there is pending.
    if (this.#own.length > 0) this.#own.settleAll(this.ctx.now());
    this.#view.reset(room, this.#nick);
    this.#moves.askedUsers();
    this.#sock.write(this.#session.members(room));
  }

  #membersOf(room: string, nicks: string[]): void {
    if (this.#moves.members(room, nicks, this.#nick) && this.#state === 'listing') {
      this.#state = 'ready';
      if (this.#outage) this.ctx.outage(this.gid, this.ctx.now(), (this.#outage = false));
      if (!this.#everReady) this.#arrivedAt = this.ctx.now();
      if (this.#stormDropAt > 0) {
        this.#lastStormDropAt = this.#stormDropAt;
        this.#stormDropAt = 0;
        this.#backFromStormAt = this.ctx.now();
      }
      this.#everReady = true;
      this.flush();
    }
  }

  #pmEchoed(): void {
    const at = this.#pms.echoed();
    if (!Number.isNaN(at)) this.ctx.stats.pm.recordValue(elapsedUs(at, this.ctx.now()));
  }

  #error(kind: string, nick: string): void {
    if (kind === 'no_such_user') {
      // The server said nobody has that name: the PM had no recipient to lose. Not the server's error
      // when the run itself had that client out: dropped by a disconnect storm and not back yet, or
      // planned to connect so recently that its login may not be through (targets are picked from the
      // clients the plan has connected by then). A correct server failed `errors<N` on either.
      const seq = this.#pms.refused(nick);
      if (seq >= 0) this.ctx.stats.wrote(this.gid, seq, -1, 0, 0);
      if (!this.#runHadItOut(nick)) this.ctx.stats.error(kind);
      return;
    }
    this.ctx.stats.error(kind);
    if (kind === 'nick_taken' && this.#renamed()) {
      // A nickname given in the handshake (URL, Socket.IO auth) needs a new connection to change.
      if (this.ctx.adapter.nickAtConnect) this.#sock.hangUp('');
      else this.#sock.write(this.#session.login(this.#nick));
    }
  }

  /** Whether the run itself had client `nick` out when a PM to it was refused (see `#error`). */
  #runHadItOut(nick: string): boolean {
    const run = this.ctx.runMembers;
    const index = nick === '' ? -1 : run.index(nick);
    if (index < 0) return false;
    const now = this.ctx.now();
    const since = now - this.ctx.lossTimeoutMs;
    if (this.ctx.plannedConnectAt(index) > since) return true;
    return run.stormNear(since, now) && run.dropsNear(index, since, now);
  }

  /** The server ended the session (the connection may linger): count why, hang up, reconnect. */
  #ended(kind: string, text: string): void {
    if (kind === 'nick_taken') this.#renamed();
    this.#sock.serverClosing(kind, text);
    this.#sock.hangUp(kind);
  }

  /**
   * While logging in, or joining a room whose nickname is per room (XMPP MUC), up to 5 times: a new
   * nickname for a taken one. False: keep the old one.
   */
  #renamed(): boolean {
    if ((this.#state !== 'login' && this.#state !== 'joining') || this.#renames >= 5) return false;
    this.#renames++;
    this.#nick = `${this.nick0}_${Math.floor(this.#backoff.next() * 1e6).toString(36)}`;
    return true;
  }

  #opened(): void {
    // A reconnect is a connection made again, not an attempt: attempts refused are errors by kind.
    if (this.#everConnected) this.ctx.stats.reconnects++;
    this.#everConnected = true;
    this.ctx.stats.connects++;
    this.ctx.stats.connected++;
    this.#state = 'login';
    this.#sock.write(this.#session.open());
    this.#sock.write(this.#session.login(this.#nick));
  }

  #onClose(wasOpen: boolean, fault: string): void {
    if (wasOpen) this.ctx.stats.connected--;
    // Other nodes may list it in their rooms until they hear it went: messages to it meanwhile cannot arrive.
    if (this.#everReady && !this.#outage && !this.ctx.stopping) this.ctx.outage(this.gid, this.ctx.now(), (this.#outage = true));
    this.#state = 'down';
    if (this.#own.length > 0) this.#own.abandon(this.ctx.now());
    this.#moves.disconnected();
    this.#pms.clear();
    if (fault !== '') this.ctx.stats.error(fault);
    if (this.ctx.stopping) return;
    const delay = backoffDelay(this.#attempts, RECONNECT_BACKOFF, () => this.#backoff.next());
    this.#attempts = Math.min(this.#attempts + 1, 16);
    this.#timer = setTimeout(() => this.connect(), delay);
  }
}
