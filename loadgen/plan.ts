/**
 * The run plan: phases on one time axis (ms from the run start) with the per-client rate and who
 * connects when. Plain data, so the main thread builds it once and every worker reads the same one;
 * all functions are pure, so the same options and seed give the same schedule.
 */
import type { LoadOptions } from './options.js';
import { Prng, PURPOSE } from './prng.js';
import type { PhaseType } from './scenario.js';

export interface PlanPhase {
  type: PhaseType;
  start: number;
  end: number;
  /** Actions per second per client. */
  rate: number;
  /** ramp: clients `from`…`to - 1` connect evenly over the phase. */
  from: number;
  to: number;
  /** disconnect: share of clients dropped near the start. */
  share: number;
}

export interface Plan {
  clients: number;
  duration: number;
  phases: PlanPhase[];
}

/** With no ramp, clients still connect a little apart: a thousand SYNs at once overflow accept queues. */
const NO_RAMP_SPREAD_MS = 500;

export function buildPlan(o: LoadOptions): Plan {
  const phases: PlanPhase[] = [];
  const push = (type: PhaseType, duration: number, rate: number, from = 0, to = 0, share = 0) => {
    const start = phases.length ? (phases[phases.length - 1] as PlanPhase).end : 0;
    phases.push({ type, start, end: start + duration, rate, from, to, share });
  };
  if (o.scenario) {
    let connected = 0;
    for (const p of o.scenario.phases) {
      const to = p.type === 'ramp' ? (p.clients as number) : 0;
      push(p.type, p.duration, p.rate, connected, to, p.share ?? 0);
      if (p.type === 'ramp') connected = to;
    }
    const clients = o.scenario.clients ?? o.clients;
    return { clients, duration: phases[phases.length - 1]?.end ?? 0, phases };
  }
  if (o.ramp > 0) push('ramp', o.ramp, o.rate, 0, o.clients);
  if (o.duration > o.ramp) push('steady', o.duration - o.ramp, o.rate);
  return { clients: o.clients, duration: o.duration, phases };
}

/** When client `i` connects (ms from the run start). */
export function connectAt(plan: Plan, i: number): number {
  for (const p of plan.phases) {
    if (p.type === 'ramp' && i >= p.from && i < p.to) return p.start + ((i - p.from + 0.5) * (p.end - p.start)) / (p.to - p.from);
  }
  return i * Math.min(0.5, NO_RAMP_SPREAD_MS / plan.clients);
}

export function rateAt(plan: Plan, t: number): number {
  for (const p of plan.phases) if (t >= p.start && t < p.end) return p.rate;
  return 0;
}

/**
 * The time at which `amount` units of rate × seconds have passed since `t`: with `amount` drawn
 * from Exp(1) this gives the next arrival of a Poisson process whose rate follows the phases.
 * Infinity when the run ends first.
 */
export function advance(plan: Plan, t: number, amount: number): number {
  let left = amount;
  for (const p of plan.phases) {
    if (p.end <= t) continue;
    const from = Math.max(t, p.start);
    const capacity = (p.rate * (p.end - from)) / 1000;
    if (p.rate > 0 && capacity >= left) return from + (left / p.rate) * 1000;
    left -= capacity;
  }
  return Infinity;
}

/** Times (ms from the run start) at which client `i` drops its connection in disconnect storms. */
export function stormDrops(plan: Plan, i: number, seed: number): number[] {
  const drops: number[] = [];
  const joined = connectAt(plan, i);
  plan.phases.forEach((p, k) => {
    if (p.type !== 'disconnect' || joined >= p.start) return;
    const rng = new Prng(seed, i, PURPOSE.storm * 1000 + k);
    if (rng.next() < p.share) drops.push(p.start + rng.next() * stormSpread(p));
  });
  return drops;
}

/** How long after its start a disconnect phase's drops fall: its first second, or first quarter if shorter. */
export function stormSpread(p: Pick<PlanPhase, 'start' | 'end'>): number {
  return Math.min(1000, (p.end - p.start) / 4);
}

/**
 * Where the run's rates are measured from (ms): the end of its leading ramp phases, when every client
 * is connected. A mean over the ramp counts seconds when most clients were not yet there — 8–11 %
 * low for a 2 s ramp in 12 s, ~20 % for compare's 10 s in 30 s.
 */
export function rampEnd(plan: Plan): number {
  let end = 0;
  for (const p of plan.phases) {
    if (p.type !== 'ramp') break;
    end = p.end;
  }
  return end;
}
