import { Worker } from 'node:worker_threads';
import type { Db } from '../store/database.js';
import { batchTexts, HistoryBatchBuilder, type HistoryBatch } from './history-batch.js';
import { HistoryRing } from './history-ring.js';
import { createHistorySchema } from './history-schema.js';
import type { WriterReply, WriterRequest } from './history-writer.js';

export interface HistoryLine {
  ts: number;
  room: string;
  nick: string;
  text: string;
}

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
}

/**
 * Chat history in SQLite. Appending is an array push on the hot path; batches go to a writer thread
 * (server/history-writer.ts) that commits each in one transaction — never one per message, and never
 * on the event loop. Reads (`/join`, `/history`) query the main connection and add the lines handed
 * off but not yet committed, so a reader always sees every line sent before it asked.
 */
export class HistoryStore {
  /** Lines not yet handed off, per room (by its canonical name), each bounded by the cap. */
  #pending = new Map<string, HistoryRing>();
  /** Batches posted to the writer and not yet confirmed, by batch id. */
  readonly #inFlight = new Map<number, HistoryBatch>();
  #nextBatch = 1;
  #timer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  readonly #cap: number;
  readonly #flushEveryMs: number;
  readonly #worker: Worker | undefined;
  readonly #recent: (key: string, n: number) => HistoryLine[];

  constructor(db: Db, opts: HistoryOptions) {
    this.#cap = opts.cap;
    this.#flushEveryMs = opts.flushEveryMs ?? 1000;
    createHistorySchema(db);
    const recent = db.prepare(`SELECT ts, room, nick, text FROM
      (SELECT id, ts, room, nick, text FROM chat_history WHERE room_key = ? ORDER BY id DESC LIMIT ?) ORDER BY id`);
    this.#recent = (key, n) => recent.all(key, n) as HistoryLine[];
    if (this.#cap > 0 && db.name !== ':memory:') {
      this.#worker = new Worker(new URL('./history-writer.js', import.meta.url), { workerData: { file: db.name, cap: this.#cap } });
      this.#worker.on('message', (msg: WriterReply) => {
        if (msg.type === 'written') this.#inFlight.delete(msg.id);
        else if (msg.type === 'failed') console.error(`chatpulse: history write failed: ${msg.message}`);
      });
      this.#worker.on('error', (err) => console.error('chatpulse: history writer crashed:', err));
      this.#worker.unref();
    }
  }

  get enabled(): boolean {
    return this.#cap > 0 && this.#worker !== undefined;
  }

  /** `room` is the room's canonical name (one spelling per room, as the chat core keeps it). */
  append(room: string, ts: number, nick: string, text: string): void {
    const bytes = Buffer.from(text);
    this.appendBytes(room, ts, nick, bytes, 0, bytes.length);
  }

  /** As `append`, with the text as bytes [start, end) of a buffer that never changes afterwards. */
  appendBytes(room: string, ts: number, nick: string, buf: Buffer, start: number, end: number): void {
    if (!this.enabled || this.#closing) return;
    let ring = this.#pending.get(room);
    if (ring === undefined) {
      ring = new HistoryRing(room, this.#cap);
      this.#pending.set(room, ring);
    }
    ring.push(ts, nick, buf, start, end);
    this.#timer ??= setTimeout(() => this.flush(), this.#flushEveryMs).unref();
  }

  /** The last `n` lines of a room, oldest first, including lines not yet committed. */
  recent(room: string, n: number): HistoryLine[] {
    if (!this.enabled) return [];
    const key = room.toLowerCase();
    const want = Math.min(n, this.#cap);
    this.flush(); // what is still pending becomes an in-flight batch, read below
    const stored = this.#recent(key, want);
    const uncommitted: HistoryLine[] = [];
    for (const b of this.#inFlight.values()) {
      let texts: string[] | undefined;
      for (let i = 0; i < b.ts.length; i++) {
        const room = b.names[b.room[i] as number] as string;
        if (room.toLowerCase() !== key) continue;
        texts ??= batchTexts(b);
        uncommitted.push({ room, ts: b.ts[i] as number, nick: b.names[b.nick[i] as number] as string, text: texts[i] as string });
      }
    }
    // A batch may commit between the query and this scan; the writer's order is ours, so the
    // committed tail and the uncommitted head can only overlap, never interleave.
    const merged = dropOverlap(stored, uncommitted);
    return merged.slice(-want);
  }

  /** Hands the queued lines to the writer thread. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0 || !this.#worker) return;
    const id = this.#nextBatch++;
    const builder = new HistoryBatchBuilder();
    for (const ring of this.#pending.values()) ring.drainInto(builder);
    this.#pending.clear();
    const batch = builder.build();
    this.#inFlight.set(id, batch);
    this.#worker.postMessage({ type: 'batch', id, batch } satisfies WriterRequest);
  }

  /** Flushes, waits (bounded) for the writer to commit everything, and stops it. Idempotent. */
  close(timeoutMs = 3000): Promise<void> {
    this.#closing ??= (async () => {
      this.flush();
      const worker = this.#worker;
      if (!worker) return;
      const closed = new Promise<void>((resolve) => {
        worker.on('message', (m: WriterReply) => m.type === 'closed' && resolve());
        worker.once('exit', () => resolve());
      });
      // Held open until the writer confirms, so the last batch is committed before the process exits.
      worker.ref();
      worker.postMessage({ type: 'close' } satisfies WriterRequest);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      await worker.terminate();
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
