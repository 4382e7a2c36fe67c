import { isUtf8 } from 'node:buffer';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { describeControl, defuseControls, errorText, findControl, roomPrefix } from '../protocol/index.js';
import { ChatEvents, RoomMessageEvent, type DisconnectReason, type ErrorReason } from './events.js';
import { GraceMemory, type GraceStore } from './grace-memory.js';
import type { HistoryStore } from './history-store.js';
import * as lines from './lines.js';
import { IdlePolicy } from './idle-policy.js';
import { checkName, NICK_MAX, normalizeNick, normalizeRoom, ROOM_MAX } from './names.js';
import { nickSkeleton } from './nick-skeleton.js';
import { defaultChatOptions, HISTORY_ON_JOIN, LOBBY, type ChatOptions } from './options.js';
import { type Room, RoomRegistry } from './rooms.js';
import type { Connection, ConnectionHandler } from './transport.js';
import { runCommand } from './commands.js';
import { Session } from './session.js';
import type { ClusterDelivery, ClusterLink } from './cluster-link.js';

/** Lines held while a nickname claim is in flight across the cluster. */
const MAX_PENDING_LINES = 64;

export interface ChatCoreDeps {
  events?: ChatEvents;
  history?: HistoryStore;
  grace?: GraceStore;
  /** Wall clock in ms (history timestamps, grace periods). @default Date.now */
  now?: () => number;
  /** Other nodes sharing rooms (Redis); none = a single node. */
  cluster?: ClusterLink;
}

/**
 * The chat core: sessions, nicknames, rooms, commands and fan-out. It knows nothing of sockets
 * (transports hand it `Connection`s) and nothing of metrics (it emits `ChatEvents`).
 */
export class ChatCore {
  readonly options: ChatOptions;
  readonly events: ChatEvents;
  readonly rooms = new RoomRegistry<Session>();
  readonly history: HistoryStore | undefined;
  readonly grace: GraceStore;
  readonly now: () => number;
  readonly cluster: ClusterLink | undefined;
  readonly #sessions = new Set<Session>();
  readonly #byNick = new Map<string, Session>();
  /** The same sessions by nickname skeleton: a lookalike of a nickname in use is refused in O(1). */
  readonly #bySkeleton = new Map<string, Session>();
  readonly #idle: IdlePolicy;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Set by shutdown: everyone is leaving at once, so nobody is told who left. */
  #stopping = false;
  #nextId = 1;
  #bytesIn = 0;
  #bytesOut = 0;
  /** Event-loop turns flushed so far (sizes the rooms' line arenas). */
  #turn = 0;
  /**
   * Clocks read once per socket read (`onBytes`): every line of one read arrived at the same moment,
   * and reading them per line was ~2 % of the fan-out path. Wall ms (rate limit, history) and
   * performance.now() (fan-out time).
   */
  #readMs = 0;
  #readPerf = 0;
  /** performance.now() at receipt of each room message not yet flushed to its members' sockets. */
  #fanoutStarts: number[] = [];
  readonly #fanoutSeconds: number[] = [];
  #sweepTimer: NodeJS.Timeout;

  constructor(options: Partial<ChatOptions> = {}, deps: ChatCoreDeps = {}) {
    this.options = { ...defaultChatOptions, ...options };
    this.events = deps.events ?? new ChatEvents();
    this.history = deps.history;
    this.grace = deps.grace ?? new GraceMemory(this.options.graceMs);
    this.now = deps.now ?? Date.now;
    this.cluster = deps.cluster;
    this.#sweepTimer = setInterval(() => this.grace.sweep(this.now()), 10_000).unref();
    this.#idle = new IdlePolicy(this.options);
    const every = this.#idle.sweepMs;
    if (every > 0) this.#idleTimer = setInterval(() => this.#sweepIdle(), every).unref();
  }

  /** Called by the write coalescer after each flush: fan-out times and byte counts for this turn. */
  readonly afterFlush = (): void => {
    this.#turn++;
    const starts = this.#fanoutStarts;
    if (starts.length === 0 && this.#bytesIn === 0 && this.#bytesOut === 0) return;
    const end = performance.now();
    const seconds = this.#fanoutSeconds;
    seconds.length = 0;
    for (let i = 0; i < starts.length; i++) seconds.push((end - (starts[i] as number)) / 1000);
    starts.length = 0;
    const bytesIn = this.#bytesIn;
    const bytesOut = this.#bytesOut;
    this.#bytesIn = 0;
    this.#bytesOut = 0;
    this.events.emit('flush', { bytesIn, bytesOut, fanoutSeconds: seconds });
  };

  /** A transport's new connection; the returned handler receives its lines. */
  accept(conn: Connection): ConnectionHandler {
    const session = new Session(this.#nextId++, conn, this.options.maxRate, this.now());
    this.#sessions.add(session);
    this.events.emit('connect', { connId: session.id, transport: conn.transport, remote: conn.remote });
    this.send(session, lines.system({ kind: 'greeting' }));
    return {
      onBytes: (n) => {
        this.#bytesIn += n;
        this.#readClocks();
      },
      onLine: (line, checked) => {
        session.lastLineAt = this.#readMs;
        try {
          this.#onLine(session, line, checked);
        } catch (err) {
          // A bug must cost one line, not the server: answer, count, keep serving.
          this.onInternalError(err);
          this.fail(session, 'internal', errorText.internal());
        }
      },
      onLineTooLong: () => this.#refuse(session, 'line_too_long', errorText.lineTooLong(this.options.maxLine)),
      onClose: () => this.#onClose(session),
    };
  }

  /** Where unexpected exceptions from line handling go. @default console.error */
  onInternalError: (err: unknown) => void = (err) => console.error('chatpulse: internal error:', err);

  send(session: Session, line: Buffer): void {
    this.#bytesOut += line.length;
    session.conn.send(line);
  }

  fail(session: Session, reason: ErrorReason, text: string): void {
    this.events.emit('error', { connId: session.id, reason });
    this.send(session, lines.error(text));
  }

  #refuse(session: Session, reason: ErrorReason, text: string): void {
    if (session.closed) return;
    if (session.limiter.take(this.now()) !== 'ok') return;
    this.fail(session, reason, text);
  }

  #readClocks(): void {
    this.#readMs = this.now();
    this.#readPerf = performance.now();
  }

  #onLine(session: Session, line: Buffer, checked: boolean): void {
    if (session.closed) return;
    if (session.pending !== null) {
      if (session.pending.length < MAX_PENDING_LINES) session.pending.push(Buffer.from(line));
      return;
    }
    const verdict = session.limiter.take(this.#readMs);
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
    if (line[0] !== 47 /* '/' */ && session.nick !== null) return this.sendToRoom(session, line);
    const text = line.toString('utf8');
    if (text.charCodeAt(0) === 47) return runCommand(this, session, text);
    this.login(session, text.trim());
  }

  /**
   * Room message: formatted once — cached prefix bytes plus the raw line, no re-encoding — into the
   * room's line arena, and that slice queued for every member but the sender; the sender's echo goes
   * to the room's echo arena (a sender's echoes of one read sit together there too).
   */
  sendToRoom(session: Session, raw: Buffer): void {
    const room = session.active;
    const nick = session.nick;
    if (room === null || nick === null) return;
    let prefix = room.senderPrefixes.get(session);
    if (prefix === undefined) {
      prefix = Buffer.from(roomPrefix(room.name, nick));
      room.senderPrefixes.set(session, prefix);
    }
    const turn = this.#turn;
    const lineAt = room.lines.append(prefix, raw, turn);
    const buf = room.lines.buf;
    const lineEnd = lineAt + prefix.length + raw.length + 1;
    const echoAt = room.echoes.append(room.echoPrefix, raw, turn);
    const echoBuf = room.echoes.buf;
    const echoEnd = echoAt + room.echoPrefix.length + raw.length + 1;
    let senders = 0;
    const members = room.memberList;
    for (let i = 0; i < members.length; i++) {
      const member = members[i] as Session;
      if (member === session) {
        member.conn.sendSlice(echoBuf, echoAt, echoEnd);
        senders = 1;
      } else {
        member.conn.sendSlice(buf, lineAt, lineEnd);
      }
    }
    const bytesOut = (members.length - senders) * (lineEnd - lineAt) + senders * (echoEnd - echoAt);
    this.#bytesOut += bytesOut;
    this.#fanoutStarts.push(this.#readPerf);
    const textAt = lineAt + prefix.length;
    this.history?.appendBytes(room.name, this.#readMs, nick, buf, textAt, lineEnd - 1);
    this.cluster?.publishMessage(room.name, nick, buf.toString('utf8', textAt, lineEnd - 1));
    if (this.events.has('message')) {
      this.events.emit('message', new RoomMessageEvent(room.name, nick, members.length, bytesOut, buf, textAt, lineEnd - 1));
    }
  }

  sendPrivate(session: Session, target: Session, text: string): void {
    const from = session.nick as string;
    this.send(target, lines.pmFrom(from, text));
    this.send(session, lines.pmTo(target.nick as string, text));
    this.events.emit('pm', { from, to: target.nick as string });
  }

  /** Exact nickname, case-insensitive, in NFC like the stored ones (`/pm café` however the é was typed). */
  findByNick(nick: string): Session | undefined {
    return this.#byNick.get(normalizeNick(nick).toLowerCase());
  }

  login(session: Session, raw: string): void {
    const nick = normalizeNick(raw);
    const bad = checkName(nick, NICK_MAX);
    if (bad !== undefined) return this.fail(session, 'bad_name', errorText.badNick(nick, bad));
    const skeleton = nickSkeleton(nick);
    const holder = this.#holder(nick, skeleton);
    if (holder !== undefined) return this.#taken(session, nick, holder);
    this.#claimThen(session, nick, skeleton, () => this.#completeLogin(session, nick, skeleton));
  }

  /** Who holds `nick` or a nickname that looks like it (same skeleton), if anyone. */
  #holder(nick: string, skeleton: string): Session | undefined {
    return this.#byNick.get(nick.toLowerCase()) ?? this.#bySkeleton.get(skeleton);
  }

  #taken(session: Session, nick: string, holder: Session | undefined): void {
    const held = holder?.nick;
    const looksLike = held !== undefined && held !== null && held.toLowerCase() !== nick.toLowerCase();
    this.fail(session, 'nick_taken', errorText.nickTaken(nick, looksLike ? held : undefined));
  }

  /**
   * Runs `then` once the nickname is ours cluster-wide (at once on a single node). Lines that arrive
   * while the claim is in flight are held and replayed in order afterwards.
   */
  #claimThen(session: Session, nick: string, skeleton: string, then: () => void): void {
    if (this.cluster === undefined) return then();
    session.pending = [];
    this.cluster.claimNick(nick).then((ok) => {
      const held = session.pending ?? [];
      session.pending = null;
      if (session.closed) {
        if (ok) this.cluster?.releaseNick(nick);
        return;
      }
      const holder = this.#holder(nick, skeleton);
      if (!ok || (holder && holder !== session)) this.#taken(session, nick, holder);
      else then();
      this.#readClocks(); // the held lines are handled now, not when the last read happened
      for (const line of held) this.#onLine(session, line, false);
    });
  }

  #completeLogin(session: Session, nick: string, skeleton: string): void {
    session.nick = nick;
    session.skeleton = skeleton;
    this.#byNick.set(nick.toLowerCase(), session);
    this.#bySkeleton.set(skeleton, session);
    const remembered = this.grace.take(nick, this.now());
    const restored: Room<Session>[] = [];
    if (remembered !== undefined) {
      for (const name of remembered.rooms) {
        const room = this.#enter(session, name, false);
        if (room) restored.push(room);
      }
      const active = restored.find((r) => r.name.toLowerCase() === remembered.active.toLowerCase());
      if (active) session.active = active;
    }
    if (restored.length === 0) {
      this.send(session, lines.system({ kind: 'welcome', nick, room: LOBBY }));
      this.#enter(session, LOBBY, true);
    } else {
      const rooms = restored.map((r) => r.name);
      this.send(session, lines.system({ kind: 'welcomeBack', nick, rooms, active: session.active?.name as string }));
    }
    this.#track(session);
    this.events.emit('login', { connId: session.id, nick, restoredRooms: restored.length });
  }

  renick(session: Session, raw: string): void {
    const old = session.nick as string;
    const nick = normalizeNick(raw);
    const bad = checkName(nick, NICK_MAX);
    if (bad !== undefined) return this.fail(session, 'bad_name', errorText.badNick(nick, bad));
    const skeleton = nickSkeleton(nick);
    const holder = this.#holder(nick, skeleton);
    if (holder && holder !== session) return this.#taken(session, nick, holder);
    // Our own nickname or a lookalike of it: the cluster claim (keyed by skeleton) is already ours.
    if (holder === session) return this.#rename(session, old, nick, skeleton);
    this.#claimThen(session, nick, skeleton, () => {
      this.cluster?.releaseNick(old);
      this.#rename(session, old, nick, skeleton);
    });
  }

  #rename(session: Session, old: string, nick: string, skeleton: string): void {
    for (const room of session.rooms) room.senderPrefixes.delete(session);
    this.#byNick.delete(old.toLowerCase());
    if (session.skeleton !== null) this.#bySkeleton.delete(session.skeleton);
    session.nick = nick;
    session.skeleton = skeleton;
    this.#byNick.set(nick.toLowerCase(), session);
    this.#bySkeleton.set(skeleton, session);
    if (old.toLowerCase() !== nick.toLowerCase()) this.grace.track?.(old, null);
    this.#track(session);
    const notice = lines.system({ kind: 'renamed', from: old, to: nick });
    const told = new Set<Session>([session]);
    this.send(session, notice);
    for (const room of session.rooms) {
      for (const m of room.members) {
        if (!told.has(m)) {
          told.add(m);
          this.send(m, notice);
        }
      }
    }
    this.events.emit('nick', { connId: session.id, from: old, to: nick });
  }

  /** `/join`: validates, enforces the limits, then enters and sends recent history. */
  join(session: Session, rawName: string): void {
    const name = normalizeRoom(rawName);
    const bad = checkName(name, ROOM_MAX);
    if (bad !== undefined) return this.fail(session, 'bad_name', errorText.badRoom(rawName, bad));
    const existing = this.rooms.get(name);
    if (existing && existing.members.has(session)) {
      session.active = existing;
      this.#track(session);
      return this.send(session, lines.system({ kind: 'active', room: existing.name }));
    }
    if (session.rooms.length >= this.options.maxRoomsPerUser) {
      return this.fail(session, 'room_limit', errorText.roomLimit(this.options.maxRoomsPerUser));
    }
    if (!existing && this.rooms.size >= this.options.maxRooms) {
      return this.fail(session, 'server_room_limit', errorText.serverRoomLimit(this.options.maxRooms));
    }
    this.#enter(session, name, true);
    this.#track(session);
  }

  /** Adds the session to a room (no limit checks beyond the server's room cap) and announces it. */
  #enter(session: Session, name: string, withHistory: boolean): Room<Session> | undefined {
    if (checkName(name, ROOM_MAX) !== undefined) return undefined;
    if (!this.rooms.get(name) && this.rooms.size >= this.options.maxRooms) return undefined;
    if (session.rooms.length >= this.options.maxRoomsPerUser) return undefined;
    const room = this.rooms.getOrCreate(name);
    if (room.members.has(session)) return room;
    room.add(session);
    session.rooms.push(room);
    session.active = room;
    this.#announce(room, session, lines.system({ kind: 'joined', nick: session.nick as string, room: room.name }), true);
    if (withHistory) this.sendHistory(session, room, HISTORY_ON_JOIN);
    this.cluster?.publishPresence(room.name, session.nick as string, 'join');
    this.events.emit('join', { nick: session.nick as string, room: room.name, members: room.members.size });
    return room;
  }

  /**
   * The last `n` lines of `room` (/join, /history), and a plain notice when they are not being saved
   * (a full disk): users should not believe a history that will not be there after a restart.
   */
  sendHistory(session: Session, room: Room<Session>, n: number): void {
    if (!this.history?.enabled) return;
    this.send(session, lines.history(room.name, this.history.recent(room.name, n)));
    const problem = this.history.problem;
    if (problem !== undefined) this.send(session, lines.system({ kind: 'historyNotSaved', problem }));
  }

  /** A join or leave notice: to every member while the room is small (`announceLimit`), else to `who` only. */
  #announce(room: Room<Session>, who: Session, notice: Buffer, tellWho: boolean): void {
    if (room.members.size > this.options.announceLimit) {
      if (tellWho) this.send(who, notice);
      return;
    }
    for (const m of room.members) if (m !== who || tellWho) this.send(m, notice);
  }

  /** `/leave [ROOM]`: leaving the active room makes `main` active (joining it again if needed). */
  leave(session: Session, rawName: string | undefined): void {
    const room = rawName === undefined ? session.active : this.rooms.get(normalizeRoom(rawName));
    if (!room || !room.members.has(session)) {
      return this.fail(session, 'not_in_room', errorText.notInRoom(rawName === undefined ? '?' : normalizeRoom(rawName)));
    }
    const lobby = room.name.toLowerCase() === LOBBY;
    if (lobby && session.rooms.length === 1) {
      return this.fail(session, 'bad_argument', errorText.onlyInLobby(LOBBY));
    }
    const wasActive = session.active === room;
    this.#exit(session, room, true);
    if (wasActive) this.#activateAfterLeave(session, lobby);
    this.#track(session);
  }

  #activateAfterLeave(session: Session, lobby: boolean): void {
    if (lobby) {
      session.active = session.rooms[session.rooms.length - 1] ?? null;
      this.send(session, lines.system({ kind: 'active', room: session.active?.name as string }));
    } else {
      const main = this.rooms.get(LOBBY);
      if (main && main.members.has(session)) {
        session.active = main;
        this.send(session, lines.system({ kind: 'active', room: main.name }));
      } else {
        this.#enter(session, LOBBY, false);
      }
    }
  }

  /** Keeps a durable grace store up to date with a connected session's rooms (see GraceStore.track). */
  #track(session: Session): void {
    if (this.grace.track === undefined || session.nick === null || session.closed) return;
    const active = session.active ?? session.rooms[0];
    this.grace.track(session.nick, { rooms: session.rooms.map((r) => r.name), active: active?.name ?? LOBBY });
  }

  #exit(session: Session, room: Room<Session>, tellLeaver: boolean): void {
    if (!this.#stopping) this.#announce(room, session, lines.system({ kind: 'left', nick: session.nick as string, room: room.name }), tellLeaver);
    this.rooms.removeMember(room, session);
    const i = session.rooms.indexOf(room);
    if (i >= 0) session.rooms.splice(i, 1);
    if (session.active === room) session.active = null;
    this.cluster?.publishPresence(room.name, session.nick as string, 'leave');
    this.events.emit('leave', { nick: session.nick as string, room: room.name, members: room.members.size });
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
      if (session.rooms.length > 0) {
        const active = session.active ?? session.rooms[0];
        this.grace.remember(nick, { rooms: session.rooms.map((r) => r.name), active: active?.name ?? LOBBY }, this.now());
      } else {
        this.grace.track?.(nick, null);
      }
      for (const room of [...session.rooms]) this.#exit(session, room, false);
      this.#byNick.delete(nick.toLowerCase());
      if (session.skeleton !== null) this.#bySkeleton.delete(session.skeleton);
      this.cluster?.releaseNick(nick);
    }
    this.events.emit('disconnect', { connId: session.id, nick, reason });
  }

  /**
   * Polite shutdown: tell every client, flush, then wait up to `timeoutMs` for sockets to close
   * before destroying the rest.
   */
  async shutdown(timeoutMs = 2000): Promise<void> {
    clearInterval(this.#sweepTimer);
    clearInterval(this.#idleTimer);
    this.#stopping = true;
    const bye = lines.system({ kind: 'shuttingDown' });
    for (const s of this.#sessions) this.close(s, 'shutdown', bye);
    const deadline = Date.now() + timeoutMs;
    while (this.#sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const s of [...this.#sessions]) {
      s.conn.destroy();
      this.#onClose(s);
    }
    await this.history?.close();
    this.grace.close?.();
  }

  /** What the cluster link delivers from other nodes: fanned out to local members only. */
  clusterDelivery(): ClusterDelivery {
    return {
      remoteMessage: (roomName, nick, text) => {
        const room = this.rooms.get(roomName);
        // The local spelling, so one room keeps one pending history ring whatever another node typed.
        // Checked by the sending node, unless it runs an older version: never relay controls raw.
        text = defuseControls(text);
        this.history?.append(room?.name ?? roomName, this.now(), nick, text);
        if (!room) return;
        const line = lines.roomMessage(room.name, nick, text);
        for (const m of room.members) m.conn.send(line);
        const bytesOut = line.length * room.members.size;
        this.#bytesOut += bytesOut;
        this.events.emit('relay', { room: room.name, deliveries: room.members.size, bytesOut });
      },
      remotePresence: (roomName, nick, change) => {
        const room = this.rooms.get(roomName);
        if (!room) return;
        if (room.members.size > this.options.announceLimit) return;
        const notice = lines.system({ kind: change === 'join' ? 'joined' : 'left', nick, room: room.name });
        for (const m of room.members) this.send(m, notice);
      },
      remotePrivate: (from, to, text) => {
        const target = this.findByNick(to);
        if (target) this.send(target, lines.pmFrom(from, defuseControls(text)));
      },
      nickLost: (nick) => this.#giveWay(nick),
      localNicks: () => [...this.#byNick.values()].map((s) => s.nick as string),
      localPresence: () => {
        const out: Record<string, string[]> = {};
        for (const room of this.rooms.list()) out[room.name] = [...room.members].map((m) => m.nick as string);
        return out;
      },
    };
  }

  /**
   * After a cluster split, an earlier login on another node kept `nick`: our user of that name is
   * told and renamed (keeping its rooms) to a name that is free in practice; it may pick its own.
   */
  #giveWay(nick: string): void {
    const session = this.findByNick(nick);
    if (session === undefined || session.closed) return;
    const temp = `${[...nick].slice(0, NICK_MAX - 5).join('')}-${randomInt(36 ** 4).toString(36).padStart(4, '0')}`;
    this.fail(session, 'nick_taken',
      errorText.nickLostInSplit(nick, temp));
    this.renick(session, temp);
  }
}
