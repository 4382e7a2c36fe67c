/**
 * A small seeded PRNG (sfc32) so that the same `--seed` gives the same schedule on any machine and
 * with any number of worker threads: every virtual client draws from its own stream, derived from
 * (seed, client index, purpose), never from a shared one whose order would depend on thread timing.
 */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number, stream = 0, purpose = 0) {
    this.#a = mix(seed ^ 0x9e3779b9);
    this.#b = mix(stream + 0x85ebca6b);
    this.#c = mix(purpose ^ 0xc2b2ae35);
    this.#d = mix(seed + stream * 31 + purpose * 1_000_003);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const a = this.#a, b = this.#b, c = this.#c, d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.#c = (r + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Exponential with mean 1: the gap between Poisson arrivals of unit rate. */
  exp(): number {
    return -Math.log(1 - this.next());
  }

  /** Whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** murmur3's 32-bit finaliser: spreads nearby seeds (1, 2, 3…) into unrelated states. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** Streams of one client, kept apart so that, e.g., reconnect jitter never shifts the message schedule. */
export const PURPOSE = { schedule: 1, actions: 2, backoff: 3, storm: 4 } as const;
