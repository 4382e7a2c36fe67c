import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Db } from '../store/database.js';
import { StorageHealth } from '../store/storage-health.js';
import { batchTexts, HistoryBatchBuilder, sliceBatch, type HistoryBatch, type HistoryLine } from './history-batch.js';

export type { HistoryLine };
import { createHistorySchema } from './history-schema.js';
import { serveHistoryWrites, type WriterReply, type WriterRequest } from './history-writes.js';
import { PendingHistoryRing } from './pending-history-ring.js';

export interface HistoryOptions {
  /** Lines kept per room; 0 disables persistence. @default 1000 */
  cap: number;
  /**
   * How often queued lines are handed to the writer thread, in ms. @default 1000 — once a second, as
   * DESIGN §5 batches writes per tick. Since a room's queue keeps only its last `cap` lines, the writer
   * inserts at most `cap` rows per room per interval however fast the room talks: a shorter interval
   * writes more rows that the trim deletes again (10× the writer's work at 100 ms). A crash (kill -9)
   * can lose the last interval's lines; a normal stop loses nothing.
   */
  flushEveryMs?: number;
  /**
   * Lines held in memory for a retry while writes fail (a full disk). Beyond it the oldest are
   * dropped and counted: a store that cannot write must not grow the process without bound.
   * @default 10000
   */
  retryLines?: number;
  /** Where write errors are counted and logged. @default a StorageHealth of its own */
  health?: StorageHealth;
}

/** A batch posted to the writer; `retry` when it had failed before. */
interface Posted {
  batch: HistoryBatch;
  retry: boolean;
}

/**
 * Chat history in SQLite. Appending is an array push on the hot path; once per flush interval the
 * queued lines go, as one batch, to a writer thread (server/history-writer.ts) that commits it in one
 * transaction — never one per message, and never on the event loop. Reads (`/join`, `/history`) query
 * the main connection and add, from memory, the lines not yet committed (handed off or still queued)
 * without handing anything off early, so a reader sees every line sent before it asked — except while
 * writes fail: then it shows only what is stored, and `problem` says why the rest is missing.
 * Failed batches are held (up to `retryLines`) and retried once per flush interval.
 * A `:memory:` database cannot be opened by a second connection, so there the same batches are
 * committed on the main thread's connection (a test or throwaway server: no disk to wait for).
 */
export class HistoryStore {
  /** Lines not yet handed off, per room (by its canonical name), each bounded by the cap. */
  readonly #pending = new Map<string, PendingHistoryRing>();
  /** The same rings by lower-cased name, for reads, which may spell a room any way. */
  readonly #pendingByKey = new Map<string, PendingHistoryRing>();
  /** The ring of the last `appendBytes`, one of #pending's. */
  #lastRing: PendingHistoryRing | undefined;
  /** Batches posted to the writer and not yet confirmed, by batch id. */
  readonly #inFlight = new Map<number, Posted>();
  /** Failed batches, oldest first, waiting for a retry. */
  readonly #held: HistoryBatch[] = [];
  /** Lines in `#held` plus those of retries in flight: what the `retryLines` cap bounds. */
  #heldLines = 0;
  readonly #retryLines: number;
  readonly #health: StorageHealth;
  #nextBatch = 1;
  #batchesPosted = 0;
  #timer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  readonly #cap: number;
  readonly #flushEveryMs: number;
  /** The writer thread, or for `:memory:` the main-thread end of the channel its writes are served on. */
  readonly #writer: Worker | MessagePort | undefined;
  readonly #recent: (key: string, n: number) => HistoryLine[];

  constructor(db: Db, opts: HistoryOptions) {
    this.#cap = opts.cap;
    this.#flushEveryMs = opts.flushEveryMs ?? 1000;
    this.#retryLines = opts.retryLines ?? 10_000;
    this.#health = opts.health ?? new StorageHealth();
    createHistorySchema(db);
    const recent = db.prepare(`SELECT ts, room, nick, text FROM
      (SELECT id, ts, room, nick, text FROM chat_history WHERE room_key = ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
    this.#recent = (key, n) => recent.all(key, n) as HistoryLine[];
    if (this.#cap > 0) this.#writer = db.name === ':memory:' ? this.#serveHere(db) : this.#startThread(db.name);
    this.#writer?.on('message', (msg: WriterReply) => {
      if (msg.type === 'written') this.#written(msg.id);
      else if (msg.type === 'failed') this.#failed(msg.id, Object.assign(new Error(msg.message), { code: msg.code }));
    });
    this.#writer?.unref();
  }

  #startThread(file: string): Worker {
    const worker = new Worker(new URL('./history-writer.js', import.meta.url), { workerData: { file, cap: this.#cap } });
    worker.on('error', (err) => this.#health.failed('history', err, 'the writer thread stopped'));
    return worker;
  }

  #serveHere(db: Db): MessagePort {
    const { port1, port2 } = new MessageChannel();
    serveHistoryWrites(port2, db, this.#cap, false);
    // Only the store's end holds the process open (while closing), as the thread's does.
    port2.unref();
    return port1;
  }

  get enabled(): boolean {
    return this.#cap > 0 && this.#writer !== undefined;
  }

  /** Batches handed to the writer so far: one per flush interval with lines, plus retries. */
  get batchesPosted(): number {
    return this.#batchesPosted;
  }

  /** `room` is the room's canonical name (one spelling per room, as the chat core keeps it). */
  append(room: string, ts: number, nick: string, text: string): void {
    const bytes = Buffer.from(text);
    this.appendBytes(room, ts, nick, bytes, 0, bytes.length);
  }

  /** As `append`, with the text as bytes [start, end) of a buffer that never changes afterwards. */
  appendBytes(room: string, ts: number, nick: string, buf: Buffer, start: number, end: number): void {
    if (!this.enabled || this.#closing) return;
    // Consecutive lines are mostly one room's (a socket read holds one sender's lines): one compare.
    let ring = this.#lastRing;
    if (ring === undefined || ring.room !== room) ring = this.#lastRing = this.#pending.get(room);
    if (ring === undefined) {
      ring = new PendingHistoryRing(room, this.#cap);
      this.#pending.set(room, ring);
      this.#pendingByKey.set(room.toLowerCase(), ring);
      this.#lastRing = ring;
    }
    ring.push(ts, nick, buf, start, end);
    this.#timer ??= setTimeout(() => this.flush(), this.#flushEveryMs).unref();
  }

  /** Why lines are not being saved right now ("disk full"), or undefined while writes succeed. */
  get problem(): string | undefined {
    return this.#health.problem('history');
  }

  /** Lines held for a retry now (at most `retryLines`). */
  get heldLines(): number {
    return this.#heldLines;
  }

  /**
   * The last `n` lines of a room, oldest first, including lines not yet committed — unless writes are
   * failing: a line shown here must be one that is (or is about to be) stored. Reading hands nothing
   * to the writer: a `/join` storm must not turn the once-per-interval batch into one per `/join`.
   */
  recent(room: string, n: number): HistoryLine[] {
    if (!this.enabled) return [];
    const key = room.toLowerCase();
    const want = Math.min(n, this.#cap);
    let stored: HistoryLine[];
    try {
      stored = this.#recent(key, want);
    } catch (err) {
      this.#health.failed('history', err, 'reading history');
      return [];
    }
    if (this.problem !== undefined) return stored;
    const uncommitted: HistoryLine[] = [];
    for (const { batch: b, retry } of this.#inFlight.values()) {
      if (retry) continue;
      let texts: string[] | undefined;
      for (let i = 0; i < b.ts.length; i++) {
        const room = b.names[b.room[i] as number] as string;
        if (room.toLowerCase() !== key) continue;
        texts ??= batchTexts(b);
        uncommitted.push({ room, ts: b.ts[i] as number, nick: b.names[b.nick[i] as number] as string, text: texts[i] as string });
      }
    }
    // Queued after every batch in flight was posted, so newer than all of them.
    this.#pendingByKey.get(key)?.readInto(uncommitted);
    // A batch may commit between the query and this scan; the writer's order is ours, so the
    // committed tail and the uncommitted head can only overlap, never interleave.
    const merged = dropOverlap(stored, uncommitted);
    return merged.slice(-want);
  }

  /** Hands the queued lines to the writer thread, after a retry of the held ones. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    // Only with nothing in flight: a batch posted earlier that fails later would come back behind
    // the retried (older) lines and be stored out of order.
    if (this.#held.length > 0 && this.#inFlight.size === 0) {
      for (const batch of this.#held.splice(0)) this.#post(batch, true);
    }
    this.#handOff();
    if (this.#held.length > 0 && !this.#closing) this.#timer = setTimeout(() => this.flush(), this.#flushEveryMs).unref();
  }

  #handOff(): void {
    if (this.#pending.size === 0 || !this.#writer) return;
    const builder = new HistoryBatchBuilder();
    for (const ring of this.#pending.values()) ring.drainInto(builder);
    this.#pending.clear();
    this.#pendingByKey.clear();
    this.#lastRing = undefined;
    this.#post(builder.build(), false);
  }

  #post(batch: HistoryBatch, retry: boolean): void {
    const id = this.#nextBatch++;
    this.#inFlight.set(id, { batch, retry });
    this.#batchesPosted++;
    this.#writer?.postMessage({ type: 'batch', id, batch } satisfies WriterRequest);
  }

  #written(id: number): void {
    const posted = this.#inFlight.get(id);
    this.#inFlight.delete(id);
    if (posted?.retry) this.#setHeld(this.#heldLines - posted.batch.ts.length);
    this.#health.ok('history');
  }

  /** A batch failed: hold it for a retry, dropping the oldest held lines beyond `retryLines`. */
  #failed(id: number, err: Error): void {
    const posted = this.#inFlight.get(id);
    this.#inFlight.delete(id);
    const lines = posted?.batch.ts.length ?? 0;
    this.#health.failed('history', err, posted ? `${lines} lines not saved, held for a retry` : 'closing the writer');
    if (posted === undefined) return;
    this.#held.push(posted.batch);
    let over = this.#heldLines + (posted.retry ? 0 : lines) - this.#retryLines;
    let dropped = 0;
    while (over > 0 && this.#held.length > 0) {
      const oldest = this.#held[0] as HistoryBatch;
      const take = Math.min(over, oldest.ts.length);
      if (take === oldest.ts.length) this.#held.shift();
      else this.#held[0] = sliceBatch(oldest, take);
      over -= take;
      dropped += take;
    }
    if (dropped > 0) this.#health.dropped('history', dropped);
    this.#setHeld(this.#heldLines + (posted.retry ? 0 : lines) - dropped);
    if (!this.#closing) this.#timer ??= setTimeout(() => this.flush(), this.#flushEveryMs).unref();
  }

  #setHeld(n: number): void {
    this.#heldLines = n;
    this.#health.setHeld('history', n);
  }

  /** Flushes, waits (bounded) for the writer to commit everything, and stops it. Idempotent. */
  close(timeoutMs = 3000): Promise<void> {
    this.#closing ??= (async () => {
      this.flush();
      const writer = this.#writer;
      if (!writer) return;
      const closed = new Promise<void>((resolve) => {
        writer.on('message', (m: WriterReply) => m.type === 'closed' && resolve());
        if (writer instanceof Worker) writer.once('exit', () => resolve());
      });
      // Held open until the writer confirms, so the last batch is committed before the process exits.
      writer.ref();
      writer.postMessage({ type: 'close' } satisfies WriterRequest);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      if (writer instanceof Worker) await writer.terminate();
      else writer.close(); // closes both ends of the channel
      // Still failing at exit: what was held is lost now, and counted.
      if (this.#heldLines > 0) this.#health.dropped('history', this.#heldLines);
      this.#setHeld(0);
      clearTimeout(this.#timer);
    })();
    return this.#closing;
  }
}

function same(a: HistoryLine, b: HistoryLine): boolean {
  return a.ts === b.ts && a.nick === b.nick && a.text === b.text && a.room === b.room;
}

/** stored ends with some prefix of uncommitted when a batch committed mid-read; keep one copy. */
function dropOverlap(stored: HistoryLine[], uncommitted: HistoryLine[]): HistoryLine[] {
  for (let k = Math.min(stored.length, uncommitted.length); k > 0; k--) {
    let match = true;
    for (let i = 0; i < k && match; i++) match = same(stored[stored.length - k + i] as HistoryLine, uncommitted[i] as HistoryLine);
    if (match) return stored.concat(uncommitted.slice(k));
  }
  return stored.concat(uncommitted);
}
