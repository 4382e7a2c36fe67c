import WebSocket from 'ws';
import { LineClientBase } from './line-log.js';

/** A test client for `WS /chat/ws`: one line per text frame, collected like LineClient's. */
export class WsLineClient extends LineClientBase<string | Buffer> {
  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    super();
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('server sent a binary frame');
      this.log.push(data.toString());
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

  protected onceClosed(fn: () => void): void {
    this.ws.once('close', fn);
  }

  close(): void {
    this.ws.terminate();
  }
}
