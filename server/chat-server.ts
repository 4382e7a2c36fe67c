import type net from 'node:net';
import type { Db } from '../store/database.js';
import { ChatCore } from './chat-core.js';
import { ChatEvents } from './events.js';
import type { GraceStore } from './grace-memory.js';
import { SqliteGraceStore } from './grace-store-sqlite.js';
import { HistoryStore } from './history-store.js';
import { defaultChatOptions, type ChatOptions } from './options.js';
import { TcpConnection, TcpListener } from './tcp-transport.js';
import { WriteCoalescer } from './write-coalescer.js';

export interface ChatServerOptions extends Partial<ChatOptions> {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 5555 */
  port?: number;
  /** Store for history and for nickname → rooms; none means no persistence. */
  db?: Db;
  events?: ChatEvents;
  /** Where disconnected nicknames' rooms are kept. @default SQLite (`chat_grace`) with a db, else memory */
  graceStore?: GraceStore;
}

export interface ChatServer {
  readonly core: ChatCore;
  readonly coalescer: WriteCoalescer;
  readonly address: net.AddressInfo;
  /** Stop accepting, tell clients, flush history; resolves when every socket is closed. */
  close(timeoutMs?: number): Promise<void>;
}

/** The chat core on a TCP port: the one-call way to run a server (CLI, tests, benchmarks). */
export async function startChatServer(opts: ChatServerOptions = {}): Promise<ChatServer> {
  const options = { ...defaultChatOptions, ...opts };
  const history = opts.db ? new HistoryStore(opts.db, { cap: options.history }) : undefined;
  const grace = opts.graceStore ?? (opts.db ? new SqliteGraceStore(opts.db, options.graceMs) : undefined);
  const core = new ChatCore(options, {
    events: opts.events ?? new ChatEvents(),
    ...(history ? { history } : {}),
    ...(grace ? { grace } : {}),
  });
  const coalescer = new WriteCoalescer(core.afterFlush);
  const listener = new TcpListener((socket) => {
    const conn = new TcpConnection(socket, coalescer, options.maxQueue);
    conn.bind(core.accept(conn), options.maxLine);
  });
  const address = await listener.listen(opts.host ?? '127.0.0.1', opts.port ?? 5555);
  let closing: Promise<void> | undefined;
  return {
    core,
    coalescer,
    address,
    close(timeoutMs = 2000) {
      closing ??= (async () => {
        const stopped = listener.close();
        await core.shutdown(timeoutMs);
        coalescer.flushNow();
        await stopped;
      })();
      return closing;
    },
  };
}
