/**
 * The main thread's view of a run: merges the workers' tick messages (histograms added, never
 * averaged), feeds the delivery ledger and keeps run totals and generator health.
 */
import { addDeliveryCounts, DeliveryCounts } from './delivery-counts.js';
import { addEncoded, newHistogram, type Histogram } from './histograms.js';
import { DeliveryLedger, type Settled } from './ledger.js';
import type { WorkerFinal, WorkerTick } from './worker-messages.js';

/** A worker is saturated when its event loop is this busy or this late: its timings are suspect. */
export const SATURATION = { elu: 0.9, lagP99Ms: 50 } as const;

export interface WorkerHealthSummary {
  worker: number;
  eluMean: number;
  /** Median over ticks of the busy share: the steady state (the mean counts the ramp's quiet ticks too). */
  eluMedian: number;
  eluMax: number;
  lagP99MaxMs: number;
  /** Median over ticks of each tick's lag p99: the steady state, untouched by one slow tick (connects, GC). */
  lagP99MedianMs: number;
  lagMaxMs: number;
  saturatedTicks: number;
}

export interface TickView {
  tick: number;
  clients: number;
  /** Messages due but not written at this tick (after the stop: those that never will be). */
  waiting: number;
  sent: number;
  received: number;
  errors: number;
  corrected: Histogram;
  uncorrected: Histogram;
  settled: Settled;
  saturated: boolean;
}

/** Run totals: the `DeliveryCounts` fields summed over every worker's ticks. */
export class RunAggregate extends DeliveryCounts {
  clients = 0;
  peakClients = 0;
  /** Messages due but never written: still queued when the run ended (workers' `final`). */
  unsent = 0;
  ticks = 0;
  saturatedTicks = 0;
  readonly errors: Record<string, number> = {};
  readonly corrected = newHistogram();
  readonly uncorrected = newHistogram();
  readonly join = newHistogram();
  readonly users = newHistogram();
  readonly pm = newHistogram();
  readonly connect = newHistogram();
  readonly firstLine = newHistogram();
  readonly handshake = newHistogram();
  readonly ledger: DeliveryLedger;
  readonly #tickCorrected = newHistogram();
  readonly #tickUncorrected = newHistogram();
  readonly #health = new Map<number, WorkerHealthSummary & { eluSum: number; n: number; lagP99s: number[]; elus: number[] }>();

  constructor(lossTimeoutMs: number, intervalMs: number) {
    super();
    this.ledger = new DeliveryLedger(lossTimeoutMs, 2 * intervalMs);
  }

  get errorsTotal(): number {
    return Object.values(this.errors).reduce((a, b) => a + b, 0);
  }

  /**
   * One tick from every worker. The returned histograms are reused by the next call. `scheduled`:
   * the tick lies within the load's schedule. The ticks after it only drain (the last receipts, the
   * loss timeout); one of those enters the generator's health (its busy mean, median, and the share of
   * saturated ticks that decides `trustworthy`) only when it was saturated — an idle drain tick is not
   * the generator's load, and counting it made a busy generator look calmer and more trustworthy.
   */
  mergeTick(tick: number, parts: WorkerTick[], nowMs: number, settleAll = false, scheduled = true): TickView {
    const view: TickView = {
      tick, clients: 0, waiting: 0, sent: 0, received: 0, errors: 0, corrected: this.#tickCorrected, uncorrected: this.#tickUncorrected,
      settled: { expected: 0, lost: 0, unexpected: 0, ambiguous: 0 }, saturated: false,
    };
    this.#tickCorrected.reset();
    this.#tickUncorrected.reset();
    for (const p of parts) {
      view.clients += p.connected;
      view.waiting += p.waiting;
      view.sent += p.sent;
      view.received += p.received;
      addDeliveryCounts(this, p);
      for (const [k, n] of Object.entries(p.errors)) {
        this.errors[k] = (this.errors[k] ?? 0) + n;
        view.errors += n;
      }
      this.ledger.addSent(p.sentRecords);
      this.ledger.addReceipts(p.receipts, nowMs);
      addEncoded(this.#tickCorrected, p.corrected);
      addEncoded(this.#tickUncorrected, p.uncorrected);
      view.saturated = saturated(p) || view.saturated;
    }
    if (scheduled || view.saturated) {
      for (const p of parts) this.#addHealth(p);
      this.ticks++;
      if (view.saturated) this.saturatedTicks++;
    }
    this.corrected.add(this.#tickCorrected);
    this.uncorrected.add(this.#tickUncorrected);
    this.clients = view.clients;
    this.peakClients = Math.max(this.peakClients, view.clients);
    view.settled = this.ledger.settle(nowMs, settleAll);
    return view;
  }

  addFinal(f: WorkerFinal): void {
    this.unsent += f.unsent;
    addEncoded(this.join, f.join);
    addEncoded(this.users, f.users);
    addEncoded(this.pm, f.pm);
    addEncoded(this.connect, f.connect);
    addEncoded(this.firstLine, f.firstLine);
    addEncoded(this.handshake, f.handshake);
  }

  health(): WorkerHealthSummary[] {
    return [...this.#health.values()]
      .sort((a, b) => a.worker - b.worker)
      .map(({ eluSum, n, lagP99s, elus, ...h }) => ({ ...h, eluMean: n > 0 ? Math.round((1000 * eluSum) / n) / 1000 : 0, eluMedian: median(elus), lagP99MedianMs: median(lagP99s) }));
  }

  #addHealth(p: WorkerTick): void {
    let h = this.#health.get(p.worker);
    if (h === undefined) {
      h = { worker: p.worker, eluMean: 0, eluMedian: 0, eluMax: 0, lagP99MaxMs: 0, lagP99MedianMs: 0, lagMaxMs: 0, saturatedTicks: 0, eluSum: 0, n: 0, lagP99s: [], elus: [] };
      this.#health.set(p.worker, h);
    }
    const { elu, lagP99Ms, lagMaxMs } = p.health;
    h.eluSum += elu;
    h.n++;
    h.eluMax = Math.max(h.eluMax, round(elu));
    h.lagP99MaxMs = Math.max(h.lagP99MaxMs, round(lagP99Ms));
    if (h.lagP99s.length < 100_000) {
      h.lagP99s.push(lagP99Ms);
      h.elus.push(elu);
    }
    h.lagMaxMs = Math.max(h.lagMaxMs, round(lagMaxMs));
    if (saturated(p)) h.saturatedTicks++;
  }
}

function saturated(p: WorkerTick): boolean {
  return p.health.elu >= SATURATION.elu || p.health.lagP99Ms >= SATURATION.lagP99Ms;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.floor(sorted.length / 2)] as number);
}
