import net from 'node:net';
import { LineDecoder } from '../protocol/index.js';
import { QueuedConnection } from './queued-connection.js';
import { SocketListener } from './socket-listener.js';
import type { ConnectionHandler } from './transport.js';
import type { WriteCoalescer } from './write-coalescer.js';

export type { CloseCause } from './transport.js';

/** One TCP (or TLS) socket as a duplex of lines; output queueing and its bound come from QueuedConnection. */
export class TcpConnection extends QueuedConnection {
  readonly transport: string;
  readonly remote: string;
  readonly #socket: net.Socket;
  #decoder: LineDecoder | undefined;

  constructor(socket: net.Socket, coalescer: WriteCoalescer, maxQueue: number, transport = 'tcp') {
    super(coalescer, maxQueue);
    this.#socket = socket;
    this.transport = transport;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    // We batch per turn ourselves; Nagle on top would only add delay.
    socket.setNoDelay(true);
  }

  bind(handler: ConnectionHandler, maxLine: number): void {
    const decoder = new LineDecoder(maxLine, {
      onLine: (line, checked) => handler.onLine(line, checked),
      onOverflow: () => handler.onLineTooLong(),
    }, true);
    this.#decoder = decoder;
    this.#socket.on('data', (chunk: Buffer) => {
      handler.onBytes(chunk.length);
      decoder.push(chunk);
    });
    this.#socket.on('error', () => this.noteError());
    this.#socket.on('close', () => {
      this.noteClosed();
      handler.onClose();
    });
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
