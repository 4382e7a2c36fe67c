/** What a test expects of a line: exact text, a pattern, or any predicate. */
export type LinePredicate = string | RegExp | ((l: string) => boolean);

function toTest(pred: LinePredicate): (l: string) => boolean {
  return typeof pred === 'string' ? (l) => l === pred : pred instanceof RegExp ? (l) => pred.test(l) : pred;
}

/** The lines a test client received, and waiters for the ones it expects (shared by the TCP and WS clients). */
export class LineLog {
  readonly lines: string[] = [];
  #waiters: { test: (l: string) => boolean; from: number; resolve: (l: string) => void }[] = [];

  push(line: string): void {
    this.lines.push(line);
    const index = this.lines.length - 1;
    for (const w of [...this.#waiters]) {
      if (index >= w.from && w.test(line)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  }

  /** Resolves with the first line (received at index `from` or later) matching `pred`. */
  waitFor(pred: LinePredicate, timeoutMs = 3000, from = 0): Promise<string> {
    const test = toTest(pred);
    const hit = this.lines.slice(from).find(test);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const waiter = { test, from, resolve: (l: string) => { clearTimeout(timer); resolve(l); } };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        const tail = this.lines.slice(-10).map((l) => (l.length > 160 ? `${l.slice(0, 160)}…` : l)).join('\n');
        reject(new Error(`timed out waiting for ${String(pred)}; got:\n${tail}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }
}

/** What the TCP and WebSocket test clients share; each says only how it sends and how it closes. */
export abstract class LineClientBase<Out = string> {
  closed = false;
  protected readonly log = new LineLog();

  get lines(): string[] {
    return this.log.lines;
  }

  abstract send(line: Out): void;
  abstract close(): void;
  /** Calls `fn` once when the underlying socket closes. */
  protected abstract onceClosed(fn: () => void): void;

  /** Resolves with the first line (received at index `from` or later) matching `pred`. */
  waitFor(pred: LinePredicate, timeoutMs = 3000, from = 0): Promise<string> {
    return this.log.waitFor(pred, timeoutMs, from);
  }

  /** Sends `line` and waits for a reply matching `pred` that arrives after it. */
  ask(line: Out, pred: LinePredicate, timeoutMs = 3000): Promise<string> {
    const from = this.lines.length;
    this.send(line);
    return this.waitFor(pred, timeoutMs, from);
  }

  waitClosed(timeoutMs = 3000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('connection did not close')), timeoutMs);
      this.onceClosed(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
