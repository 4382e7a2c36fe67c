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
  sweep(nowMs: number): void;
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
