/**
 * A virtual client's messages that fell due while they could not be written (reconnecting, joining,
 * socket backed up, `--inflight` window full), oldest first, each with its intended time unchanged:
 * corrected latency charges the wait to the server (see virtual-client.ts).
 *
 * Three parallel numeric arrays rather than an object per entry: a message passes through here on the
 * send path, and a busy run queues thousands per second.
 */

/** What a queued message is: a room message, or a PM to the client with gid `target`. */
export const enum SendKind {
  Room = 0,
  Pm = 1,
}

/** Most messages one client holds; past it a due message is dropped and counted (`queue_full`). */
export const QUEUE_MAX = 1000;

/**
 * The time a message's corrected latency counts from: when it fell due, or when its client first
 * arrived if that was later (see virtual-client.ts) — but never after the actual write. The scheduler
 * fires actions up to half a millisecond early to batch timers, and a message written before its due
 * time was not kept waiting: counting from the later due time would make corrected latency smaller
 * than uncorrected.
 */
export function intendedTime(due: number, arrivedAt: number, written: number): number {
  return Math.min(written, Math.max(due, arrivedAt));
}

export class SendQueue {
  readonly #max: number;
  // Entry i: due epoch ms, SendKind, PM target gid (0 for a room message).
  readonly #due: number[] = [];
  readonly #kind: number[] = [];
  readonly #target: number[] = [];

  constructor(max = QUEUE_MAX) {
    this.#max = max;
  }

  get length(): number {
    return this.#due.length;
  }

  /** Queues a message due at epoch ms `due`; false (nothing queued) when the queue is full. */
  push(due: number, kind: SendKind, target: number): boolean {
    if (this.#due.length >= this.#max) return false;
    this.#due.push(due);
    this.#kind.push(kind);
    this.#target.push(target);
    return true;
  }

  /** Entry `i`'s due time (0 = oldest; `i` < `length`). */
  due(i: number): number {
    return this.#due[i] as number;
  }

  kind(i: number): SendKind {
    return this.#kind[i] as SendKind;
  }

  /** Entry `i`'s PM target gid. */
  target(i: number): number {
    return this.#target[i] as number;
  }

  /** The oldest `n` entries were written: forgets them. */
  sent(n: number): void {
    if (n <= 0) return;
    this.#due.splice(0, n);
    this.#kind.splice(0, n);
    this.#target.splice(0, n);
  }

  clear(): void {
    this.#due.length = this.#kind.length = this.#target.length = 0;
  }
}
