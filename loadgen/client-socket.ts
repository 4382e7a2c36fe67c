/**
 * A virtual client's connection, one at a time: dials with one bound for TCP connect and TLS handshake
 * together, tracks backpressure, and at the end names what closed it — what the server said before
 * closing (its kind of disconnect) names it better than the socket error, which beats a WebSocket
 * close code, which beats the bare fact of a close; a connection we ended ourselves (drop, goodbye) is
 * no fault at all.
 *
 * The handlers are created once per client and registered as they are, so a chunk of input costs one
 * call into the decoder, as it did before this class existed.
 */
import type { ConnectAttempt } from './connect-attempt.js';
import type { Dialed, Link } from './dialer.js';
import type { Wire } from './protocols/adapter.js';

/** Held text past this many characters is written at once (a socket's high-water mark is 16 KiB). */
const HELD_MAX = 16 * 1024;

/** Dial → usable (TCP connected, and TLS secure or the WebSocket upgraded). */
export const CONNECT_TIMEOUT_MS = 10_000;

export interface ClientSocketHandlers {
  /** Connected (and secure with TLS): lines may be written. */
  readonly opened: () => void;
  /** A chunk of a byte stream (TCP, TLS). */
  readonly data: (chunk: Buffer) => void;
  /**
   * One whole line, no `\n` in it (a WebSocket text frame, or a part of one between `\n`s):
   * `buf[start, end)`, valid only during the call. `newRead`: the first line of a socket read (the others arrived at the same moment).
   */
  readonly line: (buf: Buffer, start: number, end: number, newRead: boolean) => void;
  /** The socket took every queued write: `backedUp` is false again. */
  readonly drained: () => void;
  /**
   * The connection is gone. `wasOpen`: it had opened. `fault`: the error kind to count, '' when we
   * ended it ourselves.
   */
  readonly closed: (wasOpen: boolean, fault: string) => void;
}

export class ClientSocket {
  readonly #h: ClientSocketHandlers;
  readonly #attempt: ConnectAttempt;
  readonly #timeoutMs: number;
  #socket: Link | undefined;
  #open = false;
  #backedUp = false;
  #byUs = false;
  #errorCode = '';
  #said = '';
  /** Text written while held (`hold`); undefined when not holding. */
  #held: string | undefined;

  /** `timeoutMs`: @default CONNECT_TIMEOUT_MS */
  constructor(handlers: ClientSocketHandlers, attempt: ConnectAttempt, timeoutMs = CONNECT_TIMEOUT_MS) {
    this.#h = handlers;
    this.#attempt = attempt;
    this.#timeoutMs = timeoutMs;
  }

  /** The last write found the socket's buffer full: hold further writes until `drained`. */
  get backedUp(): boolean {
    return this.#backedUp;
  }

  /** Takes a freshly dialed socket (dialed at epoch ms `startedAt`); forgets the previous one. */
  open({ socket: s, readyEvent, handshake, framed }: Dialed, startedAt: number): void {
    this.#socket = s;
    this.#open = this.#backedUp = this.#byUs = false;
    this.#errorCode = this.#said = '';
    // Text held for the previous connection dies with it, as a write to a closed socket does.
    if (this.#held !== undefined) this.#held = '';
    this.#attempt.begin(startedAt, handshake);
    s.setTimeout(this.#timeoutMs, () => {
      this.#errorCode = this.#attempt.timedOut();
      s.destroy();
    });
    s.on('connect', () => this.#attempt.tcpConnected());
    s.on(readyEvent, () => {
      s.setTimeout(0);
      this.#attempt.ready();
      this.#open = true;
      this.#h.opened();
    });
    if (framed) s.onLines?.(this.#h.line);
    else s.on('data', this.#h.data);
    s.on('drain', () => {
      this.#backedUp = false;
      this.#h.drained();
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      this.#errorCode ||= this.#attempt.failed(err.code);
    });
    s.on('close', () => this.#closed(s));
  }

  write(text: Wire): void {
    const s = this.#socket;
    if (text.length === 0 || s === undefined || s.destroyed) return;
    if (this.#held !== undefined) {
      if (typeof text === 'string') {
        this.#held += text;
        // Past a socket's worth the text goes now, so that a full socket is seen (backedUp) as early
        // as it was before: the caller stops writing then.
        if (this.#held.length >= HELD_MAX) this.#writeHeld();
        return;
      }
      // Bytes are not joined: the text before them goes first, then they do.
      this.#writeHeld();
    }
    if (!s.write(text)) this.#backedUp = true;
  }

  /**
   * Until `release`, text writes are joined and go out in one write: a client's messages of one timer
   * turn (a syscall per message was ~11 % of a busy worker's time, perf). Joined, they read the same on
   * a stream; over a WebSocket every text write is whole lines ending in `\n`, which the link splits
   * into the same frames. Writing is not delayed past the caller's own turn: it releases as soon as it
   * is done, and a socket's worth (`HELD_MAX`) goes at once.
   */
  hold(): void {
    this.#held ??= '';
  }

  /** Writes what was held, and stops holding. */
  release(): void {
    this.#writeHeld();
    this.#held = undefined;
  }

  /** Writes what is held now (holding goes on). */
  #writeHeld(): void {
    const text = this.#held;
    if (text === undefined || text.length === 0) return;
    this.#held = '';
    const s = this.#socket;
    if (s !== undefined && !s.destroyed && !s.write(text)) this.#backedUp = true;
  }

  /** The server announced its close: `kind` as the protocol names it, else its text, if any. */
  serverClosing(kind: string, text: string): void {
    this.#said = kind || (text ? 'server_closed' : '');
  }

  /**
   * Closes a connection the server has made useless (its session ended, a nickname to change): counted
   * as `kind` ('' for none), the reconnect follows as after any close.
   */
  hangUp(kind: string): void {
    if (this.#socket === undefined) return;
    // What was written before the hang-up goes first, as it would have unheld.
    this.#writeHeld();
    this.#said ||= kind;
    if (kind === '') this.#byUs = true;
    this.#socket.destroy();
  }

  /** Cuts the connection as a network fault would (counted as no fault: we did it). */
  drop(): void {
    if (this.#socket === undefined) return;
    this.#writeHeld();
    this.#byUs = true;
    this.#socket.destroy();
  }

  /** Says `goodbye` and ends (or aborts a connect); resolves when the socket is gone, destroyed after `graceMs`. */
  close(graceMs: number, goodbye: Wire): Promise<void> {
    this.release();
    const s = this.#socket;
    if (s === undefined || s.destroyed) return Promise.resolve();
    this.#byUs = true;
    return new Promise((resolve) => {
      const t = setTimeout(() => s.destroy(), graceMs);
      s.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      if (this.#open) s.end(goodbye);
      else s.destroy();
    });
  }

  #closed(s: Link): void {
    if (s !== this.#socket) return;
    const wasOpen = this.#open;
    this.#open = false;
    // A WebSocket close code (1008, 1011…) says more than the bare close, less than an error on our side.
    const fault = this.#byUs ? '' : this.#said || this.#errorCode || s.closeKind || (wasOpen ? 'connection_closed' : 'connect_failed');
    this.#h.closed(wasOpen, fault);
  }
}
