/**
 * Nickname claims across a cluster, one Redis key per nickname skeleton (a lookalike of a nickname
 * held on another node is refused too). A login claims with `SET NX PX`; the heartbeat re-asserts every
 * local nickname, because a restarted Redis lost them and a dead node's claims must expire by
 * themselves. While cut off from Redis a node lets logins in on local rules alone, so after a split two
 * nodes may both hold one nickname: the heartbeat's re-claim settles it — the earlier login keeps the
 * name, the later one is told (`nickLost`) once and never re-asserts it.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { nickSkeleton } from './nick-skeleton.js';

/** A claim that Redis has not answered by then is taken as granted: logins never hang on the cluster. */
const CLAIM_TIMEOUT_MS = 1000;

/**
 * Keeps or takes a nickname claim. A claim's value is `<login time, 15 digits> <bus id>`, so byte
 * order is login order: when two nodes both let a nickname in while they were cut off from Redis,
 * every node running this script agrees that the earlier login keeps it, whichever node asks first.
 * Returns 1 when the caller holds the nickname now, 0 when it must give way.
 */
const RECLAIM_LUA = `local v = redis.call('get', KEYS[1])
if v == false or v == ARGV[1] or ARGV[1] < v then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/** Deletes a claim only if it is still ours (another login may hold the key since). */
const RELEASE_LUA = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

export interface NickClaimsOptions {
  /** The connection claims go through (commands are not queued while it is down). */
  redis: Redis;
  /** Whether `redis` is connected now. */
  up: () => boolean;
  /** This process on the bus: the second half of every claim value. */
  busId: string;
  /** Keys are `<prefix>:nick:<skeleton>`. */
  prefix: string;
  /** Claims expire this long after the last heartbeat re-asserted them. */
  ttlMs: number;
  log: (line: string) => void;
  /** Epoch ms, stamped into claims. @default Date.now */
  now?: () => number;
}

/** One re-claim sent with a heartbeat, awaiting its answer. */
export interface Reclaim {
  nick: string;
  lower: string;
  value: string;
}

export class NickClaims {
  readonly #o: Required<NickClaimsOptions>;
  /** Our claims by lowercase nickname: the value written to Redis (see RECLAIM_LUA). */
  readonly #claims = new Map<string, string>();
  /** Nicknames another node won after a split: reported once, never re-asserted. */
  readonly #lost = new Set<string>();

  constructor(opts: NickClaimsOptions) {
    this.#o = { now: Date.now, ...opts };
    this.#o.redis.defineCommand('chatpulseReclaim', { numberOfKeys: 1, lua: RECLAIM_LUA });
  }

  /** True when `nick` may be used here (also when Redis is down or slow: the heartbeat reconciles). */
  async claim(nick: string): Promise<boolean> {
    const lower = nick.toLowerCase();
    // Stamped now: the login time decides who keeps the nickname if a split let it in twice.
    const value = this.#stamp();
    const keep = (ok: boolean) => {
      if (ok) {
        this.#claims.set(lower, value);
        this.#lost.delete(lower);
      }
      return ok;
    };
    // Cut off from the cluster: local rules only; the heartbeat after reconnecting reconciles.
    if (!this.#o.up()) return keep(true);
    const claim = this.#o.redis.set(this.key(nick), value, 'PX', this.#o.ttlMs, 'NX').then(
      (r) => r === 'OK',
      () => true,
    );
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(true), CLAIM_TIMEOUT_MS).unref());
    return keep(await Promise.race([claim, timeout]));
  }

  release(nick: string): void {
    const lower = nick.toLowerCase();
    const value = this.#claims.get(lower);
    this.#claims.delete(lower);
    if (!this.#o.up() || value === undefined) return;
    this.#o.redis.eval(RELEASE_LUA, 1, this.key(nick), value).catch(() => {});
  }

  /**
   * Queues on `p` a re-claim of each of `localNicks` (the nicknames in use here) but those lost;
   * forgets lost nicknames no longer in use. Pass what it returns to `settle` with the answers.
   */
  reclaim(p: ChainableCommander, localNicks: Iterable<string>): Reclaim[] {
    const asked: Reclaim[] = [];
    const local = new Set<string>();
    for (const nick of localNicks) {
      const lower = nick.toLowerCase();
      local.add(lower);
      if (this.#lost.has(lower)) continue;
      let value = this.#claims.get(lower);
      if (value === undefined) {
        value = this.#stamp();
        this.#claims.set(lower, value);
      }
      asked.push({ nick, lower, value });
      (p as unknown as Reclaimer).chatpulseReclaim(this.key(nick), value, this.#o.ttlMs);
    }
    for (const lower of this.#lost) if (!local.has(lower)) this.#lost.delete(lower);
    return asked;
  }

  /**
   * Reads the answers to `asked` (the pipeline's `results` from index `first` on); calls `lost` once
   * for each nickname an earlier login on another node holds.
   */
  settle(asked: readonly Reclaim[], results: [Error | null, unknown][] | null, first: number, lost: (nick: string) => void): void {
    asked.forEach(({ nick, lower, value }, i) => {
      const [err, kept] = results?.[i + first] ?? [null, 1];
      // Released or claimed anew meanwhile: this answer is about a claim we no longer hold.
      if (err || kept !== 0 || this.#claims.get(lower) !== value) return;
      this.#claims.delete(lower);
      this.#lost.add(lower);
      this.#o.log(`redis: nickname '${nick}' is held by an earlier login on another node; this node's user gives way`);
      lost(nick);
    });
  }

  /** The Redis key of `nick`'s claim: by skeleton, so lookalikes share it. */
  key(nick: string): string {
    return `${this.#o.prefix}:nick:${nickSkeleton(nick)}`;
  }

  #stamp(): string {
    return `${String(this.#o.now()).padStart(15, '0')} ${this.#o.busId}`;
  }
}

/** The pipeline method `defineCommand` adds (ioredis types it only at runtime). */
interface Reclaimer {
  chatpulseReclaim(key: string, value: string, ttlMs: number): unknown;
}
