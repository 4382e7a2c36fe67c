/**
 * Where a virtual client is and where it is going: the room it wants, every room the server has put it
 * in (a server may auto-join on login; all but the wanted one are left once the join lands), and the two
 * round trips it times — `/join` until the server says it joined, `/users` until the answer. Answers
 * come back in the order asked (one connection, the server's order), so each answers the oldest ask.
 * Others' joins and leaves go to the room view, but only for the room it shows: after a switch the old
 * room's messages still await their echoes there until our own join line arrives.
 */
import { elapsedUs, type Clock } from './clock.js';
import type { RoomView } from './room-view.js';

export interface RoomHistograms {
  /** `/join` asked → the server's joined line for us (µs). */
  readonly join: { recordValue(us: number): void };
  /** `/users` asked → its answer (µs). */
  readonly users: { recordValue(us: number): void };
}

/** Room names compare case-insensitively (the cheap exact test first: it nearly always decides). */
export function sameRoom(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

export class RoomMoves {
  readonly #now: Clock;
  readonly #h: RoomHistograms;
  readonly #view: RoomView;
  #room: string;
  #in = new Set<string>();
  #joinAt = 0;
  readonly #lags = [0, 0, 0, 0];
  #lagAt = 0;
  #lagMs = 0;
  /** When each `/users` awaiting its answer was asked (epoch ms), oldest first. */
  readonly #usersAt: number[] = [];

  constructor(room: string, view: RoomView, now: Clock, histograms: RoomHistograms) {
    this.#room = room;
    this.#view = view;
    this.#now = now;
    this.#h = histograms;
  }

  /** The room this client is in, or is joining. */
  get room(): string {
    return this.#room;
  }

  /** Another room of `rooms` than the current one, chosen by `pick` in [0, 1). Needs two rooms or more. */
  other(rooms: readonly string[], pick: number): string {
    let k = Math.floor(pick * (rooms.length - 1));
    if (rooms[k] === this.#room) k = rooms.length - 1;
    return rooms[k] as string;
  }

  /** Logged in: the server put us in `rooms`. */
  loggedIn(rooms: readonly string[]): void {
    this.#in = new Set(rooms);
  }

  /** Asked to join `room`: it is the wanted room from now on. */
  joining(room: string): void {
    this.#room = room;
    this.#joinAt = this.#now();
  }

  /**
   * We are in `room` now. True when that is the join asked for (`pending`): timed, and `leave` is
   * called for every other room we are in.
   */
  joined(room: string, pending: boolean, leave: (room: string) => void): boolean {
    this.#in.add(room);
    if (!pending || !sameRoom(room, this.#room)) return false;
    this.#h.join.recordValue(elapsedUs(this.#joinAt, this.#now()));
    this.#noteLag(this.#joinAt);
    for (const r of this.#in) {
      if (!sameRoom(r, room)) {
        leave(r);
        this.#in.delete(r);
      }
    }
    return true;
  }

  /** Someone else joined `room`. */
  otherJoined(room: string, nick: string): void {
    if (sameRoom(room, this.#view.room)) this.#view.joined(nick, this.#now());
  }

  /** `nick` left `room` (`self`: we did). */
  left(room: string, nick: string, self: boolean): void {
    if (self) this.#in.delete(room);
    else if (sameRoom(room, this.#view.room)) this.#view.left(nick, this.#now());
  }

  /**
   * How far behind the server is with this client's commands: the longest of its last four round
   * trips (a join, a member list), ms. A server that delays a client's commands (ngircd's flood
   * penalty, a stall) handles its messages as late, which is what an ambiguity window must reach.
   */
  get commandLagMs(): number {
    return this.#lagMs;
  }

  /** Kept when a round trip ends, not worked out when read: it is read for every own echo (windowMs). */
  #noteLag(fromMs: number): void {
    const lags = this.#lags;
    lags[this.#lagAt] = this.#now() - fromMs;
    this.#lagAt = (this.#lagAt + 1) & 3;
    this.#lagMs = Math.max(lags[0] as number, lags[1] as number, lags[2] as number, lags[3] as number);
  }

  askedUsers(): void {
    this.#usersAt.push(this.#now());
  }

  /** The members of `room` arrived (we are `me`); true if they are the view's room, which now shows them. */
  members(room: string, nicks: string[], me: string): boolean {
    const at = this.#usersAt.shift();
    if (at !== undefined) {
      this.#h.users.recordValue(elapsedUs(at, this.#now()));
      this.#noteLag(at);
    }
    if (!sameRoom(room, this.#view.room)) return false;
    this.#view.replace(nicks, me);
    return true;
  }

  /** The connection is gone: nothing asked on it will be answered. */
  disconnected(): void {
    this.#usersAt.length = 0;
  }
}
