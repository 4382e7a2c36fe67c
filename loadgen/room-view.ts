/**
 * The members of one room as one client has seen them, in the order the server wrote them to it.
 *
 * Why this decides delivery exactly: a server handles a room's lines one at a time and writes to each
 * connection in that order. Every join or leave it handled before a client's message reaches that
 * client *before* the message's echo, every later one after it. So the member set seen when the echo
 * arrives is the set the message was delivered to — no guessing about lines in flight.
 *
 * Where that order does not hold (no echo to anchor on, or several servers linked through Redis, whose
 * notices cross nodes at their own pace), the members whose join or leave was seen within a window
 * around the message are undecidable: `settle()` counts them apart as ambiguous instead of calling a
 * missing delivery lost or an extra one unexpected. The log of changes is pruned as messages settle.
 *
 * Only the run's own clients are members here (`run.index`): a person in the room, or another load
 * generator's clients, never report what they received, so counting them made loss of a correct server.
 */
export interface Expectation {
  /** Recipients the message certainly had. */
  expected: number;
  /**
   * Recipients whose membership changed while the message was in flight: neither expected nor not.
   * `WHOLLY_AMBIGUOUS`: no one can say who should have it (its sender dropped with it in flight):
   * every recipient that sees it is ambiguous, however many.
   */
  ambiguous: number;
}

/** `Expectation.ambiguous` of a message whose every recipient is ambiguous (ledger.ts `settleOne`). */
export const WHOLLY_AMBIGUOUS = -1;

/** What the view knows of the run's own clients (`run-identity.ts`, the plan's disconnect storms). */
export interface RunMembers {
  /** The run client a nickname is (its index), or -1: a person, or another run's client. */
  index(nick: string): number;
  /**
   * Whether any planned drop (a disconnect storm), or outage of a client the run saw cut off, could cut
   * a message in flight from epoch ms `from` (its write) to `to` (its echo): false for nearly every
   * message, and then no member is asked.
   */
  stormNear(from: number, to: number): boolean;
  /** Whether the plan drops client `index`, or it was cut off, close enough to [`from`, `to`] to cut a message then in flight to it. */
  dropsNear(index: number, from: number, to: number): boolean;
  /**
   * Whether client `index` runs in this worker, so that its receipts are seen here at once
   * (own-messages.ts waits for a message's first local delivery only when one can come).
   * @default every client, as in a one-worker run
   */
  local?(index: number): boolean;
}

/** Every nickname a member (a client of its own), none dropped: a view that knows nothing of a run (tests of its rules). */
const anyone = new Map<string, number>();
const ANYONE: RunMembers = {
  index: (nick) => anyone.get(nick) ?? (anyone.set(nick, anyone.size), anyone.size - 1),
  stormNear: () => false,
  dropsNear: () => false,
};

export class RoomView {
  /** The room whose members these are (not always the one the client is joining: see `reset`). */
  room = '';
  readonly #members = new Set<string>();
  /**
   * Members per run client (index): a client is one recipient under any of its nicknames. After its
   * node died, a client that came back under a new one (`lg8_x1`, its old one still held) was listed
   * twice until the old one's presence expired, and every message there read one delivery lost.
   */
  readonly #perClient = new Map<number, number>();
  /** The client is among its own messages' recipients (the protocol echoes them; IRC knows after login). */
  countSelf = true;
  // Membership changes seen (epoch ms, nick, member before and after), oldest first, for windows.
  readonly #logAt: number[] = [];
  readonly #logNick: string[] = [];
  readonly #logBefore: boolean[] = [];
  readonly #logAfter: boolean[] = [];

  /** The client's own nickname (never counted among those the plan drops: its own drop is its own). */
  #self = '';

  constructor(readonly run: RunMembers = ANYONE) {}

  isRunNick(nick: string): boolean {
    return this.run.index(nick) >= 0;
  }

  /** Recipients: run clients among the members (one for all of a client's nicknames). */
  get size(): number {
    return this.#perClient.size;
  }

  /** Whether a member other than this client runs in this worker: a message to the room would be seen here. */
  hasLocalOther(): boolean {
    const self = this.run.index(this.#self);
    for (const client of this.#perClient.keys()) if (client !== self && (this.run.local?.(client) ?? true)) return true;
    return false;
  }

  #add(nick: string): void {
    if (this.#members.has(nick)) return;
    this.#members.add(nick);
    const i = this.run.index(nick);
    this.#perClient.set(i, (this.#perClient.get(i) ?? 0) + 1);
  }

  #remove(nick: string): void {
    if (!this.#members.delete(nick)) return;
    const i = this.run.index(nick);
    const n = (this.#perClient.get(i) ?? 1) - 1;
    if (n > 0) this.#perClient.set(i, n);
    else this.#perClient.delete(i);
  }

  #clearMembers(): void {
    this.#members.clear();
    this.#perClient.clear();
  }

  /** The client's own join of `room` was acknowledged: from here on only that room's members count. */
  reset(room: string, self: string): void {
    this.room = room;
    this.#self = self;
    this.#clearMembers();
    if (this.countSelf) this.#add(self);
    this.#clearLog();
  }

  /** A member list (`/users`, NAMES): it reflects every change the server made before answering. */
  replace(nicks: readonly string[], self: string): void {
    this.#clearMembers();
    for (const n of nicks) if (this.isRunNick(n)) this.#add(n);
    if (this.countSelf) this.#add(self);
    else this.#remove(self);
  }

  joined(nick: string, now: number): void {
    if (!this.isRunNick(nick)) return;
    // A client is in a room once: one that joins under a new nickname (its old one still held by a
    // dead node) leaves the old one behind, stale until that node's presence expires. Counted on, the
    // stale one kept the client a recipient after it left under its new name (0.2 % lost after a
    // kill -9 and restart).
    const client = this.run.index(nick);
    if (this.#perClient.has(client) && !this.#members.has(nick)) {
      for (const alias of [...this.#members]) {
        if (this.run.index(alias) !== client) continue;
        this.#log(alias, now, false);
        this.#remove(alias);
      }
    }
    this.#log(nick, now, true);
    this.#add(nick);
  }

  left(nick: string, now: number): void {
    if (!this.isRunNick(nick)) return;
    this.#log(nick, now, false);
    this.#remove(nick);
  }

  /**
   * A message whose place among the membership changes is known only up to a window: `members` is the
   * count at `anchor` (its echo, or its write without one); changes seen in [`from`, `to`] make their
   * member ambiguous, and each of those that `members` counted is taken out of `expected`. So does a
   * member the run dropped, or saw cut off, around then (`droppingNear`).
   */
  windowed(members: number, from: number, anchor: number, to: number): Expectation {
    let ambiguous = 0;
    let countedAtAnchor = 0;
    // Per client, not per nickname: a client back under a new one changes two nicknames at once.
    const seen = new Set<number>();
    const counted = new Set<number>();
    for (let i = 0; i < this.#logAt.length; i++) {
      const at = this.#logAt[i] as number;
      if (at < from || at > to) continue;
      const nick = this.#logNick[i] as string;
      const client = this.run.index(nick);
      if (!seen.has(client)) {
        seen.add(client);
        ambiguous++;
      }
      if (!counted.has(client) && this.#memberAt(nick, anchor, from)) {
        counted.add(client);
        countedAtAnchor++;
      }
    }
    if (this.run.stormNear(from, to)) {
      // The members at the anchor: those now, and those whose change came after `to` (decided a tick
      // later, a dead node's users may have left meanwhile: the other nodes say so after its TTL).
      const dropped = (nick: string) => {
        const client = this.run.index(nick);
        // Under the nickname it had then: the one it has now may have come after (a client back
        // under a new one, its stale one logged as gone when it joined).
        if (nick === this.#self || seen.has(client) || !this.#memberAt(nick, anchor, from)) return;
        seen.add(client);
        if (!this.run.dropsNear(client, from, to)) return;
        ambiguous++;
        countedAtAnchor++;
      };
      for (const nick of this.#members) dropped(nick);
      for (let i = 0; i < this.#logAt.length; i++) if ((this.#logAt[i] as number) > to) dropped(this.#logNick[i] as string);
    }
    return { expected: Math.max(0, members - countedAtAnchor), ambiguous };
  }

  /**
   * How many members (the client aside) the run itself drops around a message written at epoch ms
   * `from` and echoed at `to`: a disconnect storm cuts a connection with what the server already wrote
   * to it unread, so the message may or may not reach them. So does a connection the server or a dying
   * node cut: the run saw it go. Nothing to count away from a storm or an outage.
   */
  droppingNear(from: number, to: number): number {
    if (!this.run.stormNear(from, to)) return 0;
    let n = 0;
    for (const nick of this.#members) {
      if (nick !== this.#self && this.run.dropsNear(this.run.index(nick), from, to)) n++;
    }
    return n;
  }

  /** Forgets changes older than `before` (no message in flight can still need them). */
  prune(before: number): void {
    let k = 0;
    while (k < this.#logAt.length && (this.#logAt[k] as number) < before) k++;
    if (k === 0) return;
    this.#logAt.splice(0, k);
    this.#logNick.splice(0, k);
    this.#logBefore.splice(0, k);
    this.#logAfter.splice(0, k);
  }

  /** Whether `nick` was a member at `anchor`, from the log (the state after its last change before it). */
  #memberAt(nick: string, anchor: number, from: number): boolean {
    let state: boolean | undefined;
    for (let i = 0; i < this.#logAt.length; i++) {
      if (this.#logNick[i] !== nick || (this.#logAt[i] as number) < from) continue;
      if ((this.#logAt[i] as number) > anchor) return state ?? (this.#logBefore[i] as boolean);
      state = this.#logAfter[i] as boolean;
    }
    return state ?? this.#members.has(nick);
  }

  #log(nick: string, now: number, after: boolean): void {
    this.#logAt.push(now);
    this.#logNick.push(nick);
    this.#logBefore.push(this.#members.has(nick));
    this.#logAfter.push(after);
  }

  #clearLog(): void {
    this.#logAt.length = this.#logNick.length = this.#logBefore.length = this.#logAfter.length = 0;
  }
}
