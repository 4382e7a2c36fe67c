import WebSocket from 'ws';

/** A test client for `WS /chat/ws`: one line per text frame, collected like LineClient's. */
export class WsLineClient {
  readonly lines: string[] = [];
  readonly ws: WebSocket;
  closed = false;
  #waiters: { test: (l: string) => boolean; from: number; resolve: (l: string) => void }[] = [];

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('server sent a binary frame');
      const line = data.toString();
      this.lines.push(line);
      for (const w of [...this.#waiters]) {
        if (this.lines.length - 1 >= w.from && w.test(line)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => (this.closed = true));
  }

  static connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<WsLineClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, opts);
      const c = new WsLineClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }

  static async login(url: string, nick: string): Promise<WsLineClient> {
    const c = await WsLineClient.connect(url);
    await c.ask(`/nick ${nick}`, (l) => l.startsWith('* Welcome') && l.includes(nick));
    return c;
  }

  send(line: string | Buffer): void {
    this.ws.send(line, { binary: false });
  }

  waitFor(pred: string | RegExp | ((l: string) => boolean), timeoutMs = 3000, from = 0): Promise<string> {
    const test = typeof pred === 'string' ? (l: string) => l === pred : pred instanceof RegExp ? (l: string) => pred.test(l) : pred;
    const hit = this.lines.slice(from).find(test);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = { test, from, resolve: (l: string) => { clearTimeout(t); resolve(l); } };
      const t = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(new Error(`timed out waiting for ${String(pred)}; got:\n${this.lines.slice(-10).join('\n')}`));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  ask(line: string | Buffer, pred: string | RegExp | ((l: string) => boolean), timeoutMs = 3000): Promise<string> {
    const from = this.lines.length;
    this.send(line);
    return this.waitFor(pred, timeoutMs, from);
  }

  waitClosed(timeoutMs = 3000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('websocket did not close')), timeoutMs);
      this.ws.once('close', () => { clearTimeout(t); resolve(); });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
