import { RateLimiter } from './rate-limiter.js';
import type { Room } from './rooms.js';
import type { Connection } from './transport.js';

/** One connection's state in the chat: its nickname, its rooms and what the limits need to know. */
export class Session {
  nick: string | null = null;
  /** `nickSkeleton(nick)` while logged in: the key of the lookalike check. */
  skeleton: string | null = null;
  /** Rooms in join order; the order is what a reconnect restores. */
  readonly rooms: Room<Session>[] = [];
  active: Room<Session> | null = null;
  /**
   * Set when the session is over for the chat (/quit, a timeout, the socket closed): it has left its
   * rooms and freed its nickname, and input that still arrives is ignored.
   */
  closed = false;
  /** Destroys the connection if the peer keeps its side open after we ended ours. */
  linger: NodeJS.Timeout | undefined;
  readonly connectedAt: number;
  /** Read time of the last complete line (idle policy). */
  lastLineAt: number;
  /** Idle policy's note of an unfinished line; see IdlePolicy. */
  midLineSince = 0;
  /** Set while a cluster-wide nickname claim is in flight; lines that arrive meanwhile wait here. */
  pending: Buffer[] | null = null;
  readonly limiter: RateLimiter;
  /**
   * `[room] nick: ` as bytes for the room named `prefixRoom`, the last one this session spoke in: the
   * fan-out's cache, made again after a /nick or when the session speaks in another room. By name,
   * not Room, so that it never keeps a room that was dropped alive.
   */
  prefixRoom: string | null = null;
  prefix: Buffer | null = null;

  constructor(
    readonly id: number,
    readonly conn: Connection,
    maxRate: number,
    now: number,
  ) {
    this.limiter = new RateLimiter(maxRate);
    this.connectedAt = now;
    this.lastLineAt = now;
  }
}
