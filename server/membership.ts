import { errorText, type ErrorKind } from '../protocol/index.js';
import type { ClusterLink } from './cluster-link.js';
import type { ChatEvents } from './events.js';
import type { FanOut } from './fan-out.js';
import type { GraceStore, RememberedRooms } from './grace-memory.js';
import type { HistoryStore } from './history-store.js';
import * as lines from './lines.js';
import { checkName, normalizeRoom, ROOM_MAX } from './names.js';
import { HISTORY_ON_JOIN, LOBBY, type ChatOptions } from './options.js';
import type { Room, RoomRegistry } from './rooms.js';
import type { Session } from './session.js';

export interface MembershipDeps {
  options: Pick<ChatOptions, 'maxRooms' | 'maxRoomsPerUser' | 'announceLimit'>;
  rooms: RoomRegistry<Session>;
  out: FanOut;
  events: ChatEvents;
  grace: GraceStore;
  history: HistoryStore | undefined;
  cluster: ClusterLink | undefined;
}

/** A room as `/rooms` lists it: members on every node. */
export interface RoomCount {
  name: string;
  members: number;
}

/**
 * Who is in which room: entering and leaving (with their limits and announcements), the active room,
 * what the grace store remembers of a session's rooms, and the cluster's members beside ours.
 */
export class Membership {
  readonly #options: MembershipDeps['options'];
  readonly #rooms: RoomRegistry<Session>;
  readonly #out: FanOut;
  readonly #events: ChatEvents;
  readonly #grace: GraceStore;
  readonly #history: HistoryStore | undefined;
  readonly #cluster: ClusterLink | undefined;
  /** Set by shutdown: everyone is leaving at once, so nobody is told who left. */
  quiet = false;

  constructor(deps: MembershipDeps) {
    this.#options = deps.options;
    this.#rooms = deps.rooms;
    this.#out = deps.out;
    this.#events = deps.events;
    this.#grace = deps.grace;
    this.#history = deps.history;
    this.#cluster = deps.cluster;
  }

  /** `/join`: validates, enforces the limits, then enters and sends recent history. */
  join(session: Session, rawName: string): void {
    const name = normalizeRoom(rawName);
    const bad = checkName(name, ROOM_MAX);
    if (bad !== undefined) return this.#out.fail(session, 'bad_name', errorText.badRoom(rawName, bad));
    const existing = this.#rooms.get(name);
    if (existing && existing.members.has(session)) {
      session.active = existing;
      this.track(session);
      return this.#out.send(session, lines.system({ kind: 'active', room: existing.name }));
    }
    const { maxRoomsPerUser, maxRooms } = this.#options;
    if (session.rooms.length >= maxRoomsPerUser) {
      return this.#out.fail(session, 'room_limit', errorText.roomLimit(maxRoomsPerUser));
    }
    if (!existing && this.#rooms.size >= maxRooms) {
      return this.#out.fail(session, 'server_room_limit', errorText.serverRoomLimit(maxRooms));
    }
    this.enter(session, name, true);
    this.track(session);
  }

  /** Why `enter` would refuse `name` to `session`: the limit it hits, as a `!` line's kind and text. */
  refusal(session: Session, name: string): [ErrorKind, string] {
    const { maxRoomsPerUser, maxRooms } = this.#options;
    if (session.rooms.length >= maxRoomsPerUser) return ['room_limit', errorText.roomLimit(maxRoomsPerUser)];
    if (!this.#rooms.get(name) && this.#rooms.size >= maxRooms) return ['server_room_limit', errorText.serverRoomLimit(maxRooms)];
    return ['bad_name', errorText.badRoom(name, checkName(name, ROOM_MAX) ?? 'refused')];
  }

  /** Adds the session to a room (no limit checks beyond the server's room cap) and announces it. */
  enter(session: Session, name: string, withHistory: boolean): Room<Session> | undefined {
    if (checkName(name, ROOM_MAX) !== undefined) return undefined;
    if (!this.#rooms.get(name) && this.#rooms.size >= this.#options.maxRooms) return undefined;
    if (session.rooms.length >= this.#options.maxRoomsPerUser) return undefined;
    const room = this.#rooms.getOrCreate(name);
    if (room.members.has(session)) return room;
    room.add(session);
    session.rooms.push(room);
    session.active = room;
    this.#announce(room, session, lines.system({ kind: 'joined', nick: session.nick as string, room: room.name }), true);
    if (withHistory) this.sendHistory(session, room, HISTORY_ON_JOIN);
    this.#cluster?.publishPresence(room.name, session.nick as string, 'join');
    this.#events.emit('join', { nick: session.nick as string, room: room.name, members: room.members.size });
    return room;
  }

  /**
   * The last `n` lines of `room` (/join, /history), and a plain notice when they are not being saved
   * (a full disk): users should not believe a history that will not be there after a restart.
   */
  sendHistory(session: Session, room: Room<Session>, n: number): void {
    if (!this.#history?.enabled) return;
    this.#out.send(session, lines.history(room.name, this.#history.recent(room.name, n)));
    const problem = this.#history.problem;
    if (problem !== undefined) this.#out.send(session, lines.system({ kind: 'historyNotSaved', problem }));
  }

  /** A join or leave notice: to every member while the room is small (`announceLimit`), else to `who` only. */
  #announce(room: Room<Session>, who: Session, notice: Buffer, tellWho: boolean): void {
    if (room.members.size > this.#options.announceLimit) {
      if (tellWho) this.#out.send(who, notice);
      return;
    }
    for (const m of room.members) if (m !== who || tellWho) this.#out.send(m, notice);
  }

  /** `/leave [ROOM]`: leaving the active room makes `main` active (joining it again if needed). */
  leave(session: Session, rawName: string | undefined): void {
    const room = rawName === undefined ? session.active : this.#rooms.get(normalizeRoom(rawName));
    if (!room || !room.members.has(session)) {
      return this.#out.fail(session, 'not_in_room', errorText.notInRoom(rawName === undefined ? '?' : normalizeRoom(rawName)));
    }
    const lobby = room.name.toLowerCase() === LOBBY;
    if (lobby && session.rooms.length === 1) {
      return this.#out.fail(session, 'bad_argument', errorText.onlyInLobby(LOBBY));
    }
    const wasActive = session.active === room;
    this.#exit(session, room, true);
    if (wasActive) this.#activateAfterLeave(session, lobby);
    this.track(session);
  }

  #activateAfterLeave(session: Session, lobby: boolean): void {
    if (lobby) {
      session.active = session.rooms[session.rooms.length - 1] ?? null;
      this.#out.send(session, lines.system({ kind: 'active', room: session.active?.name as string }));
    } else {
      const main = this.#rooms.get(LOBBY);
      if (main && main.members.has(session)) {
        session.active = main;
        this.#out.send(session, lines.system({ kind: 'active', room: main.name }));
      } else {
        this.enter(session, LOBBY, false);
      }
    }
  }

  /** Keeps a durable grace store up to date with a connected session's rooms (see GraceStore.track). */
  track(session: Session): void {
    if (this.#grace.track === undefined || session.nick === null || session.closed) return;
    this.#grace.track(session.nick, roomsOf(session));
  }

  /** The session leaves the chat: its rooms are remembered for the grace period, then left. */
  leaveAll(session: Session, nick: string, now: number): void {
    if (session.rooms.length > 0) this.#grace.remember(nick, roomsOf(session), now);
    else this.#grace.track?.(nick, null);
    for (const room of [...session.rooms]) this.#exit(session, room, false);
  }

  #exit(session: Session, room: Room<Session>, tellLeaver: boolean): void {
    if (!this.quiet) this.#announce(room, session, lines.system({ kind: 'left', nick: session.nick as string, room: room.name }), tellLeaver);
    this.#rooms.removeMember(room, session);
    const i = session.rooms.indexOf(room);
    if (i >= 0) session.rooms.splice(i, 1);
    if (session.active === room) session.active = null;
    this.#cluster?.publishPresence(room.name, session.nick as string, 'leave');
    this.#events.emit('leave', { nick: session.nick as string, room: room.name, members: room.members.size });
  }

  /** `/rooms`: every room of the cluster with its members on every node, busiest first, then by name. */
  roomCounts(): RoomCount[] {
    const counts = new Map<string, RoomCount>();
    for (const r of this.#rooms.list()) counts.set(r.key, { name: r.name, members: r.members.size });
    for (const [name, n] of this.#cluster?.remoteRooms() ?? []) {
      const entry = counts.get(name.toLowerCase()) ?? { name, members: 0 };
      entry.members += n;
      counts.set(name.toLowerCase(), entry);
    }
    return [...counts.values()].sort((a, b) => b.members - a.members || a.name.localeCompare(b.name));
  }

  /** `/users`: a room's nicknames on every node (unsorted), or undefined when nobody is in it. */
  users(name: string): { room: string; nicks: string[] } | undefined {
    const room = this.#rooms.get(name);
    const remote = this.#cluster?.remoteMembers(name) ?? [];
    if (!room && remote.length === 0) return undefined;
    return { room: room?.name ?? name, nicks: [...(room?.members ?? [])].map((m) => m.nick as string).concat(remote) };
  }

  /** Another node's join or leave, announced to our members of a small room. */
  remotePresence(roomName: string, nick: string, change: 'join' | 'leave'): void {
    const room = this.#rooms.get(roomName);
    if (!room) return;
    if (room.members.size > this.#options.announceLimit) return;
    const notice = lines.system({ kind: change === 'join' ? 'joined' : 'left', nick, room: room.name });
    for (const m of room.members) this.#out.send(m, notice);
  }

  /** Our members by room, for the cluster's presence records. */
  localPresence(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const room of this.#rooms.list()) out[room.name] = [...room.members].map((m) => m.nick as string);
    return out;
  }
}

function roomsOf(session: Session): RememberedRooms {
  const active = session.active ?? session.rooms[0];
  return { rooms: session.rooms.map((r) => r.name), active: active?.name ?? LOBBY };
}
