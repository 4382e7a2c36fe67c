import { HistogramWireError, WireHistogram, type LoadgenTickReport, type Percentiles, type TickHistograms } from '../loadgen/index.js';

/** Label values of `chat_ingest_rejected_total{reason}`. */
export type IngestRejectReason = 'not_json' | 'invalid' | 'binary' | 'too_large' | 'rate' | 'protocol';

/** Why a frame was refused; one line, names the field. */
export class IngestError extends Error {
  readonly code = 'INGEST_INVALID';
  constructor(message: string, readonly reason: IngestRejectReason = 'invalid') {
    super(message);
  }
}

const MAX_TEXT = 200;
const MAX_ERROR_KINDS = 64;
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * Parses and checks one /ingest frame against `LoadgenTickReport`: right shape, short strings, finite
 * non-negative numbers, a bounded error map. Returns a fresh object holding only known fields, so a
 * sender cannot smuggle extra data into snapshots. Throws `IngestError` naming the first bad field.
 */
export function parseIngestFrame(text: string): LoadgenTickReport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new IngestError('frame is not JSON', 'not_json');
  }
  const o = obj(raw, 'frame');
  if (o.type !== 'loadgen-tick') throw new IngestError(`type must be "loadgen-tick", got ${short(o.type)}`);
  const latency = obj(o.latencyMs, 'latencyMs');
  return {
    type: 'loadgen-tick',
    source: text1(o.source, 'source'),
    target: text0(o.target, 'target'),
    time: num(o.time, 'time'),
    elapsedS: num(o.elapsedS, 'elapsedS'),
    clients: num(o.clients, 'clients'),
    sent: num(o.sent, 'sent'),
    received: num(o.received, 'received'),
    sentTotal: num(o.sentTotal, 'sentTotal'),
    receivedTotal: num(o.receivedTotal, 'receivedTotal'),
    expectedTotal: num(o.expectedTotal, 'expectedTotal'),
    lostTotal: num(o.lostTotal, 'lostTotal'),
    duplicatedTotal: num(o.duplicatedTotal, 'duplicatedTotal'),
    reorderedTotal: num(o.reorderedTotal, 'reorderedTotal'),
    ...(o.unexpectedTotal !== undefined && { unexpectedTotal: num(o.unexpectedTotal, 'unexpectedTotal') }),
    ...(o.ambiguousTotal !== undefined && { ambiguousTotal: num(o.ambiguousTotal, 'ambiguousTotal') }),
    ...(o.waiting !== undefined && { waiting: num(o.waiting, 'waiting') }),
    latencyMs: {
      corrected: percentiles(latency.corrected, 'latencyMs.corrected'),
      uncorrected: percentiles(latency.uncorrected, 'latencyMs.uncorrected'),
    },
    ...(o.histograms !== undefined && { histograms: histograms(o.histograms) }),
    errors: errorMap(o.errors),
    saturated: bool(o.saturated, 'saturated'),
  };
}

/**
 * Optional (older loadgens send none). Each is decoded here under WireHistogram's limits — length,
 * inflated size (zlib bombs), layout, range, bucket count — so a hostile one is refused with the
 * others' reasons before the hub merges anything.
 */
function histograms(v: unknown): TickHistograms {
  const o = obj(v, 'histograms');
  const one = (x: unknown, name: string): string => {
    if (typeof x !== 'string') throw new IngestError(`${name} must be a base64 string`);
    try {
      WireHistogram.decode(x);
    } catch (err) {
      if (err instanceof HistogramWireError) throw new IngestError(`${name} ${err.message}`);
      throw err;
    }
    return x;
  };
  return { corrected: one(o.corrected, 'histograms.corrected'), uncorrected: one(o.uncorrected, 'histograms.uncorrected') };
}

function percentiles(v: unknown, name: string): Percentiles {
  const o = obj(v, name);
  return {
    p50: num(o.p50, `${name}.p50`),
    p90: num(o.p90, `${name}.p90`),
    p99: num(o.p99, `${name}.p99`),
    p999: num(o.p999, `${name}.p999`),
    max: num(o.max, `${name}.max`),
    count: num(o.count, `${name}.count`),
  };
}

function errorMap(v: unknown): Record<string, number> {
  const o = obj(v, 'errors');
  const keys = Object.keys(o);
  if (keys.length > MAX_ERROR_KINDS) throw new IngestError(`errors has ${keys.length} kinds (max ${MAX_ERROR_KINDS})`);
  // fromEntries defines own properties, so a kind named `__proto__` stays a plain key.
  return Object.fromEntries(keys.map((k) => {
    if (k.length === 0 || k.length > 64) throw new IngestError('errors: kind names must be 1-64 characters');
    return [k, num(o[k], `errors.${k}`)];
  }));
}

function obj(v: unknown, name: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new IngestError(`${name} must be an object`);
  return v as Record<string, unknown>;
}

function num(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_COUNT) {
    throw new IngestError(`${name} must be a finite number >= 0, got ${short(v)}`);
  }
  return v;
}

function text0(v: unknown, name: string): string {
  if (typeof v !== 'string' || v.length > MAX_TEXT) throw new IngestError(`${name} must be a string of at most ${MAX_TEXT} characters`);
  return v;
}

function text1(v: unknown, name: string): string {
  const s = text0(v, name);
  if (s.length === 0) throw new IngestError(`${name} must not be empty`);
  return s;
}

function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new IngestError(`${name} must be true or false, got ${short(v)}`);
  return v;
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
