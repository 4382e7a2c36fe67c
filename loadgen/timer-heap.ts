/** A min-heap of timed events, so one worker runs its whole schedule on a single timer. */
export interface Timed {
  t: number;
  client: number;
  kind: number;
}

export class TimerHeap {
  readonly #items: Timed[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): Timed | undefined {
    return this.#items[0];
  }

  push(item: Timed): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as Timed).t <= item.t) break;
      a[i] = a[parent] as Timed;
      i = parent;
    }
    a[i] = item;
  }

  pop(): Timed | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && (a[r] as Timed).t < (a[l] as Timed).t ? r : l;
      if ((a[c] as Timed).t >= last.t) break;
      a[i] = a[c] as Timed;
      i = c;
    }
    a[i] = last;
    return top;
  }

  clear(): void {
    this.#items.length = 0;
  }
}
