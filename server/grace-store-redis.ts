import type { ChainableCommander, Redis } from 'ioredis';
import type { GraceStore, RememberedRooms } from './grace-memory.js';
import { checkName, ROOM_MAX } from './names.js';

/** A take that Redis has not answered by then gives #main (or the local record): logins never hang on it. */
const TAKE_TIMEOUT_MS = 1000;

/**
 * Largest record written or read, bytes. `--max-rooms-per-user` bounds the room list as it bounds a
 * session's rooms; this bounds a value whatever that flag says (100 000 rooms of 64 four-byte letters
 * would be 26 MB a key): rooms past it are dropped from the end, as if never joined.
 */
export const MAX_GRACE_VALUE_BYTES = 64 * 1024;

export interface RedisGraceOptions {
  /** The cluster's command connection (commands are not queued while it is down). */
  redis: Redis;
  /** Whether `redis` is connected now. */
  up: () => boolean;
  /** Keys are `<prefix>:grace:<lowercase nickname>`. */
  prefix: string;
  /** How long a disconnected nickname keeps its rooms (`--grace`); 0 keeps nothing. */
  graceMs: number;
  /** The cluster's presence expiry: a killed node's users count as gone this long after its last heartbeat. */
  presenceTtlMs: number;
  /** Where records go while Redis is unreachable (this node's SQLite store): the chat never waits on Redis. */
  local: GraceStore;
  /** Rooms kept per record (`--max-rooms-per-user`). */
  maxRooms: number;
  log: (line: string) => void;
}

/**
 * Grace records shared by every node of a cluster, so that a nickname whose node died (`kill -9`)
 * gets its rooms back through any other node. One key per nickname, value `{"rooms":[…],"active":…}`.
 *
 * A killed node never runs its disconnect path, so a connected nickname's record is kept in Redis
 * too: written on every login, join, leave and active-room change (`track`) with an expiry of grace +
 * presence TTL that the node's heartbeat pushes forward (`refresh`). Once the node is dead its
 * heartbeat stops: the nickname's claim expires within the presence TTL, and its record `--grace`
 * after that. A clean disconnect (`remember`) sets the expiry to `--grace` itself.
 *
 * A login takes the record with GETDEL, after its nickname claim succeeded: only one node restores.
 * While Redis is unreachable, records go to `local` and that is logged once per outage; after a
 * reconnect the next heartbeat writes every connected nickname's record to Redis again.
 */
export class RedisGraceStore implements GraceStore {
  readonly #o: RedisGraceOptions;
  /** Connected nicknames (lowercase) → their record as last tracked: re-written after a reconnect. */
  readonly #connected = new Map<string, { nick: string; value: string }>();
  /** Set until a heartbeat has written every connected record (start, and after each reconnect). */
  #rewrite = true;
  /** Connected nicknames whose record a heartbeat found missing (deleted, evicted): written again on the next. */
  readonly #missing = new Set<string>();
  #toldFallback = false;

  constructor(opts: RedisGraceOptions) {
    this.#o = opts;
  }

  remember(nick: string, state: RememberedRooms, nowMs: number): void {
    this.#connected.delete(nick.toLowerCase());
    if (this.#o.graceMs <= 0) return this.track(nick, null);
    const fallBack = () => this.#fallBack(() => this.#o.local.remember(nick, state, nowMs));
    if (!this.#o.up()) return fallBack();
    this.#o.redis.set(this.key(nick), encode(state, this.#o.maxRooms), 'PX', this.#o.graceMs).catch(fallBack);
  }

  track(nick: string, state: RememberedRooms | null): void {
    const lower = nick.toLowerCase();
    if (state === null) {
      this.#connected.delete(lower);
      this.#o.local.track?.(nick, null);
      if (this.#o.up()) this.#o.redis.del(this.key(nick)).catch(() => {});
      return;
    }
    if (this.#o.graceMs <= 0) return;
    const value = encode(state, this.#o.maxRooms);
    this.#connected.set(lower, { nick, value });
    const fallBack = () => this.#fallBack(() => this.#o.local.track?.(nick, state));
    if (!this.#o.up()) return fallBack();
    this.#o.redis.set(this.key(nick), value, 'PX', this.#keepMs()).catch(fallBack);
  }

  /** This node's record only (Redis answers asynchronously: logins use `takeShared`). */
  take(nick: string, nowMs: number): RememberedRooms | undefined {
    return this.#o.local.take(nick, nowMs);
  }

  /**
   * The nickname's record from Redis, deleted as it is read (GETDEL), else this node's own. Call it
   * only while holding the nickname's cluster claim. Never rejects.
   */
  async takeShared(nick: string, nowMs: number): Promise<RememberedRooms | undefined> {
    const local = this.#o.local.take(nick, nowMs);
    if (!this.#o.up() || this.#o.graceMs <= 0) return local;
    const shared = this.#o.redis.getdel(this.key(nick)).then(
      (v) => (v === null ? undefined : decode(v, this.#o.maxRooms)),
      () => undefined,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), TAKE_TIMEOUT_MS).unref();
    });
    const found = await Promise.race([shared, timeout]);
    clearTimeout(timer);
    return found ?? local;
  }

  sweep(nowMs: number): void {
    this.#o.local.sweep(nowMs);
  }

  close(): void {
    this.#connected.clear();
    this.#o.local.close?.();
  }

  /**
   * Queues on the heartbeat's pipeline `p` the expiry of every connected nickname's record, pushed to
   * grace + presence TTL from now; after a (re)connect, or where the last heartbeat found the record
   * gone, the record itself. O(connected nicknames), like the nickname claims. Pass what it returns to
   * `settle` with the pipeline's answers.
   */
  refresh(p: ChainableCommander): string[] {
    const keep = this.#keepMs();
    const rewrite = this.#rewrite;
    const asked: string[] = [];
    for (const [lower, { nick, value }] of this.#connected) {
      if (rewrite || this.#missing.has(lower)) p.set(this.key(nick), value, 'PX', keep);
      else p.pexpire(this.key(nick), keep);
      asked.push(lower);
    }
    if (rewrite) for (const { nick } of this.#connected.values()) this.#o.local.track?.(nick, null);
    this.#rewrite = false;
    this.#missing.clear();
    return asked;
  }

  /** Reads the answers to `refresh` (the pipeline's `results` from index `first` on): a record found gone is rewritten next time. */
  settle(asked: readonly string[], results: [Error | null, unknown][] | null, first: number): void {
    asked.forEach((lower, i) => {
      const [err, answer] = results?.[i + first] ?? [null, 1];
      if (err === null && answer === 0 && this.#connected.has(lower)) this.#missing.add(lower);
    });
  }

  /** Redis is reachable again: the next `refresh` writes every record, a later outage is logged again. */
  reconnected(): void {
    this.#rewrite = true;
    this.#toldFallback = false;
  }

  /** Connected nicknames whose record this store keeps current. */
  get connected(): number {
    return this.#connected.size;
  }

  key(nick: string): string {
    return `${this.#o.prefix}:grace:${nick.toLowerCase()}`;
  }

  #keepMs(): number {
    return this.#o.graceMs + this.#o.presenceTtlMs;
  }

  #fallBack(write: () => void): void {
    write();
    if (this.#toldFallback) return;
    this.#toldFallback = true;
    this.#o.log("redis: unreachable, so rooms of disconnected nicknames are kept in this node's store: a reconnect through another node starts in #main until Redis is back");
  }
}

/** The record as stored: at most `maxRooms` rooms and MAX_GRACE_VALUE_BYTES bytes, the active room among them. */
export function encode(state: RememberedRooms, maxRooms: number): string {
  let rooms = state.rooms.slice(0, maxRooms);
  let value = JSON.stringify({ rooms, active: state.active });
  if (Buffer.byteLength(value) > MAX_GRACE_VALUE_BYTES) {
    // Each room costs at most ROOM_MAX four-byte characters, six bytes of JSON escaping each, plus quotes.
    rooms = rooms.slice(0, Math.floor((MAX_GRACE_VALUE_BYTES - 512) / (ROOM_MAX * 6 + 3)));
    value = JSON.stringify({ rooms, active: state.active });
  }
  return value;
}

/** A stored record, or undefined when it is not one (too big, not JSON, wrong shape); bad room names are dropped. */
export function decode(value: string, maxRooms: number): RememberedRooms | undefined {
  if (Buffer.byteLength(value) > MAX_GRACE_VALUE_BYTES) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { rooms, active } = v as { rooms?: unknown; active?: unknown };
  if (!Array.isArray(rooms) || typeof active !== 'string') return undefined;
  const names = rooms.filter((r): r is string => typeof r === 'string' && checkName(r, ROOM_MAX) === undefined).slice(0, maxRooms);
  return names.length === 0 ? undefined : { rooms: names, active };
}
