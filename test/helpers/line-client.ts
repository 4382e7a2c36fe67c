import net from 'node:net';
import { LineClientBase } from './line-log.js';

/** A test chat client over a real socket: collects lines and waits for the ones a test expects. */
export class LineClient extends LineClientBase {
  readonly socket: net.Socket;
  #buf = '';

  constructor(socket: net.Socket) {
    super();
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.#buf += d;
      let nl: number;
      while ((nl = this.#buf.indexOf('\n')) >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        this.log.push(line);
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

  protected onceClosed(fn: () => void): void {
    this.socket.once('close', fn);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Asks `line` until the answer (a `*` or `!` line) matches: cluster presence crosses nodes on the next heartbeat. */
export async function askUntil(c: LineClient, line: string, pred: (l: string) => boolean, timeoutMs = 5000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    last = await c.ask(line, /^[*!]/);
    if (pred(last)) return last;
    await sleep(100);
  }
  throw new Error(`no matching answer to ${line}; last: ${last}`);
}
