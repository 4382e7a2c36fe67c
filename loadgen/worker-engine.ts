/**
 * What runs inside one worker thread: its share of virtual clients, their schedule on one timer,
 * its stats and its own health. Talks to the main thread only through `post`.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Event-loop delay sampling interval, ms. */
const LAG_RESOLUTION_MS = 10;
/** How long after a message reached the server a member the run drops may still not have read it. */
const DROP_READ_MS = 250;
import { epochMs } from './clock.js';
import { dial } from './dialer.js';
import { MemberOutages } from './member-outages.js';
import { advance, connectAt, stormDrops, stormSpread, type Plan } from './plan.js';
import { Prng, PURPOSE } from './prng.js';
import { parseTarget } from './options.js';
import { tagBytes } from './payload.js';
import { runNickIndex, runTag } from './run-identity.js';
import type { RunMembers } from './room-view.js';
import { adapterFor } from './protocols/index.js';
import { ReachWatcher } from './target-reach.js';
import { TimerHeap, type Timed } from './timer-heap.js';
import type { ClientContext } from './client-context.js';
import { AMBIGUITY_WINDOW_MS, VirtualClient } from './virtual-client.js';
import type { MainToWorker, WorkerInit, WorkerToMain } from './worker-messages.js';
import { WorkerStats } from './worker-stats.js';

const CONNECT = 0;
const ACT = 1;
const DROP = 2;

/** Entries done in one timer turn at most: a very late timer catches up over several turns. */
const MAX_PER_TURN = 5000;

const byClient = (a: Timed, b: Timed): number => a.client - b.client;

export class WorkerEngine {
  readonly #init: WorkerInit;
  readonly #post: (msg: WorkerToMain, transfer?: ArrayBuffer[]) => void;
  readonly #stats: WorkerStats;
  readonly #clients = new Map<number, VirtualClient>();
  readonly #schedules = new Map<number, Prng>();
  readonly #heap = new TimerHeap();
  /** One timer turn's due entries (reused). */
  readonly #due: Timed[] = [];
  readonly #lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  readonly #reach: ReachWatcher;
  /** Every worker's clients cut off without the plan saying so (relayed by the main thread). */
  readonly #outages = new MemberOutages(DROP_READ_MS);
  #elu: EventLoopUtilization = performance.eventLoopUtilization();
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #startEpochMs = 0;

  constructor(init: WorkerInit, post: (msg: WorkerToMain, transfer?: ArrayBuffer[]) => void) {
    this.#init = init;
    this.#post = post;
    this.#stats = new WorkerStats(init.workerIndex);
    const o = init.options;
    const plan = init.plan;
    const engine = this;
    // One adapter per worker: a spec's templates and key paths are compiled here, once.
    const adapter = adapterFor(o.protocol, o.spec);
    const rooms = Array.from({ length: o.rooms }, (_, i) => adapter.roomName(`room${i + 1}`));
    const targets = o.targets.map((t) => parseTarget(t, o.protocol));
    const reach = (this.#reach = new ReachWatcher(targets.length));
    const tag = runTag(o.nickPrefix);
    const ctx: ClientContext = {
      adapter, stats: this.#stats, targets, seed: o.seed, rooms,
      pm: o.pm, switch: o.switch, users: o.users, size: o.size, inflight: o.inflight, lossTimeoutMs: o.lossTimeout,
      nickPrefix: o.nickPrefix, runTag: tag, runTagBytes: tagBytes(tag), runMembers: this.#runMembers(o.nickPrefix, plan, o.seed), now: epochMs,
      dial: (t, nick) => {
        const path = adapter.connectPath ? adapter.connectPath(t.path, nick) : t.path;
        // --tls makes a spec app's WebSocket a wss one (a ws:// target names its own, and --tls is refused there).
        const transport = t.transport === 'ws' && o.tls ? 'wss' : t.transport;
        const d = dial({ host: t.host, port: t.port, transport, path, tls: o.tls, tlsInsecure: o.tlsInsecure, tlsCa: o.tlsCa });
        // Clients hold the very objects of `targets`, so the index is found by identity.
        reach.watch(targets.indexOf(t), d, epochMs());
        return d;
      },
      plannedConnected: (t) => plannedConnected(plan, t - engine.#startEpochMs),
      plannedConnectAt: (index) => engine.#startEpochMs + connectAt(plan, index),
      outage: (client, at, down) => {
        this.#outage(client, at, down);
        this.#post({ type: 'outage', worker: init.workerIndex, client, at, down });
      },
      delivered: (gid, seq, at) => this.#clients.get(gid)?.ownDelivered(seq, at),
      get stopping() {
        return engine.#stopping;
      },
    };
    for (const gid of init.clients) {
      this.#clients.set(gid, new VirtualClient(gid, ctx));
      this.#schedules.set(gid, new Prng(o.seed, gid, PURPOSE.schedule));
      const at = connectAt(plan, gid);
      this.#heap.push({ t: at, client: gid, kind: CONNECT });
      this.#pushNextAction(gid, at);
      for (const d of stormDrops(plan, gid, o.seed)) this.#heap.push({ t: d, client: gid, kind: DROP });
    }
  }

  /**
   * The run's clients by nickname, and when the plan drops each (every worker can tell: the storms
   * come from the plan and the seed, as this worker's own drops do), or when one was cut off without
   * the plan (its outages, from every worker). A client's drop times are worked out when first asked,
   * and only with a disconnect phase in the plan.
   */
  #runMembers(nickPrefix: string, plan: Plan, seed: number): RunMembers {
    // A drop fires at its planned time or later, never before. Cut before the message's write: the
    // server may not have seen it go yet (up to the ambiguity window). Cut after its echo: only while
    // the message can still lie unread in the socket (its worker busy; well under DROP_READ_MS).
    const near = (d: number, from: number, to: number) => d >= from - AMBIGUITY_WINDOW_MS && d <= to + DROP_READ_MS;
    const storms = plan.phases.filter((p) => p.type === 'disconnect').map((p) => [p.start, p.start + stormSpread(p)] as const);
    const drops = new Map<number, number[]>();
    return {
      index: runNickIndex(nickPrefix, plan.clients),
      local: (index) => this.#clients.has(index),
      // Asked once per own message and PM: a plain loop, no closure per call.
      stormNear: (from, to) => {
        const f = from - this.#startEpochMs;
        const t = to - this.#startEpochMs;
        for (const [first, last] of storms) if (last >= f - AMBIGUITY_WINDOW_MS && first <= t + DROP_READ_MS) return true;
        return this.#outages.anyCuts(from, to);
      },
      dropsNear: (index, from, to) => {
        if (index < 0) return false;
        if (this.#outages.cuts(index, from, to)) return true;
        if (storms.length === 0) return false;
        let times = drops.get(index);
        if (times === undefined) drops.set(index, (times = stormDrops(plan, index, seed)));
        return times.some((d) => near(d, from - this.#startEpochMs, to - this.#startEpochMs));
      },
    };
  }

  /** Tells the main thread the clients are built; the schedule begins with `start`. */
  ready(): void {
    this.#post({ type: 'ready', worker: this.#init.workerIndex });
  }

  onMessage(msg: MainToWorker): void {
    if (msg.type === 'start') {
      this.#startEpochMs = msg.startEpochMs;
      this.#elu = performance.eventLoopUtilization();
      this.#lag.enable();
      this.#arm();
    } else if (msg.type === 'tick') {
      let waiting = 0;
      for (const c of this.#clients.values()) {
        c.flush();
        waiting += c.waiting;
      }
      const t = this.#stats.drainTick(msg.tick, this.#health(), waiting);
      t.reach = this.#reach.drain();
      this.#post(t, [t.sentRecords.buffer as ArrayBuffer, t.receipts.buffer as ArrayBuffer]);
    } else if (msg.type === 'stop') {
      this.#stop();
    } else if (msg.type === 'close') {
      void this.#close();
    } else if (msg.type === 'outage') {
      this.#outage(msg.client, msg.at, msg.down);
    }
  }

  #outage(client: number, at: number, down: boolean): void {
    if (down) this.#outages.down(client, at);
    else this.#outages.up(client, at);
  }

  #pushNextAction(gid: number, from: number): void {
    const t = this.#nextAction(gid, from);
    if (t < this.#init.plan.duration) this.#heap.push({ t, client: gid, kind: ACT });
  }

  /** When client `gid` acts next after `from` (run ms; past the plan's end when it does not). */
  #nextAction(gid: number, from: number): number {
    return advance(this.#init.plan, from, (this.#schedules.get(gid) as Prng).exp());
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const next = this.#heap.peek();
    if (next === undefined || this.#stopping) return;
    const delay = this.#startEpochMs + next.t - epochMs();
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, delay));
  }

  #fire(): void {
    const now = epochMs() - this.#startEpochMs;
    const due = this.#due;
    // Everything due now, including what a late timer let pile up: each keeps its own intended time.
    for (let e = this.#heap.peek(); e !== undefined && e.t <= now + 0.5 && due.length < MAX_PER_TURN; e = this.#heap.peek()) {
      this.#heap.pop();
      due.push(e);
    }
    // One client's entries together, each client's in time order (the sort is stable), so that its
    // messages of this turn go out in one write. Clients draw their own random numbers: the order
    // between clients changes nothing they send.
    if (due.length > 1) due.sort(byClient);
    let budget = MAX_PER_TURN - due.length;
    for (let i = 0; i < due.length; ) {
      const gid = (due[i] as Timed).client;
      const c = this.#clients.get(gid) as VirtualClient;
      c.hold();
      // The client's next action, once one is done: when it is due already (a late timer), it is done
      // in this turn too, in time order with the client's other entries.
      let next = Infinity;
      for (;;) {
        const e = due[i];
        const mine = e !== undefined && e.client === gid;
        if (next <= now + 0.5 && next < this.#init.plan.duration && budget > 0 && (!mine || next <= e.t)) {
          budget--;
          c.act(this.#startEpochMs + next);
          next = this.#nextAction(gid, next);
          continue;
        }
        if (!mine) break;
        i++;
        if (e.kind === CONNECT) c.connect();
        else if (e.kind === DROP) c.drop();
        else {
          c.act(this.#startEpochMs + e.t);
          next = this.#nextAction(gid, e.t);
        }
      }
      c.release();
      if (next < this.#init.plan.duration) this.#heap.push({ t: next, client: gid, kind: ACT });
    }
    due.length = 0;
    this.#arm();
  }

  /**
   * At the stop: the actions already due that a late timer had not fired yet (a busy loop) are done
   * now, so that a seeded schedule sends the same messages whatever the machine's load — `compare`
   * relies on it. Connects and drops still due are left: the run is over.
   */
  #actDueNow(): void {
    const now = epochMs() - this.#startEpochMs;
    for (let e = this.#heap.peek(); e !== undefined && e.t <= now + 0.5; e = this.#heap.peek()) {
      this.#heap.pop();
      if (e.kind === ACT) (this.#clients.get(e.client) as VirtualClient).act(this.#startEpochMs + e.t);
    }
  }

  #health() {
    const elu = performance.eventLoopUtilization(this.#elu);
    this.#elu = performance.eventLoopUtilization();
    const lag = this.#lag;
    // The histogram records whole sampling intervals (an idle loop reads ~10 ms at resolution 10):
    // lag is what exceeds the interval.
    const over = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
    const h = { elu: elu.utilization, lagP99Ms: lag.count > 0 ? over(lag.percentile(99)) : 0, lagMaxMs: lag.count > 0 ? over(lag.max) : 0 };
    lag.reset();
    return h;
  }

  #stop(): void {
    if (!this.#stopping) this.#actDueNow();
    this.#stopping = true;
    this.#reach.freeze();
    clearTimeout(this.#timer);
    this.#heap.clear();
    for (const c of this.#clients.values()) c.stop();
  }

  async #close(): Promise<void> {
    this.#stop();
    let unsent = 0;
    for (const c of this.#clients.values()) unsent += c.waiting;
    await Promise.all([...this.#clients.values()].map((c) => c.close()));
    this.#lag.disable();
    const s = this.#stats;
    this.#post({
      type: 'final', worker: this.#init.workerIndex, unsent, join: WorkerStats.encodeRun(s.join), users: WorkerStats.encodeRun(s.users),
      pm: WorkerStats.encodeRun(s.pm), connect: WorkerStats.encodeRun(s.connect), firstLine: WorkerStats.encodeRun(s.firstLine),
      handshake: WorkerStats.encodeRun(s.handshake),
    });
  }
}

/** Clients connect in index order (plan.ts), so the count connected by time `t` is a binary search. */
export function plannedConnected(plan: Plan, t: number): number {
  let lo = 0;
  let hi = plan.clients;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (connectAt(plan, mid) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
