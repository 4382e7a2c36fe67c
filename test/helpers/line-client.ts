import net from 'node:net';

/** A test chat client over a real socket: collects lines and waits for the ones a test expects. */
export class LineClient {
  readonly lines: string[] = [];
  readonly socket: net.Socket;
  closed = false;
  #buf = '';
  #waiters: { pred: (l: string) => boolean; from: number; resolve: (l: string) => void }[] = [];

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.#buf += d;
      let nl: number;
      while ((nl = this.#buf.indexOf('\n')) >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        this.lines.push(line);
        this.#check();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new LineClient(s)));
      s.once('error', reject);
    });
  }

  /** Connects, sets a nickname and waits for the welcome. */
  static async login(port: number, nick: string): Promise<LineClient> {
    const c = await LineClient.connect(port);
    c.send(`/nick ${nick}`);
    await c.waitFor((l) => l.startsWith(`* Welcome`) && l.includes(nick));
    return c;
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  /** Resolves with the first line (received after `from`, default: any so far) matching `pred`. */
  waitFor(pred: string | RegExp | ((l: string) => boolean), timeoutMs = 3000, from = 0): Promise<string> {
    const test = typeof pred === 'string' ? (l: string) => l === pred : pred instanceof RegExp ? (l: string) => pred.test(l) : pred;
    const hit = this.lines.slice(from).find(test);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const waiter = { pred: test, from, resolve: (l: string) => { clearTimeout(timer); resolve(l); } };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${String(pred)}; got:\n${this.lines.slice(-10).map((l) => (l.length > 160 ? `${l.slice(0, 160)}…` : l)).join('\n')}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Sends `line` and waits for a reply matching `pred` that arrives after it. */
  async ask(line: string, pred: string | RegExp | ((l: string) => boolean), timeoutMs = 3000): Promise<string> {
    const from = this.lines.length;
    this.send(line);
    return this.waitFor(pred, timeoutMs, from);
  }

  waitClosed(timeoutMs = 3000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.socket.once('close', () => { clearTimeout(t); resolve(); });
    });
  }

  close(): void {
    this.socket.destroy();
  }

  #check(): void {
    const last = this.lines.length - 1;
    const line = this.lines[last] as string;
    for (const w of [...this.#waiters]) {
      if (last >= w.from && w.pred(line)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
