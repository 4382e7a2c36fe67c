/**
 * Remembers, for `graceMs` after a disconnect, which rooms a nickname was in and which was active,
 * so that the same nickname reconnecting gets them back.
 */
export interface RememberedRooms {
  rooms: string[];
  active: string;
}

export interface GraceStore {
  remember(nick: string, state: RememberedRooms, nowMs: number): void;
  /** Returns and forgets the state, if it is younger than the grace period. */
  take(nick: string, nowMs: number): RememberedRooms | undefined;
  /**
   * Optional: `take` for a store that several nodes share (Redis), which answers asynchronously. When
   * present, a login waits for it (its lines held meanwhile) once the nickname's cluster claim is won,
   * so that only one node restores a record. Never rejects.
   */
  takeShared?(nick: string, nowMs: number): Promise<RememberedRooms | undefined>;
  sweep(nowMs: number): void;
  /**
   * Optional: the current rooms of a nickname that is still connected (`null`: forget it), called on
   * every login, join, leave and active-room change. A durable store keeps these so that a server
   * that crashes (no disconnect ever runs) still gives its clients their rooms back after a restart.
   */
  track?(nick: string, state: RememberedRooms | null): void;
  /** Optional: write what is pending; called once at shutdown, before the store's database closes. */
  close?(): void;
}

export class GraceMemory implements GraceStore {
  readonly #entries = new Map<string, RememberedRooms & { at: number }>();
  readonly #graceMs: number;

  constructor(graceMs: number) {
    this.#graceMs = graceMs;
  }

  remember(nick: string, state: RememberedRooms, nowMs: number): void {
    if (this.#graceMs <= 0) return;
    this.#entries.set(nick.toLowerCase(), { ...state, at: nowMs });
  }

  take(nick: string, nowMs: number): RememberedRooms | undefined {
    const key = nick.toLowerCase();
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    return nowMs - entry.at <= this.#graceMs ? { rooms: entry.rooms, active: entry.active } : undefined;
  }

  sweep(nowMs: number): void {
    for (const [key, entry] of this.#entries) if (nowMs - entry.at > this.#graceMs) this.#entries.delete(key);
  }
}
