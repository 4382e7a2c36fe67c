/**
 * A WebSocket connection dressed as the part of a `net.Socket` that a virtual client uses (`Link`,
 * dialer.ts), so that client-socket.ts, connect timing and reach watching treat `ws://`/`wss://` like
 * TCP. The chatpulse lines travel one per text frame, as the server's `/chat/ws` speaks them.
 *
 * Events: `connect` (TCP up, from the socket ws dials through our `createConnection`), `open` (the
 * upgrade answered: lines may be written), `drain`, `error` (Node's `code` kept for connect failures; a refused upgrade has none), `close`.
 * Lines go to the one handler given to `onLines`, not as events. Backpressure is the TCP socket's own: a write reports full when the socket needs a drain, as
 * `net.Socket.write` does — with permessage-deflate off, ws writes each frame to the socket at once.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { takeOverFrames } from '../protocol/ws-frame-reader.js';
import { maskedTextFrames } from './ws-frame-writer.js';
import { trustContext } from './trust-context.js';

/** Text frames up to this size are read by `WsFrameReader`; a bigger one hands the connection back to ws. */
const MAX_FAST_FRAME = 1024 * 1024;

export interface WsLinkOptions {
  /** `ws://HOST:PORT/PATH` or `wss://…`. */
  url: string;
  /** wss: accept any certificate. @default false */
  tlsInsecure?: boolean;
  /** wss: an extra trusted CA/certificate, PEM text. */
  tlsCa?: string;
}

export type LineHandler = (buf: Buffer, start: number, end: number, newRead: boolean) => void;

export class WsLink extends EventEmitter {
  readonly #ws: WebSocket;
  #socket: net.Socket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #destroyed = false;
  #closeKind = '';
  /** Past the upgrade with the ws we know: frames are read and written here (ws-frame-reader/-writer). */
  #framesOurselves = false;
  #onLine: LineHandler = () => {};

  constructor(o: WsLinkOptions) {
    super();
    const ws = new WebSocket(o.url, {
      perMessageDeflate: false,
      // The decoder works on bytes and the inbox checks what it reads; ws's own pass would be a second one.
      skipUTF8Validation: true,
      rejectUnauthorized: !o.tlsInsecure,
      ...(o.tlsCa ? { secureContext: trustContext(o.tlsCa) } : {}),
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
    ws.on('open', () => {
      this.#readFramesOurselves();
      this.emit('open');
    });
    // Messages ws still reads itself (fragmented ones, and every frame after an oversized one).
    ws.on('message', (data: Buffer) => this.#emitLines(data));
    ws.on('error', (err: Error) => this.emit('error', err));
    ws.on('close', (code: number) => {
      this.#closeKind = wsCloseKind(code);
      this.#destroyed = true;
      clearTimeout(this.#timer);
      this.emit('close');
    });
  }

  /**
   * From the upgrade on, the socket's bytes go to a `WsFrameReader`: whole text frames straight to
   * the `onLines` handler, everything else on to ws's own receiver, as ws's own data listener would have passed it.
   */
  #readFramesOurselves(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    const ws = this.#ws;
    this.#framesOurselves = takeOverFrames(ws, socket, {
      // Nothing after a close frame or a frame ws refused (ws is CLOSING then, or CLOSED), as ws itself
      // delivers nothing after them.
      text: (buf, start, end, newRead) => {
        if (ws.readyState === WebSocket.OPEN) this.#onLine(buf, start, end, newRead);
      },
      maxFast: MAX_FAST_FRAME,
      masked: false,
    });
  }

  /**
   * Where the lines go: `buf[start, end)` is one line, no `\n` in it (a text frame, or a part of one
   * between `\n`s), valid only during the call; `newRead`: the first of a socket read. A call, not an
   * event: `emit` spread its four arguments for every frame (~4 % of a busy worker, perf).
   */
  onLines(handler: LineHandler): void {
    this.#onLine = handler;
  }

  /** Whether frames are read and written here rather than by ws (past the upgrade, with the ws we know). */
  get framesOurselves(): boolean {
    return this.#framesOurselves;
  }

  /** A whole message from ws as lines, split at each `\n` as `WsFrameReader` splits its frames. */
  #emitLines(data: Buffer): void {
    let start = 0;
    let newRead = true;
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
      this.#onLine(data, start, nl, newRead);
      newRead = false;
      start = nl + 1;
    }
    if (start < data.length || start === 0) this.#onLine(data, start, data.length, newRead);
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Once closed: what the close code says went wrong ('' for a normal close or none received). */
  get closeKind(): string {
    return this.#closeKind;
  }

  /**
   * `text`: one or more `\n`-ended lines; each becomes one text frame (bytes: one binary frame). False:
   * the socket is backed up.
   */
  write(text: string | Uint8Array): boolean {
    const ws = this.#ws;
    if (ws.readyState !== WebSocket.OPEN) return true;
    if (typeof text !== 'string') {
      ws.send(text);
      return this.#socket?.writableNeedDrain !== true;
    }
    const socket = this.#socket;
    if (this.#framesOurselves && socket !== undefined) {
      // Our frames straight to the socket, in call order with ws's own (pong, close): with
      // permessage-deflate off, ws writes each of its frames to the socket at once, never from a queue.
      return socket.write(maskedTextFrames(text));
    }
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      ws.send(text.slice(start, nl));
      start = nl + 1;
    }
    if (start < text.length) ws.send(text.slice(start));
    return socket?.writableNeedDrain !== true;
  }

  /** The goodbye lines, then a normal close (1000); the close event follows the peer's answer. */
  end(goodbye: string | Uint8Array): void {
    if (goodbye.length > 0) this.write(goodbye);
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

/** The codes a server sends for a reason a run should name, as disconnect kinds (RFC 6455 §7.4.1). */
const CLOSE_KINDS: Readonly<Record<number, string>> = {
  1001: 'server_going_away',
  1002: 'ws_protocol_error',
  1003: 'ws_unsupported_data',
  1007: 'ws_invalid_data',
  1008: 'ws_policy_violation',
  1009: 'ws_message_too_big',
  1011: 'ws_server_error',
  1012: 'ws_service_restart',
  1013: 'ws_try_again_later',
};

/**
 * The disconnect kind for a WebSocket close code. '' — no fault of its own, the client names the close
 * as it would a TCP one — for 1000 (a normal close: the chatpulse server's own after its goodbye line,
 * which names it) and for 1005/1006, which never travel in a close frame: ws reports them when the
 * frame had no code, or when the connection ended without any close frame at all.
 */
export function wsCloseKind(code: number): string {
  if (code === 1000 || code === 1005 || code === 1006) return '';
  return CLOSE_KINDS[code] ?? `ws_close_${code}`;
}
