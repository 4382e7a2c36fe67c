import type net from 'node:net';
import type { Db } from '../store/database.js';
import { StorageHealth } from '../store/storage-health.js';
import { ChatCore } from './chat-core.js';
import { ChatEvents } from './events.js';
import { GraceMemory, type GraceStore } from './grace-memory.js';
import { SqliteGraceStore } from './grace-store-sqlite.js';
import { HistoryStore } from './history-store.js';
import { defaultChatOptions, type ChatOptions } from './options.js';
import { RedisCluster } from './redis-cluster.js';
import { TcpConnection, TcpListener } from './tcp-transport.js';
import { TlsListener, type ChatTlsOptions } from './tls-transport.js';
import { WriteCoalescer } from './write-coalescer.js';

export interface ChatServerOptions extends Partial<ChatOptions> {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 5555 */
  port?: number;
  /** Store for history and for nickname → rooms; none means no persistence. */
  db?: Db;
  events?: ChatEvents;
  /** Where storage errors (a full disk) are counted and logged. @default a StorageHealth of its own */
  storage?: StorageHealth;
  /** Wall clock in ms: grace periods, history timestamps, rate limits, idle timeouts. @default Date.now */
  now?: () => number;
  /**
   * Where disconnected nicknames' rooms are kept. @default SQLite (`chat_grace`) with a db, else memory;
   * with `redis`, Redis (shared by the cluster), this store serving only while Redis is unreachable
   */
  graceStore?: GraceStore;
  /** `redis://host:port`: share rooms, presence, PMs and nicknames with other nodes. */
  redis?: string;
  /** This node's name in the cluster; empty means the default. @default '<host>:<port>', the port actually bound */
  nodeId?: string;
  /** Cluster presence expiry in ms. @default 5000 */
  presenceTtlMs?: number;
  /** Where cluster state changes are logged. @default console.error */
  log?: (line: string) => void;
  /** Serve TLS: on `port` itself, or on `tlsPort` beside plain TCP when that is given. */
  tls?: ChatTlsOptions;
  /** With `tls`: a second port for TLS, `port` stays plain TCP. 0 picks a free port. */
  tlsPort?: number;
}

export interface ChatServer {
  readonly core: ChatCore;
  readonly coalescer: WriteCoalescer;
  /** The chat port (TLS when `tls` is given without `tlsPort`). */
  readonly address: net.AddressInfo;
  /** Where TLS is served, if it is: `address` itself, or the `tlsPort` listener. */
  readonly tlsAddress: net.AddressInfo | undefined;
  /** Failed TLS handshakes so far (0 without TLS). */
  tlsHandshakeFailures(): number;
  /** Stop accepting, tell clients, flush history; resolves when every socket is closed. */
  close(timeoutMs?: number): Promise<void>;
}

/** The chat core on a TCP port: the one-call way to run a server (CLI, tests, benchmarks). */
export async function startChatServer(opts: ChatServerOptions = {}): Promise<ChatServer> {
  const options = { ...defaultChatOptions, ...opts };
  const health = opts.storage ?? new StorageHealth();
  const history = opts.db ? new HistoryStore(opts.db, { cap: options.history, health }) : undefined;
  const events = opts.events ?? new ChatEvents();
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? Date.now;
  // Named at start(), once listening: with port 0 only then is `<host>:<port>` known.
  const cluster: RedisCluster | undefined = opts.redis
    ? new RedisCluster({
        url: opts.redis, ...(opts.presenceTtlMs ? { presenceTtlMs: opts.presenceTtlMs } : {}),
        ...(opts.log ? { log: opts.log } : {}),
        onState: (up) => events.emit('cluster', { node: cluster?.nodeId ?? '', up }),
      })
    : undefined;
  const local = opts.graceStore ?? (opts.db ? new SqliteGraceStore(opts.db, options.graceMs, now(), { health }) : undefined);
  // In a cluster the records live in Redis, so any node restores a nickname whose node died.
  const grace = cluster
    ? cluster.graceStore(local ?? new GraceMemory(options.graceMs), { graceMs: options.graceMs, maxRooms: options.maxRoomsPerUser })
    : local;
  const core = new ChatCore(options, {
    events,
    now,
    ...(history ? { history } : {}),
    ...(grace ? { grace } : {}),
    ...(cluster ? { cluster } : {}),
  });
  const coalescer = new WriteCoalescer(core.afterFlush);
  const bind = (socket: net.Socket, transport: string) => {
    const conn = new TcpConnection(socket, coalescer, options.maxQueue, transport);
    conn.bind(core.accept(conn), options.maxLine);
  };
  // In a cluster, connections accepted before the node has heard the other nodes' members wait unread
  // until it has (RedisCluster.start): clients that reconnect the moment a restarted node listens
  // would otherwise get a /users without them.
  let held: { socket: net.Socket; transport: string }[] | null = cluster ? [] : null;
  const acceptAs = (transport: string) => (socket: net.Socket) => {
    if (held === null) return bind(socket, transport);
    socket.on('error', () => {}); // a reset while held: the socket is skipped below
    held.push({ socket, transport });
  };
  const tlsOnly = opts.tls !== undefined && opts.tlsPort === undefined;
  const tlsListener = opts.tls ? new TlsListener(opts.tls, acceptAs('tls')) : undefined;
  const listener = tlsOnly ? (tlsListener as TlsListener) : new TcpListener(acceptAs('tcp'));
  const address = await listener.listen(host, opts.port ?? 5555);
  let tlsAddress = tlsOnly ? address : undefined;
  try {
    if (tlsListener && !tlsOnly) tlsAddress = await tlsListener.listen(host, opts.tlsPort ?? 0);
    // An empty --node-id (the CLI's "not given") means the default, never an empty name.
    await cluster?.start(core.clusterDelivery(), { nodeId: opts.nodeId || `${host}:${address.port}` });
    const waiting = held ?? [];
    held = null;
    for (const { socket, transport } of waiting) if (!socket.destroyed) bind(socket, transport);
  } catch (err) {
    for (const { socket } of held ?? []) socket.destroy();
    held = null;
    // Nothing half started: a busy TLS port (or Redis refusing) closes the plain port again.
    await Promise.all([listener.close(), tlsListener?.close()]);
    await core.shutdown(0);
    await cluster?.close().catch(() => {});
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    core,
    coalescer,
    address,
    tlsAddress,
    tlsHandshakeFailures: () => tlsListener?.stats().handshakeFailures ?? 0,
    close(timeoutMs = 2000) {
      closing ??= (async () => {
        const stopped = Promise.all([listener.close(), tlsOnly ? undefined : tlsListener?.close()]);
        await core.shutdown(timeoutMs);
        coalescer.flushNow();
        await cluster?.close();
        await stopped;
      })();
      return closing;
    },
  };
}
