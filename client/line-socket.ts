import net from 'node:net';
import { LineDecoder } from '../protocol/index.js';
import { backoffDelay, defaultBackoff, type BackoffOptions } from './backoff.js';

export interface LineSocketOptions {
  host: string;
  port: number;
  /** Reconnect when the connection fails or drops. @default true */
  reconnect?: boolean;
  backoff?: BackoffOptions;
}

export interface LineSocketEvents {
  onConnect(): void;
  onLine(line: string): void;
  /** The connection failed or dropped; `retryInMs` is null when no retry follows. */
  onDown(info: { wasConnected: boolean; error: string | null; retryInMs: number | null }): void;
}

/** Server lines can hold a whole history burst; this only bounds a runaway peer. */
const MAX_INCOMING_LINE = 1024 * 1024;

/** A TCP line connection to a chatpulse server that reconnects by itself with jittered backoff. */
export class LineSocket {
  #socket: net.Socket | null = null;
  #connected = false;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #opts: Required<LineSocketOptions>;
  readonly #events: LineSocketEvents;

  constructor(opts: LineSocketOptions, events: LineSocketEvents) {
    this.#opts = { reconnect: true, backoff: defaultBackoff, ...opts };
    this.#events = events;
  }

  get connected(): boolean {
    return this.#connected;
  }

  start(): void {
    if (this.#stopped || this.#socket !== null) return;
    const socket = net.connect({ host: this.#opts.host, port: this.#opts.port });
    this.#socket = socket;
    let error: string | null = null;
    const decoder = new LineDecoder(MAX_INCOMING_LINE, {
      onLine: (line) => this.#events.onLine(line.toString('utf8')),
      onOverflow: () => {},
    });
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.#connected = true;
      this.#events.onConnect();
    });
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => {
      const wasConnected = this.#connected;
      this.#connected = false;
      this.#socket = null;
      if (wasConnected) this.#attempt = 0;
      const retry = this.#opts.reconnect && !this.#stopped;
      const retryInMs = retry ? backoffDelay(this.#attempt++, this.#opts.backoff) : null;
      if (!this.#stopped) this.#events.onDown({ wasConnected, error, retryInMs });
      if (retryInMs !== null) this.#timer = setTimeout(() => this.start(), retryInMs);
    });
  }

  /** Sends one line; false when not connected. */
  send(line: string): boolean {
    if (!this.#connected || this.#socket === null) return false;
    this.#socket.write(`${line}\n`);
    return true;
  }

  /** Stops for good: no more retries; the socket is ended politely. Idempotent. */
  close(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const s = this.#socket;
    if (s === null) return;
    s.end();
    s.setTimeout(500, () => s.destroy());
  }

  /** Resolves once the socket is closed (at once if none is open). */
  closed(): Promise<void> {
    const s = this.#socket;
    if (s === null || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => s.once('close', () => resolve()));
  }
}
