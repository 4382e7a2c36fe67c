import type { LoadgenTickReport } from '../loadgen/report.js';
import type { ChatEvents } from '../server/index.js';
import { LoadgenReports, type CombinedLatency, type RunHistograms } from './loadgen-reports.js';
import { RateAverage } from './moving-average.js';
import { RoomTable } from './room-table.js';
import type { Snapshot, TotalsSample } from './snapshot.js';
import { systemClock, type TickClock } from './tick-clock.js';

export interface TickAggregatorOptions {
  /** Run id stamped on every snapshot. @default '' */
  runId: string;
  /** Nominal tick length in ms (`--interval`). @default 1000 */
  intervalMs: number;
  /** Ticks in the moving average (`--window`). @default 5 */
  window: number;
  /** Named room rows at most (`--metric-rooms`); see RoomTable for the folding rule. @default 50 */
  metricRooms: number;
  /** Ticks an empty, silent named room keeps its row. @default 60 */
  releaseAfterTicks: number;
  /** Load generators remembered at once; the one heard from longest ago is forgotten first. @default 32 */
  maxLoadgenSources: number;
  /** @default systemClock */
  clock: TickClock;
  /** Where a throwing snapshot listener is reported. @default console.error */
  onListenerError: (err: unknown) => void;
}

type Listener = (snapshot: Snapshot) => void;

/**
 * Turns the chat core's events into one `Snapshot` per tick. Event handlers only increment numbers;
 * all arithmetic happens in `tick()`. MPS divides by the real elapsed time of the tick, read from the
 * clock, because timers fire late under load.
 */
export class TickAggregator {
  readonly options: TickAggregatorOptions;
  readonly #rooms: RoomTable;
  readonly #avg: RateAverage;
  readonly #listeners: Listener[] = [];
  readonly #unsubscribe: (() => void)[] = [];
  readonly #loadgen: LoadgenReports;
  #stopTimer: (() => void) | undefined;
  #startedAt = 0;
  #lastTickAt = 0;
  #tick = 0;
  #latest: Snapshot | undefined;
  #closed = false;
  /** See endWindowAt(). */
  #windowEndsAt = Infinity;
  /** The clock time of the last tick of the window, held open until close(). */
  #heldAt: number | undefined;
  // Hot-path counters: this tick, and since the start.
  #messages = 0;
  #pms = 0;
  #deliveries = 0;
  #connects = 0;
  #disconnects = 0;
  #bytesIn = 0;
  #bytesOut = 0;
  #errors = 0;
  readonly #t = { messages: 0, pms: 0, deliveries: 0, connects: 0, disconnects: 0, bytesIn: 0, bytesOut: 0, errors: 0, joins: 0, leaves: 0 };
  readonly #errorsByReason: Record<string, number> = {};
  readonly #disconnectsByReason: Record<string, number> = {};

  constructor(events: ChatEvents, options: Partial<TickAggregatorOptions> = {}) {
    this.options = {
      runId: '', intervalMs: 1000, window: 5, metricRooms: 50, releaseAfterTicks: 60, maxLoadgenSources: 32,
      clock: systemClock, onListenerError: (err) => console.error('chatpulse: snapshot listener failed:', err),
      ...options,
    };
    const { intervalMs } = this.options;
    if (!Number.isFinite(intervalMs) || intervalMs < 1) {
      throw new RangeError(`Expected \`intervalMs\` to be a number >= 1, got \`${intervalMs}\``);
    }
    this.#rooms = new RoomTable(this.options);
    this.#avg = new RateAverage(this.options.window);
    this.#loadgen = new LoadgenReports(this.options.maxLoadgenSources);
    const rooms = this.#rooms;
    this.#unsubscribe.push(
      events.on('message', (e) => {
        this.#messages++;
        this.#deliveries += e.deliveries;
        rooms.message(e.room);
      }),
      // A message from another node fanned out here: deliveries on this node, not a new message.
      events.on('relay', (e) => {
        this.#deliveries += e.deliveries;
      }),
      events.on('join', (e) => rooms.join(e.room, e.members)),
      events.on('leave', (e) => rooms.leave(e.room, e.members)),
      events.on('pm', () => this.#pms++),
      events.on('connect', () => this.#connects++),
      events.on('disconnect', (e) => {
        this.#disconnects++;
        this.#disconnectsByReason[e.reason] = (this.#disconnectsByReason[e.reason] ?? 0) + 1;
        if (e.reason === 'slow_consumer') this.#error('slow_consumer');
      }),
      events.on('error', (e) => this.#error(e.reason)),
      events.on('flush', (e) => {
        this.#bytesIn += e.bytesIn;
        this.#bytesOut += e.bytesOut;
      }),
    );
  }

  /** Starts the tick timer; the run's time starts now. */
  start(): this {
    if (this.started || this.#closed) return this;
    this.#startedAt = this.#lastTickAt = this.options.clock.now();
    this.#stopTimer = this.options.clock.every(this.options.intervalMs, () => this.#onTimer());
    return this;
  }

  /** True once start() ran (the run's time has begun). */
  get started(): boolean {
    return this.#stopTimer !== undefined || this.#heldAt !== undefined;
  }

  /**
   * The measured window ends at `ms` (epoch). The tick that ends nearest it (the first one made at or
   * after `ms` − half an interval) is the run's last: instead of publishing it, the timer stops and
   * close() publishes it, stamped with its own time and length, with everything counted until then.
   * Why: after a demo's load stops, its clients drain for seconds (late deliveries, the load
   * generator's final report, the goodbyes). As ticks of their own those were rows of zeros that
   * pulled every mean down and put a cliff at the end of each chart; folded into the last tick,
   * the sums still equal the server's counters and no tick lies past the window.
   */
  endWindowAt(ms: number): void {
    this.#windowEndsAt = Math.min(this.#windowEndsAt, ms);
  }

  #onTimer(): void {
    const now = this.options.clock.now();
    if (now < this.#windowEndsAt - this.options.intervalMs / 2) {
      this.tick();
      return;
    }
    this.#stopTimer?.();
    this.#stopTimer = undefined;
    this.#heldAt = now;
  }

  /** The last snapshot made, if any. */
  get latest(): Snapshot | undefined {
    return this.#latest;
  }

  /** Rooms tracked in memory now (bounded by the chat core's room cap plus `metricRooms`). */
  get trackedRooms(): number {
    return this.#rooms.tracked;
  }

  /** Calls `fn` with every snapshot; returns the unsubscribe function. */
  onSnapshot(fn: Listener): () => void {
    this.#listeners.push(fn);
    return () => {
      const i = this.#listeners.indexOf(fn);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** The latest report of a load generator (WS /ingest); the next snapshot carries it. */
  acceptLoadgenReport(report: LoadgenTickReport): void {
    if (!this.#closed) this.#loadgen.accept(report);
  }

  /** Every load generator's delivery latency over the run so far, from one merged histogram (null before any). */
  loadgenLatency(): CombinedLatency | null {
    return this.#loadgen.runLatency();
  }

  /** Load generators that ever reported (up to 1024); the latest snapshot holds at most 32 of them. */
  get loadgenSourcesSeen(): number {
    return this.#loadgen.sourcesSeen;
  }

  /** The merged whole-run histograms behind `loadgenLatency()`, for the run store (null before any). */
  loadgenHistograms(): RunHistograms | null {
    return this.#loadgen.runHistograms();
  }

  /** Ends the current tick now: makes, keeps and publishes its snapshot. */
  tick(): Snapshot {
    return this.#makeTick(this.options.clock.now());
  }

  #makeTick(now: number): Snapshot {
    // A zero-length tick (two ticks in one ms) would divide by zero; 1 ms is the clock's resolution.
    const seconds = Math.max(now - this.#lastTickAt, 1) / 1000;
    this.#lastTickAt = now;
    const rooms = this.#rooms.tick(seconds);
    let joins = 0, leaves = 0, members = 0;
    for (const r of rooms) {
      joins += r.joins;
      leaves += r.leaves;
      members += r.members;
    }
    const totals = this.#totals(seconds, joins, leaves, members);
    const snapshot: Snapshot = {
      runId: this.options.runId,
      tick: ++this.#tick,
      time: now,
      elapsedS: (now - this.#startedAt) / 1000,
      intervalS: seconds,
      rooms,
      totals,
      loadgen: this.#loadgen.latest(),
    };
    this.#latest = snapshot;
    for (const fn of [...this.#listeners]) {
      try {
        fn(snapshot);
      } catch (err) {
        this.options.onListenerError(err);
      }
    }
    return snapshot;
  }

  /**
   * Idempotent: stops listening and the timer; makes one last (partial) tick if the run started —
   * or publishes the window's held last tick (endWindowAt()).
   */
  close(): Snapshot | undefined {
    if (this.#closed) return this.#latest;
    for (const off of this.#unsubscribe) off();
    if (this.#heldAt !== undefined) {
      this.#makeTick(this.#heldAt);
    } else if (this.#stopTimer !== undefined) {
      this.#stopTimer();
      this.tick();
    }
    this.#closed = true;
    this.#listeners.length = 0;
    return this.#latest;
  }

  #error(reason: string): void {
    this.#errors++;
    this.#errorsByReason[reason] = (this.#errorsByReason[reason] ?? 0) + 1;
  }

  #totals(seconds: number, joins: number, leaves: number, members: number): TotalsSample {
    const t = this.#t;
    t.messages += this.#messages;
    t.pms += this.#pms;
    t.deliveries += this.#deliveries;
    t.connects += this.#connects;
    t.disconnects += this.#disconnects;
    t.bytesIn += this.#bytesIn;
    t.bytesOut += this.#bytesOut;
    t.errors += this.#errors;
    t.joins += joins;
    t.leaves += leaves;
    const mps = this.#messages / seconds;
    const totals: TotalsSample = {
      messages: this.#messages,
      mps,
      mpsAvg: this.#avg.push(this.#messages, seconds),
      joins,
      leaves,
      members,
      messagesTotal: t.messages,
      privateMessages: this.#pms,
      privateMessagesTotal: t.pms,
      deliveries: this.#deliveries,
      deliveriesTotal: t.deliveries,
      connections: t.connects - t.disconnects,
      connectionsTotal: t.connects,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
      bytesInTotal: t.bytesIn,
      bytesOutTotal: t.bytesOut,
      errors: this.#errors,
      errorsTotal: t.errors,
      errorsByReason: { ...this.#errorsByReason },
      disconnectsByReason: { ...this.#disconnectsByReason },
      loadgen: this.#loadgen.takeFresh(),
    };
    this.#messages = this.#pms = this.#deliveries = this.#connects = this.#disconnects = 0;
    this.#bytesIn = this.#bytesOut = this.#errors = 0;
    return totals;
  }

}
