/**
 * A virtual client's current connection attempt: times its milestones (TCP connect, handshake — TLS,
 * or the WebSocket upgrade with its TLS for wss —, first line from the server, each in µs) and names
 * its failure. A failure after TCP came up is the handshake's, so that a server with a bad
 * certificate or no WebSocket at that path is not reported as unreachable.
 */
import { elapsedUs, type Clock } from './clock.js';

export interface ConnectHistograms {
  /** Dial → TCP connected. */
  readonly connect: { recordValue(us: number): void };
  /** TCP connected → usable (TLS secure, WebSocket upgraded; not for plain TCP). */
  readonly handshake: { recordValue(us: number): void };
  /** Dial → first line received. */
  readonly firstLine: { recordValue(us: number): void };
}

export class ConnectAttempt {
  readonly #now: Clock;
  readonly #h: ConnectHistograms;
  #start = 0;
  /** Epoch ms when TCP connected (0 before). */
  #tcpAt = 0;
  /** The handshake due or under way (not yet usable): '', 'tls' or 'ws'. */
  #handshake: '' | 'tls' | 'ws' = '';
  #handshaking = false;
  #gotLine = false;

  constructor(now: Clock, histograms: ConnectHistograms) {
    this.#now = now;
    this.#h = histograms;
  }

  /** Dialed at epoch ms `startedAt`; `handshake`: what must follow TCP connect before it is usable. */
  begin(startedAt: number, handshake: '' | 'tls' | 'ws'): void {
    this.#start = startedAt;
    this.#tcpAt = 0;
    this.#handshake = handshake;
    this.#handshaking = handshake !== '';
    this.#gotLine = false;
  }

  tcpConnected(): void {
    this.#tcpAt = this.#now();
    this.#h.connect.recordValue(elapsedUs(this.#start, this.#tcpAt));
  }

  /** The socket is usable (connected, and secure with TLS, upgraded with WebSocket). */
  ready(): void {
    if (!this.#handshaking) return;
    this.#handshaking = false;
    this.#h.handshake.recordValue(elapsedUs(this.#tcpAt, this.#now()));
  }

  /** A line arrived (called for every line: only the first is timed). */
  line(): void {
    if (this.#gotLine) return;
    this.#gotLine = true;
    this.#h.firstLine.recordValue(elapsedUs(this.#start, this.#now()));
  }

  /** The error kind of a connect/handshake timeout. */
  timedOut(): string {
    return this.#inHandshake() ? `${this.#handshake}_handshake_timeout` : 'connect_timeout';
  }

  /** The error kind of a socket error with Node's `code`. */
  failed(code: string | undefined): string {
    return this.#inHandshake() ? `${this.#handshake}_handshake` : errorKind(code);
  }

  #inHandshake(): boolean {
    return this.#handshaking && this.#tcpAt > 0;
  }
}

function errorKind(code: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connect_refused';
    case 'ECONNRESET':
      return 'connection_reset';
    case 'EPIPE':
      return 'broken_pipe';
    case 'ETIMEDOUT':
      return 'connect_timeout';
    default:
      return code ? `socket_${code.toLowerCase()}` : 'socket_error';
  }
}
