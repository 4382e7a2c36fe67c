/**
 * The aggregator's notion of time, injectable so tests drive ticks exactly: `now()` is read at every
 * tick (MPS divides by the real elapsed time), `every()` schedules the ticks.
 */
export interface TickClock {
  /** Wall clock, epoch ms. */
  now(): number;
  /** Calls `fn` every `ms`; returns a function that stops it. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: TickClock = {
  now: Date.now,
  every(ms, fn) {
    // unref: the tick alone must not keep a process alive whose sockets are all closed.
    const timer = setInterval(fn, ms).unref();
    return () => clearInterval(timer);
  },
};

/** A clock that moves only when told: `advance(ms)` sets the time and fires the due ticks. */
export class ManualClock implements TickClock {
  #now: number;
  #timers: { ms: number; due: number; fn: () => void }[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  every(ms: number, fn: () => void): () => void {
    const timer = { ms, due: this.#now + ms, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`; a tick fires at most once per call, at the new time (like a late timer). */
  advance(ms: number): void {
    this.#now += ms;
    for (const t of [...this.#timers]) {
      if (t.due <= this.#now) {
        t.due = this.#now + t.ms;
        t.fn();
      }
    }
  }
}
