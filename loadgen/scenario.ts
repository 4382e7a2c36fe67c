/**
 * `--scenario file.json`: phases instead of flags. Example:
 *
 * ```json
 * { "clients": 200, "rooms": 8, "rate": 1,
 *   "phases": [
 *     { "type": "ramp", "duration": "10s", "clients": 200 },
 *     { "type": "steady", "duration": "30s" },
 *     { "type": "spike", "duration": "5s", "rate": 5 },
 *     { "type": "disconnect", "duration": "10s", "share": 0.3 } ] }
 * ```
 *
 * - `ramp`: clients connect evenly over the phase up to `clients` (default: the top-level count);
 * - `steady`: keep going, at `rate` if given (else the rate so far);
 * - `spike`: `rate` (required) for the phase, then back to the rate before it;
 * - `disconnect`: each connected client drops with probability `share`, near its start, and reconnects with
 *   backoff (a disconnect storm); `rate` optional.
 * Durations are strings like `10s`, `2m`, `500ms`, or milliseconds as numbers.
 */
import { parseDuration } from '../protocol/index.js';

export type PhaseType = 'ramp' | 'steady' | 'spike' | 'disconnect';

export interface Phase {
  type: PhaseType;
  /** ms */
  duration: number;
  /** Actions per second per client during the phase (resolved: never missing after parsing). */
  rate: number;
  /** ramp: clients connected at the end of the phase. */
  clients?: number;
  /** disconnect: share of clients that drop. */
  share?: number;
}

export interface Scenario {
  clients?: number;
  rooms?: number;
  rate?: number;
  pm?: number;
  switch?: number;
  users?: number;
  size?: number;
  seed?: number;
  phases: Phase[];
}

export class ScenarioError extends Error {
  readonly code = 'CHATPULSE_SCENARIO';
}

const TYPES: readonly PhaseType[] = ['ramp', 'steady', 'spike', 'disconnect'];
const TOP_NUMBERS = ['clients', 'rooms', 'rate', 'pm', 'switch', 'users', 'size', 'seed'] as const;

/** Parses and validates scenario JSON text; `defaults` fills what the file leaves out. */
export function parseScenario(text: string, defaults: { clients: number; rate: number }, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const fail = (where: string, msg: string): never => {
    throw new ScenarioError(`${source}: ${where} ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('the top level', 'must be an object with "phases"');
  const top = raw as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (key !== 'phases' && !(TOP_NUMBERS as readonly string[]).includes(key)) {
      fail(`"${key}"`, `is not a scenario field (known: phases, ${TOP_NUMBERS.join(', ')})`);
    }
  }
  const out: Scenario = { phases: [] };
  for (const key of TOP_NUMBERS) {
    const v = top[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(`"${key}"`, `must be a number >= 0, got ${JSON.stringify(v)}`);
    out[key] = v as number;
  }
  if (!Array.isArray(top.phases) || top.phases.length === 0) fail('"phases"', 'must be a non-empty array');
  if ((top.phases as unknown[]).length > 1000) fail('"phases"', 'has more than 1000 entries');
  const totalClients = out.clients ?? defaults.clients;
  let rate = out.rate ?? defaults.rate;
  let clients = 0;
  (top.phases as unknown[]).forEach((p, i) => {
    const where = `phases[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) fail(where, 'must be an object');
    const ph = p as Record<string, unknown>;
    const type = ph.type as PhaseType;
    if (!TYPES.includes(type)) fail(`${where}.type`, `must be one of ${TYPES.join(', ')}, got ${JSON.stringify(ph.type)}`);
    for (const key of Object.keys(ph)) {
      if (!['type', 'duration', 'rate', 'clients', 'share'].includes(key)) fail(`${where}.${key}`, `is not a phase field`);
    }
    const duration = typeof ph.duration === 'number' ? ph.duration : typeof ph.duration === 'string' ? parseDuration(ph.duration) : undefined;
    if (duration === undefined || !Number.isFinite(duration) || duration <= 0) {
      fail(`${where}.duration`, `must be a duration like "10s" above 0, got ${JSON.stringify(ph.duration)}`);
    }
    let phaseRate = rate;
    if (ph.rate !== undefined) {
      if (typeof ph.rate !== 'number' || !Number.isFinite(ph.rate) || ph.rate < 0 || ph.rate > 1000) {
        fail(`${where}.rate`, `must be a number from 0 to 1000, got ${JSON.stringify(ph.rate)}`);
      }
      phaseRate = ph.rate as number;
    } else if (type === 'spike') fail(`${where}.rate`, 'is required for a spike');
    const phase: Phase = { type, duration: duration as number, rate: phaseRate };
    if (type !== 'spike') rate = phaseRate;
    if (type === 'ramp') {
      const c = ph.clients ?? totalClients;
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > 100_000) {
        fail(`${where}.clients`, `must be a whole number from 1 to 100000, got ${JSON.stringify(ph.clients)}`);
      }
      if ((c as number) < clients) fail(`${where}.clients`, `must not be below the ${clients} clients already connected`);
      phase.clients = c as number;
      clients = c as number;
    } else if (ph.clients !== undefined) fail(`${where}.clients`, 'only applies to a ramp phase');
    if (type === 'disconnect') {
      const s = ph.share;
      if (typeof s !== 'number' || !(s > 0 && s <= 1)) fail(`${where}.share`, `must be a number above 0 and at most 1, got ${JSON.stringify(s)}`);
      phase.share = s as number;
    } else if (ph.share !== undefined) fail(`${where}.share`, 'only applies to a disconnect phase');
    out.phases.push(phase);
  });
  if (clients === 0) clients = totalClients;
  out.clients = Math.max(clients, ...out.phases.map((p) => p.clients ?? 0));
  return out;
}
