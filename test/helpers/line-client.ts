import net from 'node:net';
import { LineLog, type LinePredicate } from './line-log.js';

/** A test chat client over a real socket: collects lines and waits for the ones a test expects. */
export class LineClient {
  readonly socket: net.Socket;
  closed = false;
  #buf = '';
  readonly #log = new LineLog();

  get lines(): string[] {
    return this.#log.lines;
  }

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.#buf += d;
      let nl: number;
      while ((nl = this.#buf.indexOf('\n')) >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        this.#log.push(line);
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
  waitFor(pred: LinePredicate, timeoutMs = 3000, from = 0): Promise<string> {
    return this.#log.waitFor(pred, timeoutMs, from);
  }

  /** Sends `line` and waits for a reply matching `pred` that arrives after it. */
  async ask(line: string, pred: LinePredicate, timeoutMs = 3000): Promise<string> {
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
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
