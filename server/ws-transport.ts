import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ChatServer } from './chat-server.js';
import { QueuedConnection } from './queued-connection.js';
import type { ConnectionHandler } from './transport.js';
import type { WriteCoalescer } from './write-coalescer.js';
import { takeOverFrames } from '../protocol/ws-frame-reader.js';
import { frameLines } from './ws-frames.js';

/**
 * One WebSocket as a duplex of lines (DESIGN §6 `WS /chat/ws`): one §3 line per text frame both ways.
 * Same limits as TCP: the chat core sees the same `ConnectionHandler` calls, so rate limit, invalid
 * UTF-8 (ws's own check is off so that the core answers `! invalid UTF-8` instead of closing) and
 * events are shared; the slow-reader bound counts ws's `bufferedAmount` like TCP's `writableLength`.
 *
 * Overload costs throughput, never availability: a turn's output is framed into one socket write
 * (ws-frames.ts); while a client's socket will not take what we write (`write()` returned false),
 * we stop reading its frames until it drains, so a client that sends but does not read cannot make
 * the server queue work for it; and input still buffered when the socket closes is dropped, not
 * fanned out to the room.
 */
export class WsConnection extends QueuedConnection {
  readonly transport = 'ws';
  readonly remote: string;
  readonly #ws: WebSocket;
  /** The upgraded TCP socket under `#ws`: output goes straight to it as pre-built frames. */
  readonly #socket: Duplex;
  #backpressured = false;
  #handler: ConnectionHandler | undefined;
  /** Whole text frames are read off the socket here rather than by ws (with the ws we know). */
  #framesOurselves = false;

  constructor(ws: WebSocket, socket: Duplex, remote: string, coalescer: WriteCoalescer, maxQueue: number) {
    super(coalescer, maxQueue);
    this.#ws = ws;
    this.#socket = socket;
    this.remote = remote;
  }

  bind(handler: ConnectionHandler, maxLine: number, maxPayload: number): void {
    const ws = this.#ws;
    this.#handler = handler;
    // ws still hands over what it had buffered when the socket closed (or was cut off as a slow
    // consumer): those lines are for nobody, and fanning them out is what kept a server busy long
    // after a storm of clients had gone. Hence: lines only while OPEN, whoever read them.
    // `plain`: the frame reader saw only printable ASCII while unmasking (valid UTF-8, no controls).
    const line = (buf: Buffer, start: number, end: number, _newRead = false, plain = false): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (end > start && buf[end - 1] === 13) end--;
      if (end - start > maxLine) handler.onLineTooLong();
      else handler.onLine(buf.subarray(start, end), plain);
    };
    // Whole text frames are read here, off the socket (protocol/ws-frame-reader.ts); ws still reads
    // the rest — pings, close, fragments, frames it must refuse — and its messages come below.
    this.#framesOurselves = takeOverFrames(ws, this.#socket, {
      text: line,
      onRead: (chunk) => handler.onBytes(chunk.length),
      maxFast: maxPayload,
      masked: true,
      // A frame too long to hold is dropped as it arrives and answered as TCP answers a long line
      // (DESIGN §8: dropped, connection kept), not closed with 1009 by ws.
      oversized: (opcode) => {
        if (ws.readyState !== ws.OPEN) return;
        if (opcode === 1) handler.onLineTooLong();
        else handler.onBinaryFrame();
      },
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const frame = toBuffer(data);
      // Counted as read when the socket read it, unless ws reads the socket itself.
      handler.onBytes(this.#framesOurselves ? 0 : frame.length);
      if (isBinary) {
        if (ws.readyState === ws.OPEN) handler.onBinaryFrame();
        return;
      }
      splitLines(frame, line);
    });
    ws.on('error', () => this.noteError());
    ws.on('close', () => {
      this.noteClosed();
      handler.onClose();
    });
    this.#socket.on('drain', () => {
      if (!this.#backpressured) return;
      this.#backpressured = false;
      ws.resume();
    });
  }

  protected transportBacklog(): number {
    return this.#ws.bufferedAmount;
  }

  protected overrun(): void {
    (this.#handler as ConnectionHandler).onOverrun();
  }

  /** Room messages arrive from the room's frame arenas (followed, or a slice for the echo): built once for every member. */
  readonly framed = true;

  /**
   * A plain line (or several: history, help) becomes frames now, one per line without its `\n`, so
   * that everything queued is frames and a turn is written as it stands.
   */
  override send(line: Buffer): void {
    super.send(frameLines([line]));
  }

  /**
   * One turn's frames in one write. Safe beside ws's own writes (close, pong): with
   * permessage-deflate off, ws writes to the socket at once and in call order, never from a queue.
   */
  protected writeBatch(chunks: Buffer[], bytes: number): void {
    const ws = this.#ws;
    const socket = this.#socket;
    if (ws.readyState !== ws.OPEN || !socket.writable) return;
    if (!socket.write(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, bytes)) && !this.#backpressured) {
      this.#backpressured = true;
      ws.pause();
    }
  }

  protected closeAfterFlush(): void {
    this.#ws.close(1000);
    // The peer's close frame must be read to finish the handshake; frames before it are dropped
    // (readyState is CLOSING now), so reading again costs nothing.
    if (this.#backpressured) {
      this.#backpressured = false;
      this.#ws.resume();
    }
  }

  destroy(): void {
    this.#ws.terminate();
  }
}

/**
 * One frame is one line. A frame holding `\n` is split as TCP input would be, so that no client can
 * smuggle a forged `[PM from …]` line to TCP readers; a trailing `\n` or `\r\n` is allowed. (The
 * same split as `WsFrameReader`'s, for the messages ws reads itself.)
 */
function splitLines(frame: Buffer, line: (buf: Buffer, start: number, end: number) => void): void {
  let start = 0;
  for (let nl = frame.indexOf(10); nl !== -1; nl = frame.indexOf(10, start)) {
    line(frame, start, nl);
    start = nl + 1;
  }
  if (start < frame.length || start === 0) line(frame, start, frame.length);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

export interface ChatWebSocketOptions {
  /** Largest frame held in memory; a bigger whole frame is dropped unread and answered `! line too long`
   * (a fragmented message bigger than this is closed by ws with 1009).
   * @default 4 × maxLine + 1 KiB — room for a line of multi-byte text, refused as too long by the core */
  maxPayload?: number;
}

/**
 * A `noServer` WebSocketServer whose connections join `chat` as line connections; hand it to an
 * HTTP server's upgrade handling (dashboard/upgrade-router.ts routes `/chat/ws` to it).
 */
export function createChatWebSocketServer(chat: ChatServer, opts: ChatWebSocketOptions = {}): WebSocketServer {
  const { maxLine, maxQueue } = chat.core.options;
  const maxPayload = opts.maxPayload ?? maxLine * 4 + 1024;
  const wss = new WebSocketServer({ noServer: true, skipUTF8Validation: true, perMessageDeflate: false, maxPayload });
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
    const conn = new WsConnection(ws, req.socket, remote, chat.coalescer, maxQueue);
    conn.bind(chat.core.accept(conn), maxLine, maxPayload);
  });
  return wss;
}
