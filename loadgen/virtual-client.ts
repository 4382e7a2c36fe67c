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
 */
import net from 'node:net';
import { LineDecoder } from '../protocol/index.js';
import { decodePayload, encodePayload, newPayload } from './payload.js';
import { Prng, PURPOSE } from './prng.js';
import { targetIndex } from './options.js';
import { newProtocolEvent, type ProtocolAdapter, type ProtocolSession } from './protocols/index.js';
import type { Dialed } from './dialer.js';
import { ReceiverWindow, Seen } from './receiver-window.js';
import { RoomView } from './room-view.js';
import { OwnMessages } from './own-messages.js';

/** Around a message with no echo to anchor it (or several servers), membership changes this close are ambiguous. */
export const AMBIGUITY_WINDOW_MS = 1000;

/**
 * The time a message's corrected latency counts from: when it fell due, or when its client first
 * arrived if that was later (see above) — but never after the actual write. The scheduler fires
 * actions up to half a millisecond early to batch timers, and a message written before its due time
 * was not kept waiting: counting from the later due time would make corrected latency smaller than
 * uncorrected.
 */
export function intendedTime(due: number, arrivedAt: number, written: number): number {
  return Math.min(written, Math.max(due, arrivedAt));
}
import type { WorkerStats } from './worker-stats.js';

export interface ClientContext {
  readonly adapter: ProtocolAdapter;
  readonly stats: WorkerStats;
  /** The servers; this client uses `targetIndex(gid, rooms, targets.length)`. */
  readonly targets: readonly { host: string; port: number }[];
  readonly seed: number;
  readonly rooms: readonly string[];
  readonly pm: number;
  readonly switch: number;
  readonly users: number;
  readonly size: number;
  readonly inflight: number;
  readonly lossTimeoutMs: number;
  readonly nickPrefix: string;
  /** Opens a connection to one of the targets (plain TCP or TLS: `dialer.ts`). */
  dial(target: { host: string; port: number }): Dialed;
  /** Epoch ms, high resolution. */
  now(): number;
  /** How many clients (indices 0…n-1) the plan has connected by epoch ms `t` (PM targets). */
  plannedConnected(t: number): number;
  readonly stopping: boolean;
}

type State = 'idle' | 'connecting' | 'login' | 'joining' | 'listing' | 'ready' | 'down';

const QUEUE_MAX = 1000;
const BACKOFF_BASE_MS = 200;
const BACKOFF_CAP_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
const MAX_LINE = 64 * 1024;
const KIND_ROOM = 0;
const KIND_PM = 1;

export class VirtualClient {
  readonly nick0: string;
  #nick: string;
  #state: State = 'idle';
  #socket: net.Socket | undefined;
  #session: ProtocolSession;
  #decoder: LineDecoder;
  readonly #ev = newProtocolEvent();
  readonly #payload = newPayload();
  readonly #window = new ReceiverWindow();
  readonly #actions: Prng;
  readonly #backoff: Prng;
  readonly #room: { name: string };
  #roomsIn = new Set<string>();
  readonly #view: RoomView;
  readonly #own: OwnMessages;
  #seq = 0;
  #attempts = 0;
  #everConnected = false;
  #everReady = false;
  /** When this client was first logged in, then first in its room (epoch ms; 0 before). */
  #arrivedAt = 0;
  #connectStart = 0;
  #firstLine = false;
  /** A TLS handshake is under way (TCP up, not yet secure). */
  #handshaking = false;
  /** Epoch ms when TCP connected (0 before). */
  #tcpAt = 0;
  #byUs = false;
  #closingText = '';
  #closingKind = '';
  #errorCode = '';
  #draining = false;
  #timer: NodeJS.Timeout | undefined;
  // Due messages waiting: intended epoch ms, kind, PM target.
  #qTime: number[] = [];
  #qKind: number[] = [];
  #qTarget: number[] = [];
  #joinAt = 0;
  #usersAt: number[] = [];
  #pmAt: number[] = [];
  #pmSeq: number[] = [];
  #pmTarget: string[] = [];
  readonly #target: { host: string; port: number };

  constructor(readonly gid: number, readonly ctx: ClientContext) {
    this.nick0 = `${ctx.nickPrefix}${gid}`;
    this.#nick = this.nick0;
    this.#actions = new Prng(ctx.seed, gid, PURPOSE.actions);
    this.#backoff = new Prng(ctx.seed, gid, PURPOSE.backoff);
    this.#room = { name: ctx.rooms[gid % ctx.rooms.length] as string };
    this.#target = ctx.targets[targetIndex(gid, ctx.rooms.length, ctx.targets.length)] as { host: string; port: number };
    this.#session = ctx.adapter.session();
    this.#decoder = this.#newDecoder();
    this.#view = new RoomView();
    this.#own = new OwnMessages(this.#view, {
      echo: true, oneServer: ctx.targets.length === 1,
      windowMs: AMBIGUITY_WINDOW_MS, timeoutMs: ctx.lossTimeoutMs,
    }, (seq, written, e) => ctx.stats.wrote(gid, seq, e.expected, e.ambiguous, written));
  }

  get state(): State {
    return this.#state;
  }

  connect(): void {
    if (this.ctx.stopping || (this.#state !== 'idle' && this.#state !== 'down')) return;
    if (this.#everConnected) this.ctx.stats.reconnects++;
    this.#state = 'connecting';
    this.#byUs = false;
    this.#closingText = '';
    this.#closingKind = '';
    this.#errorCode = '';
    this.#firstLine = false;
    this.#draining = false;
    this.#session = this.ctx.adapter.session();
    this.#decoder = this.#newDecoder();
    this.#connectStart = this.ctx.now();
    const { socket: s, readyEvent } = this.ctx.dial(this.#target);
    this.#socket = s;
    this.#handshaking = readyEvent === 'secureConnect';
    // One bound for TCP connect and TLS handshake together.
    s.setTimeout(CONNECT_TIMEOUT_MS, () => {
      this.#errorCode = this.#handshaking && this.#tcpAt > 0 ? 'tls_handshake_timeout' : 'connect_timeout';
      s.destroy();
    });
    this.#tcpAt = 0;
    s.on('connect', () => {
      this.#tcpAt = this.ctx.now();
      this.ctx.stats.connect.recordValue(Math.max(0, Math.round((this.#tcpAt - this.#connectStart) * 1000)));
    });
    s.on(readyEvent, () => {
      s.setTimeout(0);
      if (this.#handshaking) {
        this.#handshaking = false;
        this.ctx.stats.handshake.recordValue(Math.max(0, Math.round((this.ctx.now() - this.#tcpAt) * 1000)));
      }
      this.#everConnected = true;
      this.ctx.stats.connects++;
      this.ctx.stats.connected++;
      this.#state = 'login';
      this.#write(this.#session.open() + this.#session.login(this.#nick));
    });
    s.on('data', (chunk: Buffer) => this.#decoder.push(chunk));
    s.on('drain', () => {
      this.#draining = false;
      this.flush();
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      this.#errorCode ||= this.#handshaking && this.#tcpAt > 0 ? 'tls_handshake' : errorKind(err.code);
    });
    s.on('close', () => this.#onClose(s));
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
      this.#enqueue(intended, KIND_PM, target);
    } else if (r < pm + sw) {
      const rooms = this.ctx.rooms;
      if (rooms.length < 2 || this.#state !== 'ready') return;
      let k = Math.floor(pick * (rooms.length - 1));
      if (rooms[k] === this.#room.name) k = rooms.length - 1;
      this.#switchTo(rooms[k] as string);
    } else if (r < pm + sw + users) {
      if (this.#state !== 'ready') return;
      this.#usersAt.push(this.ctx.now());
      this.#write(this.#session.members(this.#room.name));
    } else {
      this.#enqueue(intended, KIND_ROOM, 0);
    }
  }

  /** Disconnect storm: drop the connection as a network fault would, then reconnect with backoff. */
  drop(): void {
    if (this.#socket === undefined || this.#state === 'down' || this.#state === 'idle') return;
    this.#byUs = true;
    this.#socket.destroy();
  }

  /** Writes what can go now: PMs once logged in, room messages when ready and the window allows. */
  flush(): void {
    const limit = this.ctx.inflight;
    // Decides own messages whose echo is overdue or whose window closed (called at least once a tick).
    if (this.#own.length > 0) this.#own.sweep(this.ctx.now());
    if (this.#pmAt.length > 0 && !this.#echoesPm()) {
      // No PM echo: only an error answers a PM, so forget the ones old enough to have had it.
      const old = this.ctx.now() - this.ctx.lossTimeoutMs;
      while (this.#pmAt.length > 0 && (this.#pmAt[0] as number) < old) this.#pmDone(false, '', true);
    }
    let i = 0;
    const n = this.#qTime.length;
    for (; i < n && !this.#draining; i++) {
      const kind = this.#qKind[i];
      if (kind === KIND_PM) {
        if (this.#state === 'idle' || this.#state === 'connecting' || this.#state === 'login' || this.#state === 'down') break;
        this.#sendPm(this.#qTime[i] as number, this.#qTarget[i] as number);
      } else {
        if (this.#state !== 'ready' || (limit > 0 && this.#own.awaitingEcho >= limit)) break;
        this.#sendRoom(this.#qTime[i] as number);
      }
    }
    if (i > 0) {
      this.#qTime.splice(0, i);
      this.#qKind.splice(0, i);
      this.#qTarget.splice(0, i);
    }
  }

  /** End of the schedule: no more reconnects. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  /** Polite goodbye; resolves when the socket is gone (destroyed after `graceMs`). */
  close(graceMs = 500): Promise<void> {
    clearTimeout(this.#timer);
    const s = this.#socket;
    this.#qTime.length = this.#qKind.length = this.#qTarget.length = 0;
    if (s === undefined || s.destroyed) return Promise.resolve();
    this.#byUs = true;
    return new Promise((resolve) => {
      const t = setTimeout(() => s.destroy(), graceMs);
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      if (this.#state === 'connecting') s.destroy();
      else s.end(this.#session.quit());
    });
  }

  #enqueue(intended: number, kind: number, target: number): void {
    if (this.#qTime.length >= QUEUE_MAX) {
      this.ctx.stats.error('queue_full');
      return;
    }
    this.#qTime.push(intended);
    this.#qKind.push(kind);
    this.#qTarget.push(target);
    this.flush();
  }

  #sendRoom(due: number): void {
    const written = this.ctx.now();
    const intended = intendedTime(due, this.#arrivedAt, written);
    const seq = ++this.#seq;
    const text = encodePayload(this.gid, seq, intended, written, this.ctx.size);
    this.#write(this.#session.say(this.#room.name, text));
    this.ctx.stats.sent++;
    this.#own.sent(seq, written);
  }

  #sendPm(due: number, target: number): void {
    const written = this.ctx.now();
    const intended = intendedTime(due, this.#arrivedAt, written);
    const seq = ++this.#seq;
    const text = encodePayload(this.gid, seq, intended, written, this.ctx.size);
    const to = `${this.ctx.nickPrefix}${target}`;
    this.#write(this.#session.pm(to, text));
    this.ctx.stats.sent++;
    this.ctx.stats.pmSent++;
    this.ctx.stats.wrote(this.gid, seq, 1, 0, written);
    this.#pmAt.push(written);
    this.#pmSeq.push(seq);
    this.#pmTarget.push(to);
  }

  /** Whether the sender is among a room message's recipients (the view counts it as a member). */
  #echoesRoom(): boolean {
    return this.#session.echoesOwnRoomMessages ?? this.ctx.adapter.echoesOwnRoomMessages;
  }

  #echoesPm(): boolean {
    return this.#session.echoesOwnPrivateMessages ?? this.ctx.adapter.echoesOwnPrivateMessages;
  }

  #switchTo(room: string): void {
    this.#room.name = room;
    this.#state = 'joining';
    this.#joinAt = this.ctx.now();
    this.#write(this.#session.join(room));
  }

  #write(text: string): void {
    const s = this.#socket;
    if (text === '' || s === undefined || s.destroyed) return;
    if (!s.write(text)) this.#draining = true;
  }

  #newDecoder(): LineDecoder {
    return new LineDecoder(MAX_LINE, {
      onLine: (line) => this.#onLine(line),
      onOverflow: () => this.ctx.stats.error('line_too_long'),
    });
  }

  #onLine(line: Buffer): void {
    if (!this.#firstLine) {
      this.#firstLine = true;
      this.ctx.stats.firstLine.recordValue(Math.max(0, Math.round((this.ctx.now() - this.#connectStart) * 1000)));
    }
    const ev = this.#ev;
    this.#session.parse(line, ev);
    switch (ev.kind) {
      case 'message':
      case 'pm':
        return this.#deliver(line, ev.textStart, ev.self);
      case 'pmEcho':
        return this.#pmDone(true, '');
      case 'loggedIn':
        return this.#loggedIn(ev.rooms);
      case 'joined':
        return this.#joined(ev.room, ev.nick, ev.self);
      case 'left':
        if (ev.self) this.#roomsIn.delete(ev.room);
        else if (sameRoom(ev.room, this.#view.room)) this.#view.left(ev.nick, this.ctx.now());
        return;
      case 'members':
        return this.#membersOf(ev.room, ev.nicks);
      case 'error':
        return this.#error(ev.errorKind, ev.nick);
      case 'closing':
        this.#closingText = ev.text;
        this.#closingKind = ev.errorKind;
        return;
      case 'reply':
        return this.#write(ev.text);
      default:
    }
  }

  /** The hot path: a room message or PM carrying a load payload. */
  #deliver(line: Buffer, start: number, self: boolean): void {
    const p = this.#payload;
    if (!decodePayload(line, start, p)) return; // someone else's chat: not ours to measure
    const stats = this.ctx.stats;
    const nowUs = this.ctx.now() * 1000;
    if (self && p.gid === this.gid && this.#own.length > 0) {
      this.#own.echoed(p.seq, nowUs / 1000);
      if (this.#qTime.length > 0) this.flush();
    }
    const seen = this.#window.check(p.gid, p.seq);
    if (seen === Seen.Duplicate) {
      stats.duplicated++;
      return;
    }
    if (seen === Seen.Reordered) stats.reordered++;
    stats.received++;
    const uncorrected = nowUs - p.writtenUs;
    stats.latency(nowUs - p.intendedUs, uncorrected);
    if (uncorrected > this.ctx.lossTimeoutMs * 1000) stats.late++;
    else stats.receipt(p.gid, p.seq);
  }

  #loggedIn(rooms: string[]): void {
    if (!this.#everReady) this.#arrivedAt = this.ctx.now();
    // Registration is over: whether this session echoes is known now (IRC's echo-message).
    this.#view.countSelf = this.#own.mode.echo = this.#echoesRoom();
    this.#attempts = 0;
    this.#roomsIn = new Set(rooms);
    this.#switchTo(this.#room.name);
  }

  #joined(room: string, nick: string, self: boolean): void {
    if (!self) {
      // The view's room, not the one being joined: messages sent before the switch still await echoes there.
      if (sameRoom(room, this.#view.room)) this.#view.joined(nick, this.ctx.now());
      return;
    }
    this.#roomsIn.add(room);
    if (this.#state !== 'joining' || !sameRoom(room, this.#room.name)) return;
    this.ctx.stats.join.recordValue(Math.max(0, Math.round((this.ctx.now() - this.#joinAt) * 1000)));
    for (const r of this.#roomsIn) {
      if (!sameRoom(r, room)) {
        this.#write(this.#session.leave(r));
        this.#roomsIn.delete(r);
      }
    }
    this.#state = 'listing';
    // Every echo of the old room came before this line (the server's order): nothing there is pending.
    if (this.#own.length > 0) this.#own.settleAll(this.ctx.now());
    this.#view.reset(room, this.#nick);
    this.#usersAt.push(this.ctx.now());
    this.#write(this.#session.members(room));
  }

  #membersOf(room: string, nicks: string[]): void {
    const at = this.#usersAt.shift();
    if (at !== undefined) this.ctx.stats.users.recordValue(Math.max(0, Math.round((this.ctx.now() - at) * 1000)));
    if (!sameRoom(room, this.#view.room)) return;
    this.#view.replace(nicks, this.#nick);
    if (this.#state === 'listing') {
      this.#state = 'ready';
      if (!this.#everReady) this.#arrivedAt = this.ctx.now();
      this.#everReady = true;
      this.flush();
    }
  }

  /**
   * A PM answered: echoed (`ok`), refused (`to`: the nickname the server named, if any, else the
   * oldest), or — with `expired` — never answered by a protocol that does not echo PMs (delivered).
   */
  #pmDone(ok: boolean, to: string, expired = false): void {
    let k = 0;
    if (to !== '') {
      const lower = to.toLowerCase();
      k = this.#pmTarget.findIndex((t) => t.toLowerCase() === lower);
      if (k < 0) return;
    }
    const at = this.#pmAt[k];
    const seq = this.#pmSeq[k];
    this.#pmAt.splice(k, 1);
    this.#pmSeq.splice(k, 1);
    this.#pmTarget.splice(k, 1);
    if (ok && at !== undefined) this.ctx.stats.pm.recordValue(Math.max(0, Math.round((this.ctx.now() - at) * 1000)));
    // The server said nobody has that name: the PM had no recipient to lose.
    if (!ok && !expired && seq !== undefined) this.ctx.stats.wrote(this.gid, seq, -1, 0, 0);
  }

  #error(kind: string, nick: string): void {
    this.ctx.stats.error(kind);
    if (kind === 'no_such_user') return this.#pmDone(false, nick);
    if (kind === 'nick_taken' && this.#state === 'login' && this.#attempts < 5) {
      this.#attempts++;
      this.#nick = `${this.nick0}_${Math.floor(this.#backoff.next() * 1e6).toString(36)}`;
      this.#write(this.#session.login(this.#nick));
    }
  }

  #onClose(s: net.Socket): void {
    if (s !== this.#socket) return;
    const wasConnected = this.#state !== 'connecting';
    if (wasConnected) this.ctx.stats.connected--;
    this.#state = 'down';
    if (this.#own.length > 0) this.#own.abandon(this.ctx.now());
    this.#usersAt.length = 0;
    this.#pmAt.length = 0;
    this.#pmSeq.length = 0;
    this.#pmTarget.length = 0;
    if (this.ctx.stopping && this.#byUs) return;
    if (!this.#byUs) {
      // What the server said before closing (its kind of disconnect) names it better than the socket error.
      const said = this.#closingKind || (this.#closingText ? 'server_closed' : '');
      this.ctx.stats.error(said || this.#errorCode || (wasConnected ? 'connection_closed' : 'connect_failed'));
    }
    if (this.ctx.stopping) return;
    const delay = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.#attempts) * (0.5 + 0.5 * this.#backoff.next());
    this.#attempts = Math.min(this.#attempts + 1, 16);
    this.#timer = setTimeout(() => this.connect(), delay);
  }
}

function sameRoom(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

function errorKind(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect_refused';
    case 'ECONNRESET':
      return 'connection_reset';
    case 'EPIPE':
      return 'broken_pipe';
    case 'ETIMEDOUT':
      return 'connect_timeout';
    default:
      return code ? `socket_${code.toLowerCase()}` : 'socket_error';
  }
}
