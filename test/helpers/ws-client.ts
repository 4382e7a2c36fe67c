import WebSocket from 'ws';
import { LineLog, type LinePredicate } from './line-log.js';

/** A test client for `WS /chat/ws`: one line per text frame, collected like LineClient's. */
export class WsLineClient {
  readonly ws: WebSocket;
  closed = false;
  readonly #log = new LineLog();

  get lines(): string[] {
    return this.#log.lines;
  }

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('server sent a binary frame');
      this.#log.push(data.toString());
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

  waitFor(pred: LinePredicate, timeoutMs = 3000, from = 0): Promise<string> {
    return this.#log.waitFor(pred, timeoutMs, from);
  }

  ask(line: string | Buffer, pred: LinePredicate, timeoutMs = 3000): Promise<string> {
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
