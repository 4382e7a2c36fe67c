import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ClusterDelivery, ClusterLink } from './cluster-link.js';
import type { GraceStore } from './grace-memory.js';
import { RedisGraceStore } from './grace-store-redis.js';
import { NickClaims } from './nick-claims.js';

export interface RedisClusterOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /**
   * This node's name in logs and the `node` metrics label. May be given to `start()` instead: a node
   * on port 0 knows its `<host>:<port>` only once it listens.
   */
  nodeId?: string;
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
  | { t: 'm'; n: string; r: string; u: string; x: string; s?: number }
  | { t: 'j' | 'l'; n: string; r: string; u: string }
  | { t: 'p'; n: string; to: string; u: string; x: string }
  | { t: 'h'; n: string; id: string; rooms: Record<string, string[]> }
  /** A node starting: every node heartbeats at once, so it knows the cluster's members before its first client. */
  | { t: 'q'; n: string };

/** How long a starting node waits for the other nodes' answers to its `q` before it serves anyway. */
const ASK_PRESENCE_MS = 1000;

interface RemoteNode {
  rooms: Map<string, { name: string; nicks: string[] }>;
  seenAt: number;
}

/**
 * A cluster link over Redis: room messages, joins/leaves and PMs on one pub/sub channel; presence
 * as one key per node with an expiry, refreshed by a heartbeat that also updates every node's
 * in-memory mirror (so `/users` and `/rooms` answer without a round trip); nickname claims
 * (nick-claims.ts) re-asserted by the same heartbeat. Publishing never queues while Redis is down —
 * a message sent into the gap is lost and shows as loss in the loadgen's delivery accounting, rather
 * than arriving minutes late.
 */
export class RedisCluster implements ClusterLink {
  #nodeId: string | undefined;
  /**
   * Who this process is on the bus: its frames, presence key and nickname claims carry this, never
   * the human-chosen node name. Two nodes with the same name (no `--node-id` on two machines whose
   * `<host>:<port>` agree) would otherwise drop each other's frames as their own: a silent split.
   */
  readonly #busId = randomBytes(6).toString('hex');
  readonly #nicks: NickClaims;
  /** Other processes seen using our node name (warned about once each). */
  readonly #namesakes = new Set<string>();
  /** The bus is usable: connected, and carrying what we publish (see `#stalled`). What every check reads. */
  #up = false;
  /** ioredis has a ready connection. */
  #connected = false;
  #connectedAt = 0;
  /**
   * Connected, but our own heartbeat has not come back for a TTL: a Redis that hangs (stopped, or a
   * partition that keeps the TCP connection open) takes commands into its socket and runs them all
   * when it wakes. Meanwhile nothing is published, so room messages stay on their node, as while Redis
   * is down, instead of arriving seconds late everywhere else.
   */
  #stalled = false;
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
  #grace: RedisGraceStore | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  /** When this node's own heartbeat last came back through the bus: proof the bus carries what others say. */
  #heardSelf = 0;
  /** Since when its heartbeats have come back without a gap of half a TTL: the bus has carried others' since. */
  #busSteadySince = 0;

  constructor(opts: RedisClusterOptions) {
    this.#nodeId = opts.nodeId || undefined;
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
    this.#pub.on('ready', () => this.#setConnected(true));
    this.#pub.on('close', () => this.#setConnected(false));
    for (const c of [this.#pub, this.#sub]) c.on('error', () => {}); // state changes are logged once, below
    this.#nicks = new NickClaims({
      redis: this.#pub, up: () => this.#up, busId: this.#busId, prefix: this.#prefix, ttlMs: this.#ttl, log: this.#log,
    });
  }

  get nodeId(): string {
    return this.#nodeId ?? '';
  }

  get up(): boolean {
    return this.#up;
  }

  /**
   * Connects (bounded wait; a Redis that is down at start is retried in the background) and starts
   * the heartbeat. `nodeId` names the node when the constructor was not told (an empty name is refused:
   * it is what silently split clusters before).
   */
  async start(delivery: ClusterDelivery, opts: { nodeId?: string; waitMs?: number } = {}): Promise<void> {
    if (opts.nodeId) this.#nodeId = opts.nodeId;
    if (!this.#nodeId) throw new Error('RedisCluster needs a non-empty nodeId');
    const waitMs = opts.waitMs ?? 3000;
    this.#delivery = delivery;
    const connect = Promise.allSettled([this.#pub.connect(), this.#sub.connect()]).then(async () => {
      const others = await this.#readPresence();
      await this.#sub.subscribe(this.#channel).catch(() => {});
      await this.#askPresence(others);
    });
    await Promise.race([connect, new Promise((r) => setTimeout(r, waitMs).unref())]);
    if (!this.#up) this.#log(`redis: ${this.#describe()} is not reachable; serving local clients only, retrying`);
    this.#heartbeat = setInterval(() => this.#beat(), Math.max(100, Math.floor(this.#ttl / 4)));
    this.#heartbeat.unref();
    this.#beat();
  }

  /**
   * Grace records in this cluster's Redis (grace-store-redis.ts), kept alive by this link's heartbeat;
   * `local` holds them while Redis is unreachable. Call before `start()`.
   */
  graceStore(local: GraceStore, opts: { graceMs: number; maxRooms: number }): RedisGraceStore {
    this.#grace = new RedisGraceStore({
      redis: this.#pub, up: () => this.#up, prefix: this.#prefix, presenceTtlMs: this.#ttl, log: this.#log, local, ...opts,
    });
    return this.#grace;
  }

  claimNick(nick: string): Promise<boolean> {
    return this.#nicks.claim(nick);
  }

  releaseNick(nick: string): void {
    this.#nicks.release(nick);
  }

  publishMessage(room: string, nick: string, text: string, ts: number): void {
    this.#publish({ t: 'm', n: this.#busId, r: room, u: nick, x: text, s: ts });
  }

  publishPresence(room: string, nick: string, change: 'join' | 'leave'): void {
    this.#publish({ t: change === 'join' ? 'j' : 'l', n: this.#busId, r: room, u: nick });
  }

  publishPrivate(from: string, to: string, text: string): boolean {
    const lower = to.toLowerCase();
    let found = false;
    for (const node of this.#liveNodes()) {
      for (const room of node.rooms.values()) {
        if (room.nicks.some((n) => n.toLowerCase() === lower)) found = true;
      }
    }
    if (found) this.#publish({ t: 'p', n: this.#busId, to, u: from, x: text });
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
      await this.#pub.del(this.#presenceKey()).catch(() => {});
    }
    this.#pub.disconnect();
    this.#sub.disconnect();
  }

  /**
   * The bus ids of the other nodes whose presence records (kept alive by their heartbeats) exist now:
   * the nodes a starting node waits to hear from. Their members are not taken from the records: a
   * node that answers says them fresh, and one that does not is dead or hung — its members would be
   * stale ones (after a kill -9 and restart, the old process's users were listed for a TTL beside the
   * same clients back under new nicknames). Best effort.
   */
  async #readPresence(): Promise<Set<string>> {
    const ids = new Set<string>();
    try {
      const own = this.#presenceKey();
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await this.#pub.scan(cursor, 'MATCH', `${globEscape(this.#prefix)}:presence:*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch.filter((k) => k !== own));
      } while (cursor !== '0');
      if (keys.length === 0) return ids;
      for (const value of await this.#pub.mget(...keys)) {
        let frame: Frame;
        try {
          frame = JSON.parse(value ?? '') as Frame;
        } catch {
          continue;
        }
        if (frame.t === 'h' && frame.n !== this.#busId) ids.add(frame.n);
      }
    } catch {
      // Redis went away meanwhile: the heartbeats fill the mirror once it is back.
    }
    return ids;
  }

  /**
   * Asks every node to heartbeat now and waits (at most ASK_PRESENCE_MS) until each of `others` has:
   * a node that starts late then knows every member before its first client. Without it, `/users` on
   * a restarted node listed only its own users until the others' next heartbeats (up to TTL/4), and a
   * load generator took the missing members' deliveries for unexpected. A node that does not answer
   * (killed; its record not expired yet) is waited for in vain, once.
   */
  async #askPresence(others: Set<string>): Promise<void> {
    if (others.size === 0) return;
    const askedAt = Date.now();
    await this.#pub.publish(this.#channel, JSON.stringify({ t: 'q', n: this.#busId } satisfies Frame)).catch(() => {});
    const answered = () => [...others].every((id) => (this.#remote.get(id)?.seenAt ?? 0) > askedAt);
    while (!answered() && Date.now() - askedAt < ASK_PRESENCE_MS) await new Promise((r) => setTimeout(r, 5));
  }

  #publish(frame: Frame): void {
    if (!this.#up) return;
    this.#pub.publish(this.#channel, JSON.stringify(frame)).catch(() => {});
  }

  #beat(): void {
    const delivery = this.#delivery;
    if (!delivery || !this.#connected) return;
    const silentMs = Date.now() - Math.max(this.#heardSelf, this.#connectedAt);
    if (!this.#stalled && silentMs > this.#ttl) {
      this.#stalled = true;
      this.#setUp(false, `redis: ${this.#describe()} not answering for ${silentMs} ms; serving local clients only until it does`);
    }
    if (this.#up) this.#expire(delivery);
    const rooms = delivery.localPresence();
    const record = JSON.stringify({ t: 'h', n: this.#busId, id: this.nodeId, rooms } satisfies Frame);
    const p = this.#pub.pipeline();
    p.set(this.#presenceKey(), record, 'PX', this.#ttl);
    // Re-assert our nicknames; after a split, one that an earlier login holds is given up. (Not while
    // stalled: the heartbeat alone goes out then, to hear when Redis answers again.)
    const asked = this.#up ? this.#nicks.reclaim(p, delivery.localNicks()) : [];
    // Grace records of connected nicknames: kept alive, so that they outlive this node if it is killed.
    const refreshed = this.#up ? (this.#grace?.refresh(p) ?? []) : [];
    p.publish(this.#channel, record);
    p.exec().then((results) => {
      this.#nicks.settle(asked, results, 1, (nick) => this.#delivery?.nickLost(nick));
      this.#grace?.settle(refreshed, results, 1 + asked.length);
    }, () => {});
  }

  #onFrame(payload: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(payload) as Frame;
    } catch {
      return;
    }
    if (frame.n === this.#busId) {
      if (frame.t !== 'h') return;
      const now = Date.now();
      if (now - this.#heardSelf > this.#ttl / 2) this.#busSteadySince = now;
      this.#heardSelf = now;
      if (this.#stalled) {
        this.#stalled = false;
        this.#setUp(this.#connected, `redis: ${this.#describe()} answering again as node ${this.nodeId}`);
      }
      return;
    }
    if (!this.#delivery) return;
    switch (frame.t) {
      case 'm':
        this.#delivery.remoteMessage(frame.r, frame.u, frame.x, typeof frame.s === 'number' ? frame.s : undefined);
        break;
      case 'j':
      case 'l':
        this.#applyPresence(frame.n, frame.r, frame.u, frame.t === 'j');
        this.#delivery.remotePresence(frame.r, frame.u, frame.t === 'j' ? 'join' : 'leave');
        break;
      case 'p':
        this.#delivery.remotePrivate(frame.u, frame.to, frame.x);
        break;
      case 'q':
        this.#beat();
        break;
      case 'h':
        if (frame.id === this.nodeId && !this.#namesakes.has(frame.n)) {
          this.#namesakes.add(frame.n);
          this.#log(`redis: another node is also named '${this.nodeId}'; chat still crosses, but give each node its own --node-id so their /metrics series differ`);
        }
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

  /** Nodes heard from within the presence TTL; a killed node drops out by itself (and `#expire` says so). */
  *#liveNodes(): Generator<RemoteNode> {
    const cutoff = Date.now() - this.#ttl;
    for (const node of this.#remote.values()) if (node.seenAt >= cutoff) yield node;
  }

  /**
   * A node not heard from within the presence TTL was killed (a clean stop says goodbye): its users
   * are gone, and this node's members of their rooms are told `* X left #room`, as a clean leave would
   * have told them — else a client counting who is in a room (a load generator, above all) waits for
   * them forever. Not for a user who is in that room again through another node, nor unless this
   * node's own heartbeats have come back through the bus for a whole TTL: after a reconnect, or while
   * Redis hangs with the connection open, the silence is ours, not theirs. (When a hung Redis resumes,
   * its backlog can bring our own heartbeat before the other nodes': judged by that echo alone, a
   * member was told that the users of a live node had left — 1 run in 10 of the hang test.)
   */
  #expire(delivery: ClusterDelivery): void {
    const now = Date.now();
    if (now - this.#heardSelf > this.#ttl / 2) return;
    const cutoff = now - this.#ttl;
    if (this.#busSteadySince > cutoff) return;
    let local: Record<string, string[]> | undefined;
    for (const [id, node] of this.#remote) {
      if (node.seenAt >= cutoff) continue;
      this.#remote.delete(id);
      for (const { name, nicks } of node.rooms.values()) {
        for (const nick of nicks) {
          local ??= delivery.localPresence();
          if (this.#memberElsewhere(name, nick, local)) continue;
          delivery.remotePresence(name, nick, 'leave');
        }
      }
    }
  }

  #memberElsewhere(room: string, nick: string, local: Record<string, string[]>): boolean {
    const key = room.toLowerCase();
    for (const node of this.#liveNodes()) if (node.rooms.get(key)?.nicks.includes(nick)) return true;
    for (const [name, nicks] of Object.entries(local)) if (name.toLowerCase() === key && nicks.includes(nick)) return true;
    return false;
  }

  /** ioredis's connection came up or went. */
  #setConnected(connected: boolean): void {
    if (connected === this.#connected || this.#closed) return;
    this.#connected = connected;
    if (connected) {
      this.#connectedAt = Date.now();
      this.#stalled = false;
    }
    this.#setUp(connected, connected
      ? `redis: connected to ${this.#describe()} as node ${this.nodeId}`
      : `redis: connection to ${this.#describe()} lost; serving local clients only, reconnecting`);
  }

  /** The bus became usable or not (`line` says why): metrics told, one log line. */
  #setUp(up: boolean, line: string): void {
    if (up === this.#up || this.#closed) return;
    this.#up = up;
    this.#onState(up);
    this.#log(line);
    if (up) {
      this.#grace?.reconnected();
      this.#beat();
    }
  }

  #describe(): string {
    const o = this.#pub.options;
    return `${o.host}:${o.port}`;
  }

  #presenceKey(): string {
    return `${this.#prefix}:presence:${this.#busId}`;
  }
}

/** `s` matched literally in a Redis glob pattern. */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

function toRoomMap(rooms: Record<string, string[]>): Map<string, { name: string; nicks: string[] }> {
  const map = new Map<string, { name: string; nicks: string[] }>();
  for (const [name, nicks] of Object.entries(rooms)) {
    if (Array.isArray(nicks)) map.set(name.toLowerCase(), { name, nicks: nicks.filter((n: unknown): n is string => typeof n === 'string') });
  }
  return map;
}
