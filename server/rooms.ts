/** Rooms and their members. Names are case-insensitive; a room keeps the spelling it was created with. */
import { roomPrefix, YOU } from '../protocol/index.js';
import { LineArena } from './line-arena.js';

export interface Member {
  readonly nick: string | null;
  /**
   * Framed members (WebSocket) read the room's frames: the fan-out builds them only while some are
   * here. A member's connection may follow the room's arenas (`Connection.follow`): it stops when it
   * leaves.
   */
  readonly conn?: { readonly framed?: boolean; unfollow?(): void };
}

export class Room<M extends Member = Member> {
  /** Read it freely; change it only through `add` and `remove`, which keep `memberList` in step. */
  readonly members = new Set<M>();
  #list: M[] | null = null;
  /** `[room] You: ` as bytes, made once: the echo of every message starts with it. */
  readonly echoPrefix: Buffer;
  /** This room's message lines, back to back, for fan-out without per-member copies (empty while every member reads frames). */
  readonly lines = new LineArena();
  /** The senders' echoes (`[room] You: …`), apart, so they never break the other members' runs. */
  readonly echoes = new LineArena();
  /** The same messages as WebSocket frames, for members on `/chat/ws` (empty until one of them is here). */
  readonly frames = new LineArena();
  readonly echoFrames = new LineArena();
  /** Members whose connection is framed (they read `frames`). */
  framedMembers = 0;
  constructor(
    readonly key: string,
    readonly name: string,
  ) {
    this.echoPrefix = Buffer.from(roomPrefix(name, YOU));
  }

  add(member: M): void {
    if (this.members.has(member)) return;
    this.members.add(member);
    if (member.conn?.framed === true) this.framedMembers++;
    this.#list = null;
  }

  remove(member: M): void {
    if (!this.members.delete(member)) return;
    // What the room said before the leave stays queued for it, nothing after. Here, where every
    // removal passes, because the fan-out counts on every follower of the arenas being a member.
    member.conn?.unfollow?.();
    if (member.conn?.framed === true) this.framedMembers--;
    this.#list = null;
  }

  /** The members as an array, rebuilt only after a join or leave: the fan-out loop indexes it. */
  get memberList(): readonly M[] {
    return (this.#list ??= [...this.members]);
  }
}

export function roomKey(name: string): string {
  return name.toLowerCase();
}

export class RoomRegistry<M extends Member = Member> {
  readonly #rooms = new Map<string, Room<M>>();

  get size(): number {
    return this.#rooms.size;
  }

  get(name: string): Room<M> | undefined {
    return this.#rooms.get(roomKey(name));
  }

  getOrCreate(name: string): Room<M> {
    const key = roomKey(name);
    let room = this.#rooms.get(key);
    if (room === undefined) {
      room = new Room<M>(key, name);
      this.#rooms.set(key, room);
    }
    return room;
  }

  /** Empty rooms are dropped so that clients inventing names cannot grow memory for ever. */
  removeMember(room: Room<M>, member: M): void {
    room.remove(member);
    if (room.members.size === 0) this.#rooms.delete(room.key);
  }

  /** Busiest first, then by name. */
  list(): Room<M>[] {
    return [...this.#rooms.values()].sort((a, b) => b.members.size - a.members.size || a.name.localeCompare(b.name));
  }
}
