import type net from 'node:net';
import type { Db } from '../store/database.js';
import { ChatCore } from './chat-core.js';
import { ChatEvents } from './events.js';
import type { GraceStore } from './grace-memory.js';
import { SqliteGraceStore } from './grace-store-sqlite.js';
import { HistoryStore } from './history-store.js';
import { defaultChatOptions, type ChatOptions } from './options.js';
import { RedisCluster } from './redis-cluster.js';
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
  /** `redis://host:port`: share rooms, presence, PMs and nicknames with other nodes. */
  redis?: string;
  /** This node's name in the cluster. @default '<host>:<port>' once listening */
  nodeId?: string;
  /** Cluster presence expiry in ms. @default 5000 */
  presenceTtlMs?: number;
  /** Where cluster state changes are logged. @default console.error */
  log?: (line: string) => void;
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
  const events = opts.events ?? new ChatEvents();
  const host = opts.host ?? '127.0.0.1';
  // The node id must be known before listening (the core holds it); with port 0 it falls back to the pid.
  const nodeId = opts.nodeId ?? `${host}:${opts.port ? opts.port : `pid${process.pid}`}`;
  const cluster = opts.redis
    ? new RedisCluster({
        url: opts.redis, nodeId, ...(opts.presenceTtlMs ? { presenceTtlMs: opts.presenceTtlMs } : {}),
        ...(opts.log ? { log: opts.log } : {}),
        onState: (up) => events.emit('cluster', { node: nodeId, up }),
      })
    : undefined;
  const grace = opts.graceStore ?? (opts.db ? new SqliteGraceStore(opts.db, options.graceMs) : undefined);
  const core = new ChatCore(options, {
    events,
    ...(history ? { history } : {}),
    ...(grace ? { grace } : {}),
    ...(cluster ? { cluster } : {}),
  });
  const coalescer = new WriteCoalescer(core.afterFlush);
  const listener = new TcpListener((socket) => {
    const conn = new TcpConnection(socket, coalescer, options.maxQueue);
    conn.bind(core.accept(conn), options.maxLine);
  });
  const address = await listener.listen(host, opts.port ?? 5555);
  await cluster?.start(core.clusterDelivery());
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
        await cluster?.close();
        await stopped;
      })();
      return closing;
    },
  };
}
