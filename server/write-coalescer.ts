/**
 * Coalesces writes per event-loop turn: connections queue buffers, and one `setImmediate` per turn
 * writes each dirty connection's queue as a single buffer — one `write` per socket however many
 * messages the turn produced. (A room's members follow its line arena, `Connection.follow`, so
 * during the turn a room message is one append, not one push per member.) setImmediate, not
 * nextTick: every socket read in the same poll phase joins the batch.
 */
export interface Flushable {
  /** Set by the coalescer while queued; flushables never touch it. */
  dirty: boolean;
  flush(): void;
}

export class WriteCoalescer {
  #dirty: Flushable[] = [];
  #spare: Flushable[] = [];
  #scheduled = false;
  readonly #afterFlush: () => void;

  constructor(afterFlush: () => void = () => {}) {
    this.#afterFlush = afterFlush;
  }

  mark(f: Flushable): void {
    if (f.dirty) return;
    f.dirty = true;
    this.#dirty.push(f);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.flushNow);
    }
  }

  /** Writes everything queued now (also used at shutdown). */
  readonly flushNow = (): void => {
    this.#scheduled = false;
    const list = this.#dirty;
    this.#dirty = this.#spare;
    for (let i = 0; i < list.length; i++) {
      const f = list[i] as Flushable;
      f.dirty = false;
      f.flush();
    }
    list.length = 0;
    this.#spare = list;
    this.#afterFlush();
  };
}
