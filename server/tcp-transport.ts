import net from 'node:net';
import { LineDecoder, type LineDecoderHandlers } from '../protocol/index.js';
import { QueuedConnection } from './queued-connection.js';
import { SocketListener } from './socket-listener.js';
import type { ConnectionHandler } from './transport.js';
import type { WriteCoalescer } from './write-coalescer.js';

export type { CloseCause } from './transport.js';

/** The connection a socket belongs to, for the listeners below (shared: `this` is the socket). */
const kConnection = Symbol('chatpulse connection');
type OwnedSocket = net.Socket & { [kConnection]: TcpConnection };

/**
 * Socket listeners shared by every connection: one function each, where arrow functions would cost
 * three closures and their context per connection (see BENCHMARKS.md 5).
 */
function onData(this: OwnedSocket, chunk: Buffer): void {
  this[kConnection].receive(chunk);
}
function onError(this: OwnedSocket): void {
  this[kConnection].failed();
}
function onClose(this: OwnedSocket): void {
  this[kConnection].gone();
}

/** One TCP (or TLS) socket as a duplex of lines; output queueing and its bound come from QueuedConnection. */
export class TcpConnection extends QueuedConnection implements LineDecoderHandlers {
  readonly transport: string;
  readonly #socket: net.Socket;
  #decoder: LineDecoder | undefined;
  #handler: ConnectionHandler | undefined;

  constructor(socket: net.Socket, coalescer: WriteCoalescer, maxQueue: number, transport = 'tcp') {
    super(coalescer, maxQueue);
    this.#socket = socket;
    this.transport = transport;
    // We batch per turn ourselves; Nagle on top would only add delay.
    socket.setNoDelay(true);
  }

  bind(handler: ConnectionHandler, maxLine: number): void {
    this.#handler = handler;
    // The connection is the decoder's handler too: no per-connection closures.
    this.#decoder = new LineDecoder(maxLine, this, true);
    const socket = this.#socket as OwnedSocket;
    socket[kConnection] = this;
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  }

  /**
   * `address:port` of the peer, made when asked (the core asks once, for its connect event): kept, the
   * string and its parts were ~100 bytes per connection. Node caches the peer's address on the socket,
   * so it is the same after the close.
   */
  get remote(): string {
    return `${this.#socket.remoteAddress ?? '?'}:${this.#socket.remotePort ?? 0}`;
  }

  /** @internal The socket's bytes (onData). */
  receive(chunk: Buffer): void {
    (this.#handler as ConnectionHandler).onBytes(chunk.length);
    (this.#decoder as LineDecoder).push(chunk);
  }

  /** @internal LineDecoderHandlers. */
  onLine(line: Buffer, checked: boolean): void {
    (this.#handler as ConnectionHandler).onLine(line, checked);
  }

  /** @internal LineDecoderHandlers. */
  onOverflow(): void {
    (this.#handler as ConnectionHandler).onLineTooLong();
  }

  protected overrun(): void {
    (this.#handler as ConnectionHandler).onOverrun();
  }

  /** @internal The socket failed (onError); its close follows. */
  failed(): void {
    this.noteError();
  }

  /** @internal The socket closed (onClose). */
  gone(): void {
    this.noteClosed();
    (this.#handler as ConnectionHandler).onClose();
  }

  midLine(): boolean {
    return this.#decoder?.midLine ?? false;
  }

  protected transportBacklog(): number {
    return this.#socket.writableLength;
  }

  protected writeBatch(chunks: Buffer[], bytes: number): void {
    this.#socket.write(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, bytes));
  }

  protected closeAfterFlush(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** Accepts TCP connections and hands each to `accept` as a line connection. */
export class TcpListener extends SocketListener {
  constructor(accept: (socket: net.Socket) => void) {
    super(net.createServer({ noDelay: true }, accept));
  }
}
