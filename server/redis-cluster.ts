import { Redis } from 'ioredis';
import type { ClusterDelivery, ClusterLink } from './cluster-link.js';
import { nickSkeleton } from './nick-skeleton.js';

export interface RedisClusterOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** This node's name in presence records and the `node` metrics label. */
  nodeId: string;
  /** Presence and nickname claims expire this long after a node's last heartbeat. @default 5000 */
  presenceTtlMs?: number;
  /** Key and channel prefix, so several clusters can share one Redis. @default 'chatpulse' */
  prefix?: string;
  /** Log lines (connection lost, reconnected). @default console.error */
  log?: (line: string) => void;
  /** Bus up/down, for metrics. */
  onState?: (up: boolean) => void;
}

/** Bus frames, kept short: every room message crosses the bus once. */
type Frame =
  | { t: 'm'; n: string; r: string; u: string; x: string }
  | { t: 'j' | 'l'; n: string; r: string; u: string }
  | { t: 'p'; n: string; to: string; u: string; x: string }
  | { t: 'h'; n: string; rooms: Record<string, string[]> };

interface RemoteNode {
  rooms: Map<string, { name: string; nicks: string[] }>;
  seenAt: number;
}

const CLAIM_TIMEOUT_MS = 1000;

/**
 * A cluster link over Redis: room messages, joins/leaves and PMs on one pub/sub channel; presence
 * as one key per node with an expiry, refreshed by a heartbeat that also updates every node's
 * in-memory mirror (so `/users` and `/rooms` answer without a round trip); nicknames claimed with
 * `SET NX PX`. Publishing never queues while Redis is down — a message sent into the gap is lost
 * and shows as loss in the loadgen's delivery accounting, rather than arriving minutes late.
 */
export class RedisCluster implements ClusterLink {
  readonly nodeId: string;
  #up = false;
  #closed = false;
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #ttl: number;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #log: (line: string) => void;
  readonly #onState: (up: boolean) => void;
  readonly #remote = new Map<string, RemoteNode>();
  #delivery: ClusterDelivery | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(opts: RedisClusterOptions) {
    this.nodeId = opts.nodeId;
    this.#ttl = opts.presenceTtlMs ?? 5000;
    this.#prefix = opts.prefix ?? 'chatpulse';
    this.#channel = `${this.#prefix}:bus`;
    this.#log = opts.log ?? ((l) => console.error(l));
    this.#onState = opts.onState ?? (() => {});
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Reconnect for ever, backing off to 2 s: the node keeps serving its own clients meanwhile.
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    };
    this.#pub = new Redis(opts.url, { ...common, enableAutoPipelining: true });
    this.#sub = new Redis(opts.url, { ...common, autoResubscribe: true });
    this.#sub.on('message', (_channel: string, payload: string) => this.#onFrame(payload));
    this.#pub.on('ready', () => this.#setUp(true));
    this.#pub.on('close', () => this.#setUp(false));
    for (const c of [this.#pub, this.#sub]) c.on('error', () => {}); // state changes are logged once, below
  }

  get up(): boolean {
    return this.#up;
  }

  /** Connects (bounded wait; a Redis that is down at start is retried in the background) and starts the heartbeat. */
  async start(delivery: ClusterDelivery, waitMs = 3000): Promise<void> {
    this.#delivery = delivery;
    const connect = Promise.allSettled([this.#pub.connect(), this.#sub.connect()]).then(() =>
      this.#sub.subscribe(this.#channel).catch(() => {}),
    );
    await Promise.race([connect, new Promise((r) => setTimeout(r, waitMs).unref())]);
    if (!this.#up) this.#log(`redis: ${this.#describe()} is not reachable; serving local clients only, retrying`);
    this.#heartbeat = setInterval(() => this.#beat(), Math.max(100, Math.floor(this.#ttl / 4)));
    this.#heartbeat.unref();
    this.#beat();
  }

  async claimNick(nick: string): Promise<boolean> {
    if (!this.#up) return true;
    const key = this.#nickKey(nick);
    const claim = this.#pub.set(key, this.nodeId, 'PX', this.#ttl, 'NX').then(
      (r) => r === 'OK',
      () => true,
    );
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(true), CLAIM_TIMEOUT_MS).unref());
    return Promise.race([claim, timeout]);
  }

  releaseNick(nick: string): void {
    if (!this.#up) return;
    // Delete only if this node still holds it.
    this.#pub
      .eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, this.#nickKey(nick), this.nodeId)
      .catch(() => {});
  }

  publishMessage(room: string, nick: string, text: string): void {
    this.#publish({ t: 'm', n: this.nodeId, r: room, u: nick, x: text });
  }

  publishPresence(room: string, nick: string, change: 'join' | 'leave'): void {
    this.#publish({ t: change === 'join' ? 'j' : 'l', n: this.nodeId, r: room, u: nick });
  }

  publishPrivate(from: string, to: string, text: string): boolean {
    const lower = to.toLowerCase();
    let found = false;
    for (const node of this.#liveNodes()) {
      for (const room of node.rooms.values()) {
        if (room.nicks.some((n) => n.toLowerCase() === lower)) found = true;
      }
    }
    if (found) this.#publish({ t: 'p', n: this.nodeId, to, u: from, x: text });
    return found;
  }

  remoteMembers(room: string): string[] {
    const key = room.toLowerCase();
    const out: string[] = [];
    for (const node of this.#liveNodes()) out.push(...(node.rooms.get(key)?.nicks ?? []));
    return out;
  }

  remoteRooms(): Map<string, number> {
    const out = new Map<string, number>();
    for (const node of this.#liveNodes()) {
      for (const { name, nicks } of node.rooms.values()) out.set(name, (out.get(name) ?? 0) + nicks.length);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    if (this.#up) {
      await this.#pub.del(this.#presenceKey(this.nodeId)).catch(() => {});
    }
    this.#pub.disconnect();
    this.#sub.disconnect();
  }

  #publish(frame: Frame): void {
    if (!this.#up) return;
    this.#pub.publish(this.#channel, JSON.stringify(frame)).catch(() => {});
  }

  #beat(): void {
    const delivery = this.#delivery;
    if (!delivery || !this.#up) return;
    const rooms = delivery.localPresence();
    const record = JSON.stringify({ t: 'h', n: this.nodeId, rooms } satisfies Frame);
    const nicks = delivery.localNicks();
    const p = this.#pub.pipeline();
    p.set(this.#presenceKey(this.nodeId), record, 'PX', this.#ttl);
    // Re-assert our nicknames (a restarted Redis lost them); a node that dies lets them expire.
    for (const nick of nicks) p.set(this.#nickKey(nick), this.nodeId, 'PX', this.#ttl);
    p.publish(this.#channel, record);
    p.exec().catch(() => {});
  }

  #onFrame(payload: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(payload) as Frame;
    } catch {
      return;
    }
    if (frame.n === this.nodeId || !this.#delivery) return;
    switch (frame.t) {
      case 'm':
        this.#delivery.remoteMessage(frame.r, frame.u, frame.x);
        break;
      case 'j':
      case 'l':
        this.#applyPresence(frame.n, frame.r, frame.u, frame.t === 'j');
        this.#delivery.remotePresence(frame.r, frame.u, frame.t === 'j' ? 'join' : 'leave');
        break;
      case 'p':
        this.#delivery.remotePrivate(frame.u, frame.to, frame.x);
        break;
      case 'h':
        this.#remote.set(frame.n, { rooms: toRoomMap(frame.rooms), seenAt: Date.now() });
        break;
    }
  }

  /** Joins/leaves update the mirror at once, so `/users` is right before the next heartbeat. */
  #applyPresence(nodeId: string, room: string, nick: string, joined: boolean): void {
    const node: RemoteNode = this.#remote.get(nodeId) ?? { rooms: new Map(), seenAt: Date.now() };
    this.#remote.set(nodeId, node);
    const key = room.toLowerCase();
    const entry = node.rooms.get(key) ?? { name: room, nicks: [] as string[] };
    entry.nicks = entry.nicks.filter((n) => n !== nick);
    if (joined) entry.nicks.push(nick);
    if (entry.nicks.length > 0) node.rooms.set(key, entry);
    else node.rooms.delete(key);
  }

  /** Nodes heard from within the presence TTL; a killed node drops out by itself. */
  *#liveNodes(): Generator<RemoteNode> {
    const cutoff = Date.now() - this.#ttl;
    for (const [id, node] of this.#remote) {
      if (node.seenAt < cutoff) this.#remote.delete(id);
      else yield node;
    }
  }

  #setUp(up: boolean): void {
    if (up === this.#up || this.#closed) return;
    this.#up = up;
    this.#onState(up);
    if (up) {
      this.#log(`redis: connected to ${this.#describe()} as node ${this.nodeId}`);
      this.#beat();
    } else {
      this.#log(`redis: connection to ${this.#describe()} lost; serving local clients only, reconnecting`);
    }
  }

  #describe(): string {
    const o = this.#pub.options;
    return `${o.host}:${o.port}`;
  }

  /** Keyed by skeleton, so that a lookalike of a nickname held on another node is refused too. */
  #nickKey(nick: string): string {
    return `${this.#prefix}:nick:${nickSkeleton(nick)}`;
  }

  #presenceKey(nodeId: string): string {
    return `${this.#prefix}:presence:${nodeId}`;
  }
}

function toRoomMap(rooms: Record<string, string[]>): Map<string, { name: string; nicks: string[] }> {
  const map = new Map<string, { name: string; nicks: string[] }>();
  for (const [name, nicks] of Object.entries(rooms)) {
    if (Array.isArray(nicks)) map.set(name.toLowerCase(), { name, nicks: nicks.filter((n: unknown): n is string => typeof n === 'string') });
  }
  return map;
}
