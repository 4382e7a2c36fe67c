import net from 'node:net';
import { LineDecoder } from './line-decoder.js';
import type { Connection, ConnectionHandler } from './transport.js';
import type { Flushable, WriteCoalescer } from './write-coalescer.js';

export type CloseCause = 'closed' | 'error' | 'slow_consumer';

/** One TCP socket as a duplex of lines, with coalesced writes and a bound on unsent output. */
export class TcpConnection implements Connection, Flushable {
  readonly transport: string;
  readonly remote: string;
  dirty = false;
  #chunks: Buffer[] = [];
  #queued = 0;
  #closed = false;
  #cause: CloseCause = 'closed';
  readonly #socket: net.Socket;
  readonly #coalescer: WriteCoalescer;
  readonly #maxQueue: number;

  constructor(socket: net.Socket, coalescer: WriteCoalescer, maxQueue: number, transport = 'tcp') {
    this.#socket = socket;
    this.#coalescer = coalescer;
    this.#maxQueue = maxQueue;
    this.transport = transport;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    // We batch per turn ourselves; Nagle on top would only add delay.
    socket.setNoDelay(true);
  }

  /** Why the connection closed, once it has ('slow_consumer' when we cut it off). */
  get closeCause(): CloseCause {
    return this.#cause;
  }

  bind(handler: ConnectionHandler, maxLine: number): void {
    const decoder = new LineDecoder(maxLine, {
      onLine: (line) => handler.onLine(line),
      onOverflow: () => handler.onLineTooLong(),
    });
    this.#socket.on('data', (chunk: Buffer) => {
      handler.onBytes(chunk.length);
      decoder.push(chunk);
    });
    this.#socket.on('error', () => {
      if (this.#cause === 'closed') this.#cause = 'error';
    });
    this.#socket.on('close', () => {
      this.#closed = true;
      this.#chunks = [];
      this.#queued = 0;
      handler.onClose();
    });
  }

  send(line: Buffer): void {
    if (this.#closed) return;
    this.#chunks.push(line);
    this.#queued += line.length;
    this.#coalescer.mark(this);
  }

  queuedBytes(): number {
    return this.#queued + this.#socket.writableLength;
  }

  flush(): void {
    const chunks = this.#chunks;
    if (this.#closed || chunks.length === 0) return;
    const bytes = this.#queued;
    this.#chunks = [];
    this.#queued = 0;
    if (bytes + this.#socket.writableLength > this.#maxQueue) {
      this.#cause = 'slow_consumer';
      this.#socket.destroy();
      return;
    }
    this.#socket.write(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, bytes));
  }

  end(): void {
    if (this.#closed) return;
    this.flush();
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** Accepts TCP connections and hands each to `accept` as a line connection. */
export class TcpListener {
  readonly #server: net.Server;

  constructor(accept: (socket: net.Socket) => void) {
    this.#server = net.createServer({ noDelay: true }, accept);
  }

  listen(host: string, port: number): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#server.once('error', onError);
      this.#server.listen({ host, port, backlog: 4096 }, () => {
        this.#server.off('error', onError);
        resolve(this.#server.address() as net.AddressInfo);
      });
    });
  }

  /** Stops accepting; existing connections are the chat core's to close. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
    });
  }
}
