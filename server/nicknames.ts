import { randomInt } from 'node:crypto';
import { errorText, YOU, type ErrorKind } from '../protocol/index.js';
import type { ClusterLink } from './cluster-link.js';
import type { ChatEvents } from './events.js';
import type { FanOut } from './fan-out.js';
import type { GraceStore, RememberedRooms } from './grace-memory.js';
import * as lines from './lines.js';
import type { Membership } from './membership.js';
import { checkName, NICK_MAX, normalizeNick } from './names.js';
import { caseSkeleton, nickSkeleton, YOU_SKELETON } from './nick-skeleton.js';
import { LOBBY } from './options.js';
import type { Room } from './rooms.js';
import type { Session } from './session.js';

export interface NicknamesDeps {
  out: FanOut;
  membership: Membership;
  events: ChatEvents;
  grace: GraceStore;
  cluster: ClusterLink | undefined;
  /** Wall clock in ms (grace periods). */
  now: () => number;
  /** Handles a line that waited for a cluster-wide claim, as if it arrived now. */
  replay: (session: Session, line: Buffer) => void;
}

/**
 * Nicknames: who holds which (exactly, and by lookalike skeleton), logging in with the rooms a grace
 * period kept, renaming, and the cluster's claims — including giving way after a split.
 */
export class Nicknames {
  readonly #byNick = new Map<string, Session>();
  /** The same sessions by nickname skeleton: a lookalike of a nickname in use is refused in O(1). */
  readonly #bySkeleton = new Map<string, Session>();
  readonly #deps: NicknamesDeps;

  constructor(deps: NicknamesDeps) {
    this.#deps = deps;
  }

  /** Exact nickname, case-insensitive, in NFC like the stored ones (`/pm café` however the é was typed). */
  find(nick: string): Session | undefined {
    return this.#byNick.get(normalizeNick(nick).toLowerCase());
  }

  /** Every nickname held on this node. */
  local(): string[] {
    return [...this.#byNick.values()].map((s) => s.nick as string);
  }

  login(session: Session, raw: string): void {
    const nick = normalizeNick(raw);
    const skeleton = this.#allowed(session, nick);
    if (skeleton === undefined) return;
    const holder = this.#holder(nick, skeleton);
    if (holder !== undefined) return this.#taken(session, nick, holder);
    this.#claimThen(session, nick, skeleton, (remembered) => this.#completeLogin(session, nick, skeleton, remembered), true);
  }

  /** `nick`'s skeleton when it is a name one may take; else the session is told why, and undefined. */
  #allowed(session: Session, nick: string): string | undefined {
    const bad = checkName(nick, NICK_MAX);
    if (bad !== undefined) return void this.#deps.out.fail(session, 'bad_name', errorText.badNick(nick, bad));
    const skeleton = nickSkeleton(nick);
    if (skeleton === YOU_SKELETON) {
      return void this.#deps.out.fail(session, 'bad_name', errorText.badNick(nick, `'${YOU}' marks your own messages in a room`));
    }
    return skeleton;
  }

  /**
   * Who holds `nick` or a nickname that looks like it, if anyone: the same skeleton, or one's skeleton
   * as typed is the other's (nick-skeleton.ts `caseSkeleton`); `#bySkeleton` holds both of each.
   */
  #holder(nick: string, skeleton: string): Session | undefined {
    return this.#byNick.get(nick.toLowerCase()) ?? this.#bySkeleton.get(skeleton) ?? this.#bySkeleton.get(caseSkeleton(nick));
  }

  #hold(session: Session, nick: string, skeleton: string): void {
    session.nick = nick;
    session.skeleton = skeleton;
    this.#byNick.set(nick.toLowerCase(), session);
    this.#bySkeleton.set(skeleton, session);
    const typed = caseSkeleton(nick);
    if (!this.#bySkeleton.has(typed)) this.#bySkeleton.set(typed, session);
  }

  /** Forgets what `#hold` indexed (the case skeleton recomputed: not kept per session, ~1 % of its memory). */
  #unhold(session: Session, nick: string): void {
    this.#byNick.delete(nick.toLowerCase());
    if (session.skeleton !== null) this.#bySkeleton.delete(session.skeleton);
    const typed = caseSkeleton(nick);
    if (this.#bySkeleton.get(typed) === session) this.#bySkeleton.delete(typed);
  }

  #taken(session: Session, nick: string, holder: Session | undefined): void {
    const held = holder?.nick;
    const looksLike = held !== undefined && held !== null && held.toLowerCase() !== nick.toLowerCase();
    this.#deps.out.fail(session, 'nick_taken', errorText.nickTaken(nick, looksLike ? held : undefined));
  }

  /**
   * Runs `then` once the nickname is ours cluster-wide (at once on a single node), with the rooms a
   * grace record kept when `restore` asks for them. A shared grace store is read only after the claim
   * is won, so no two nodes restore one record. Lines that arrive while this is in flight are held and
   * replayed in order afterwards.
   */
  #claimThen(session: Session, nick: string, skeleton: string, then: (remembered: RememberedRooms | undefined) => void, restore = false): void {
    const { cluster, grace, now } = this.#deps;
    const shared = restore && grace.takeShared !== undefined;
    if (cluster === undefined && !shared) return then(restore ? grace.take(nick, now()) : undefined);
    session.pending = [];
    const claimed = cluster?.claimNick(nick) ?? Promise.resolve(true);
    void claimed.then(async (ok) => {
      const free = ok && !session.closed && this.#holder(nick, skeleton) === undefined;
      const taken = free && shared ? await grace.takeShared?.(nick, now()) : undefined;
      const held = session.pending ?? [];
      session.pending = null;
      const holder = this.#holder(nick, skeleton);
      if (session.closed) {
        // Taken for a connection that closed meanwhile: put it back. (A same-node login that won the
        // name meanwhile is connected under it: its own rooms are what counts now.)
        if (taken !== undefined && holder === undefined) grace.remember(nick, taken, now());
        if (ok) cluster?.releaseNick(nick);
        return;
      }
      if (!ok || (holder && holder !== session)) this.#taken(session, nick, holder);
      else then(shared ? taken : restore ? grace.take(nick, now()) : undefined);
      this.#deps.out.readClocks(); // the held lines are handled now, not when the last read happened
      for (const line of held) this.#deps.replay(session, line);
    });
  }

  #completeLogin(session: Session, nick: string, skeleton: string, remembered: RememberedRooms | undefined): void {
    const { out, membership } = this.#deps;
    this.#hold(session, nick, skeleton);
    const restored: Room<Session>[] = [];
    /** Remembered rooms a limit kept out (the server's room cap, filled meanwhile), and why the first was. */
    const refused: string[] = [];
    let why: [ErrorKind, string] | undefined;
    if (remembered !== undefined) {
      for (const name of remembered.rooms) {
        const room = membership.enter(session, name, false);
        if (room) restored.push(room);
        else {
          why ??= membership.refusal(session, name);
          refused.push(name);
        }
      }
      const active = restored.find((r) => r.name.toLowerCase() === remembered.active.toLowerCase());
      if (active) session.active = active;
    }
    if (restored.length === 0) {
      out.send(session, lines.system({ kind: 'welcome', nick, room: LOBBY }));
      membership.enter(session, LOBBY, true);
    } else {
      const rooms = restored.map((r) => r.name);
      out.send(session, lines.system({ kind: 'welcomeBack', nick, rooms, active: session.active?.name as string }));
    }
    // Said, not left out of the welcome line unexplained.
    if (why !== undefined) out.fail(session, why[0], errorText.notRestored(why[1], refused));
    membership.track(session);
    this.#deps.events.emit('login', { connId: session.id, nick, restoredRooms: restored.length });
  }

  renick(session: Session, raw: string): void {
    const old = session.nick as string;
    const nick = normalizeNick(raw);
    const skeleton = this.#allowed(session, nick);
    if (skeleton === undefined) return;
    // The very same name: nothing changes, so no room is told "bob is now known as bob".
    if (nick === old) return this.#deps.out.send(session, lines.system({ kind: 'other', text: `you are already ${nick}` }));
    const holder = this.#holder(nick, skeleton);
    if (holder && holder !== session) return this.#taken(session, nick, holder);
    // Our own nickname or a lookalike of it: the cluster claim (keyed by skeleton) is already ours.
    if (holder === session) return this.#rename(session, old, nick, skeleton);
    this.#claimThen(session, nick, skeleton, () => {
      this.#deps.cluster?.releaseNick(old);
      this.#rename(session, old, nick, skeleton);
    });
  }

  #rename(session: Session, old: string, nick: string, skeleton: string): void {
    const { out } = this.#deps;
    session.prefixRoom = null;
    this.#unhold(session, old);
    this.#hold(session, nick, skeleton);
    if (old.toLowerCase() !== nick.toLowerCase()) this.#deps.grace.track?.(old, null);
    this.#deps.membership.track(session);
    const notice = lines.system({ kind: 'renamed', from: old, to: nick });
    const told = new Set<Session>([session]);
    out.send(session, notice);
    for (const room of session.rooms) {
      for (const m of room.members) {
        if (!told.has(m)) {
          told.add(m);
          out.send(m, notice);
        }
      }
    }
    this.#deps.events.emit('nick', { connId: session.id, from: old, to: nick });
  }

  /** The session's nickname is free again, here and across the cluster. */
  release(session: Session, nick: string): void {
    this.#unhold(session, nick);
    this.#deps.cluster?.releaseNick(nick);
  }

  /**
   * After a cluster split, an earlier login on another node kept `nick`: our user of that name is
   * told and renamed (keeping its rooms) to a name that is free in practice; it may pick its own.
   */
  giveWay(nick: string): void {
    const session = this.find(nick);
    if (session === undefined || session.closed) return;
    const temp = `${[...nick].slice(0, NICK_MAX - 5).join('')}-${randomInt(36 ** 4).toString(36).padStart(4, '0')}`;
    this.#deps.out.fail(session, 'nick_taken', errorText.nickLostInSplit(nick, temp));
    this.renick(session, temp);
  }
}
