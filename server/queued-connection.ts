import type { CloseCause, Connection, FollowedArena } from './transport.js';
import type { Flushable, WriteCoalescer } from './write-coalescer.js';

/**
 * The output side every transport shares: lines queued during an event-loop turn and handed to the
 * transport as one batch by the write coalescer, with unsent output bounded by `maxQueue` (a reader
 * too slow to take it is cut off as a slow consumer). A transport supplies the three hooks below.
 */
/** The most unsent output one connection may hold, in units of `maxQueue` (see `#tooSlow`). */
const BURST_QUEUES = 4;
/** How long unsent output may stay over `maxQueue` before the reader is cut off as too slow. */
const SLOW_AFTER_MS = 1000;

export abstract class QueuedConnection implements Connection, Flushable {
  abstract readonly transport: string;
  abstract readonly remote: string;
  dirty = false;
  #chunks: Buffer[] = [];
  #queued = 0;
  /** The open run of `sendSlice`: bytes [#runStart, #runEnd) of #runBuf, not yet in #chunks. */
  #runBuf: Buffer | null = null;
  #runStart = 0;
  #runEnd = 0;
  /**
   * When set, this connection follows the arena from #followFrom (see `follow`): what the arena holds
   * past it is queued after the open run, and becomes the open run when the following stops.
   */
  #following: FollowedArena | null = null;
  #followFrom = 0;
  #closed = false;
  /** Cut off as a slow consumer: what is queued after that (the farewell) is written whatever the backlog. */
  #overrun = false;
  #cause: CloseCause = 'closed';
  /** Since when (epoch ms) the unsent output has been over `maxQueue`; 0 while it is not. */
  #overSince = 0;
  readonly #coalescer: WriteCoalescer;
  readonly #maxQueue: number;

  constructor(coalescer: WriteCoalescer, maxQueue: number) {
    this.#coalescer = coalescer;
    this.#maxQueue = maxQueue;
  }

  /** Bytes the transport holds and has not yet handed to the kernel. */
  protected abstract transportBacklog(): number;
  /** Writes one turn's lines (`bytes` in all). */
  protected abstract writeBatch(chunks: Buffer[], bytes: number): void;
  /** Closes at once, dropping what is queued. */
  abstract destroy(): void;
  /** Tells the chat core the reader fell too far behind (`ConnectionHandler.onOverrun`). */
  protected abstract overrun(): void;
  /** Writes what is queued, then closes politely. */
  protected abstract closeAfterFlush(): void;

  /** Why the connection closed, once it has ('slow_consumer' when we cut it off). */
  get closeCause(): CloseCause {
    return this.#cause;
  }

  protected get closed(): boolean {
    return this.#closed;
  }

  /** The transport saw an error; the close that follows is reported as one. */
  protected noteError(): void {
    if (this.#cause === 'closed') this.#cause = 'error';
  }

  /** The transport closed: drop the queue; the caller then tells the chat core. */
  protected noteClosed(): void {
    this.unfollow();
    this.#closed = true;
    this.#chunks = [];
    this.#runBuf = null;
    this.#queued = 0;
  }

  send(line: Buffer): void {
    if (this.#closed) return;
    this.unfollow();
    if (this.#runBuf !== null) this.#closeRun();
    this.#chunks.push(line);
    this.#queued += line.length;
    this.#coalescer.mark(this);
  }

  sendSlice(buf: Buffer, start: number, end: number): void {
    this.unfollow();
    // The next line of the run already open (a sender's echoes of one read) — already marked
    // dirty, its bytes counted when the run closes. (A closed connection has no run.)
    if (this.#runEnd === start && this.#runBuf === buf) {
      this.#runEnd = end;
      return;
    }
    if (this.#closed) return;
    if (this.#runBuf !== null) this.#closeRun();
    this.#runBuf = buf;
    this.#runStart = start;
    this.#runEnd = end;
    this.#coalescer.mark(this);
  }

  #closeRun(): void {
    this.#chunks.push((this.#runBuf as Buffer).subarray(this.#runStart, this.#runEnd));
    this.#queued += this.#runEnd - this.#runStart;
    this.#runBuf = null;
  }

  follows(arena: FollowedArena): boolean {
    return this.#following === arena;
  }

  follow(arena: FollowedArena, start: number): void {
    if (this.#closed) return;
    this.unfollow();
    this.#following = arena;
    this.#followFrom = start;
    arena.followers++;
    this.#coalescer.mark(this);
  }

  unfollow(): void {
    if (this.#following !== null) this.#settle();
  }

  /**
   * Stops following: what the arena holds past #followFrom becomes the open run. When nothing
   * arrived (a sender that spoke twice before anyone else did) the open run stays as it was, so the
   * sender's echoes still extend one run.
   */
  #settle(): void {
    const arena = this.#following as FollowedArena;
    const from = this.#followFrom;
    const end = arena.end;
    arena.followers--;
    this.#following = null;
    if (end === from) return;
    if (this.#runBuf !== null) this.#closeRun();
    this.#runBuf = arena.buf;
    this.#runStart = from;
    this.#runEnd = end;
  }

  queuedBytes(): number {
    const run = this.#runBuf === null ? 0 : this.#runEnd - this.#runStart;
    const followed = this.#following === null ? 0 : this.#following.end - this.#followFrom;
    return this.#queued + run + followed + this.transportBacklog();
  }

  flush(): void {
    this.unfollow();
    if (this.#runBuf !== null) this.#closeRun();
    const chunks = this.#chunks;
    if (this.#closed || chunks.length === 0) return;
    const bytes = this.#queued;
    this.#chunks = [];
    this.#queued = 0;
    if (!this.#overrun && this.#tooSlow(bytes)) {
      // This turn's output is dropped; the core answers with a farewell line and ends the connection,
      // so the reader learns why after what the transport already holds, and the server cuts it off
      // for good if it has not taken that within the quit linger.
      this.#cause = 'slow_consumer';
      this.#overrun = true;
      this.overrun();
      return;
    }
    this.writeBatch(chunks, bytes);
  }

  /**
   * Whether a reader about to be handed `bytes` more is too slow to keep (DESIGN §8: unsent output
   * over --max-queue). Not the size of one turn: a burst of long lines within every limit made a turn
   * of ~1.4 MB for each member of a room, and every reader — the fastest too — was cut off before any
   * of it was written. A reader is too slow when its unsent output has stayed over `maxQueue` for
   * SLOW_AFTER_MS (one that reads drains a burst in milliseconds), or would pass BURST_QUEUES ×
   * `maxQueue` now — the bound on what one connection can hold, whatever it reads.
   */
  #tooSlow(bytes: number): boolean {
    const backlog = this.transportBacklog();
    if (backlog + bytes > this.#maxQueue * BURST_QUEUES) return true;
    if (backlog <= this.#maxQueue) {
      this.#overSince = 0;
      return false;
    }
    // Only here, over the limit: no clock read on the fan-out path of a reader that keeps up.
    const now = Date.now();
    if (this.#overSince === 0) this.#overSince = now;
    return now - this.#overSince > SLOW_AFTER_MS;
  }

  end(): void {
    if (this.#closed) return;
    this.flush();
    this.closeAfterFlush();
  }
}
