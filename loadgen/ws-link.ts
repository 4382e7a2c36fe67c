/**
 * A WebSocket connection dressed as the part of a `net.Socket` that a virtual client uses (`Link`,
 * dialer.ts), so that client-socket.ts, connect timing and reach watching treat `ws://`/`wss://` like
 * TCP. The chatpulse lines travel one per text frame, as the server's `/chat/ws` speaks them.
 *
 * Events: `connect` (TCP up, from the socket ws dials through our `createConnection`), `open` (the
 * upgrade answered: lines may be written), `line` (one frame's bytes: a whole line, no `\n`), `drain`,
 * `error` (Node's `code` kept for connect failures; a refused upgrade has none), `close`.
 * Backpressure is the TCP socket's own: a write reports full when the socket needs a drain, as
 * `net.Socket.write` does — with permessage-deflate off, ws writes each frame to the socket at once.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';

export interface WsLinkOptions {
  /** `ws://HOST:PORT/PATH` or `wss://…`. */
  url: string;
  /** wss: accept any certificate. @default false */
  tlsInsecure?: boolean;
  /** wss: an extra trusted CA/certificate, PEM text. */
  tlsCa?: string;
}

export class WsLink extends EventEmitter {
  readonly #ws: WebSocket;
  #socket: net.Socket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #destroyed = false;

  constructor(o: WsLinkOptions) {
    super();
    const ws = new WebSocket(o.url, {
      perMessageDeflate: false,
      // The decoder works on bytes and the inbox checks what it reads; ws's own pass would be a second one.
      skipUTF8Validation: true,
      rejectUnauthorized: !o.tlsInsecure,
      ...(o.tlsCa ? { ca: [...tls.rootCertificates, o.tlsCa] } : {}),
      createConnection: (opts: net.NetConnectOpts & tls.ConnectionOptions) => {
        const s = o.url.startsWith('wss:') ? tls.connect(opts) : net.connect(opts);
        s.setNoDelay(true);
        s.once('connect', () => this.emit('connect'));
        s.on('drain', () => this.emit('drain'));
        this.#socket = s;
        return s;
      },
    } as WebSocket.ClientOptions);
    this.#ws = ws;
    ws.on('open', () => this.emit('open'));
    ws.on('message', (data: Buffer) => this.emit('line', data));
    ws.on('error', (err: Error) => this.emit('error', err));
    ws.on('close', () => {
      this.#destroyed = true;
      clearTimeout(this.#timer);
      this.emit('close');
    });
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** `text`: one or more `\n`-ended lines; each becomes one text frame. False: the socket is backed up. */
  write(text: string): boolean {
    const ws = this.#ws;
    if (ws.readyState !== WebSocket.OPEN) return true;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      ws.send(text.slice(start, nl));
      start = nl + 1;
    }
    if (start < text.length) ws.send(text.slice(start));
    return this.#socket?.writableNeedDrain !== true;
  }

  /** The goodbye lines, then a normal close (1000); the close event follows the peer's answer. */
  end(goodbye: string): void {
    if (goodbye !== '') this.write(goodbye);
    this.#ws.close(1000);
  }

  destroy(): void {
    this.#ws.terminate();
  }

  /**
   * Like `net.Socket.setTimeout` as the client uses it: a bound on connecting (here: TCP, TLS and the
   * upgrade together), cancelled with 0. Not an idle timer: nothing resets it.
   */
  setTimeout(ms: number, fn?: () => void): this {
    clearTimeout(this.#timer);
    if (ms > 0 && fn) this.#timer = setTimeout(fn, ms);
    return this;
  }
}
