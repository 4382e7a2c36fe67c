/**
 * What a transport (plain TCP, TLS, WebSocket) hands the chat core: a duplex of lines.
 * Adding a transport is one file that turns its frames into `ConnectionHandler` calls.
 */

/** Why a transport closed: the peer hung up, the socket failed, or we cut off a reader too slow to keep up. */
export type CloseCause = 'closed' | 'error' | 'slow_consumer';

export interface Connection {
  readonly transport: string;
  readonly remote: string;
  /** Why the connection closed, once it has ('closed' until then); the disconnect reason the core reports. */
  readonly closeCause: CloseCause;
  /** Queue one complete line (with its `\n`) for writing; writes are coalesced per event-loop turn. */
  send(line: Buffer): void;
  /**
   * Queue bytes [start, end) of `buf` — whole lines — which must never change afterwards. Slices of
   * one buffer that arrive back to back are written as one run, without copying (a sender's echoes
   * sit together in the room's echo arena). Room lines reach members through `follow` instead.
   */
  sendSlice(buf: Buffer, start: number, end: number): void;
  /**
   * Queue `arena.buf[start, …)` and everything appended to the arena after it: the run follows the
   * arena, with no call per line, until the connection queues anything else or `unfollow` is called,
   * and then ends where the arena ends at that moment. A room's members follow the room's arena, so
   * once each member has its first line of a turn, a room message costs the fan-out one append
   * however big the room is. The arena must not start a fresh buffer while followed.
   */
  follow(arena: FollowedArena, start: number): void;
  /** Whether the open run follows `arena`. */
  follows(arena: FollowedArena): boolean;
  /** Stop following (what the arena holds now stays queued). */
  unfollow(): void;
  /**
   * True when this transport frames its output (WebSocket): `sendSlice` and `follow` then take bytes
   * that are already whole frames of it (the room's frame arenas), while `send` still takes a plain line.
   */
  readonly framed?: boolean;
  /** Bytes queued and not yet taken by the kernel. */
  queuedBytes(): number;
  /** Write what is queued, then close. */
  end(): void;
  /** Close now, dropping queued output. */
  destroy(): void;
  /**
   * Whether part of a line has arrived without its `\n` (the idle policy's slowloris check).
   * Transports whose frames are whole lines (WebSocket) leave it out: they never hold part of one.
   */
  midLine?(): boolean;
}

/** An append-only buffer of whole lines (or frames) that connections can follow: a room's arena. */
export interface FollowedArena {
  readonly buf: Buffer;
  /** Where the last line written ends. */
  readonly end: number;
  /** How many connections follow it; kept by the connections. */
  followers: number;
}

/** What the chat core answers a new connection with; the transport calls it. */
export interface ConnectionHandler {
  /** Raw bytes read, for byte counters, before the lines in them (which arrived at the same moment). */
  onBytes(n: number): void;
  /** One line; `checked` when the transport already knows it is valid UTF-8 with no control character but tab. */
  onLine(line: Buffer, checked: boolean): void;
  onLineTooLong(): void;
  /** A WebSocket binary frame: no §3 line (DESIGN §6: one line per text frame); answered, and dropped. */
  onBinaryFrame(): void;
  /**
   * The reader fell more than `maxQueue` behind (a slow consumer): what was queued for it this turn is
   * dropped, and the core closes the session with a `!` line naming the limit, written after what the
   * transport already holds.
   */
  onOverrun(): void;
  onClose(): void;
}
