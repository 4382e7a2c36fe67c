/**
 * A bounded record of one run's ticks that still spans the run from its start: when full it keeps every
 * other item and doubles its stride, so memory stays at most `maxItems` + 1 however long the run goes.
 * The newest item is always kept. Used by the browser (live buffer) and by the hub (dashboard/attach.ts,
 * history frames): it lives here because the browser bundle may import only dashboard/web/ and protocol/.
 * Browser-safe.
 */
export class ThinnedHistory<T> {
  readonly maxItems: number;
  #kept: T[] = [];
  #stride = 1;
  #seen = 0;
  #last: T | undefined;
  #lastKept = false;

  /** @param maxItems at least 2. @default 2000 */
  constructor(maxItems = 2000) {
    if (!Number.isInteger(maxItems) || maxItems < 2) throw new RangeError(`maxItems must be an integer >= 2, got ${maxItems}`);
    this.maxItems = maxItems;
  }

  push(item: T): void {
    this.#last = item;
    this.#lastKept = this.#seen % this.#stride === 0;
    if (this.#lastKept) {
      this.#kept.push(item);
      if (this.#kept.length > this.maxItems) {
        this.#kept = this.#kept.filter((_, i) => i % 2 === 0);
        this.#stride *= 2;
        this.#lastKept = this.#kept[this.#kept.length - 1] === item;
      }
    }
    this.#seen++;
  }

  /** Oldest first; the newest item always included. */
  items(): T[] {
    if (this.#last === undefined || this.#lastKept) return this.#kept.slice();
    return [...this.#kept, this.#last];
  }

  /** True once items have been dropped to stay within `maxItems`. */
  get thinned(): boolean {
    return this.#stride > 1;
  }

  get size(): number {
    return this.#seen;
  }

  clear(): void {
    this.#kept = [];
    this.#stride = 1;
    this.#seen = 0;
    this.#last = undefined;
    this.#lastKept = false;
  }
}
