/**
 * Whether each target answers at all. Without this, a loadgen pointed at a closed port retried for
 * the whole `--duration` and then printed a table of zeros. Worker side, `ReachWatcher` watches the
 * connection attempts to a target until one succeeds (then it costs nothing more); main side,
 * `ReachTracker` sums the workers' counts and names the targets no client has reached in time.
 */
import type { Dialed } from './dialer.js';

/** One target's connection attempts since the last tick (worker → main). */
export interface ReachCounts {
  attempts: number;
  connected: number;
  failed: number;
  /** Epoch ms (clock.ts) of the first attempt ever; 0 before one. */
  firstAttemptMs: number;
  /** Why the latest failed attempt failed, in words ('' if none failed). */
  error: string;
}

/** Patience before judging a target: the ramp, at least 5 s (a server still starting), at most 15 s. */
export function reachWindowMs(rampMs: number): number {
  return Math.min(Math.max(rampMs, 5000), 15_000);
}

export class ReachWatcher {
  readonly #counts: ReachCounts[];
  readonly #reached: boolean[];
  #changed = false;
  #frozen = false;

  constructor(targets: number) {
    this.#counts = Array.from({ length: targets }, () => ({ attempts: 0, connected: 0, failed: 0, firstAttemptMs: 0, error: '' }));
    this.#reached = new Array<boolean>(targets).fill(false);
  }

  /** A connection attempt to target `index` has just been dialled. */
  watch(index: number, d: Dialed, nowMs: number): void {
    const c = this.#counts[index];
    if (c === undefined || this.#reached[index] || this.#frozen) return;
    c.attempts++;
    if (c.firstAttemptMs === 0) c.firstAttemptMs = nowMs;
    this.#changed = true;
    let tcp = false;
    let ready = false;
    let error = '';
    d.socket.once('connect', () => (tcp = true));
    d.socket.once(d.readyEvent, () => {
      ready = true;
      this.#reached[index] = true;
      c.connected++;
      this.#changed = true;
    });
    d.socket.once('error', (err: NodeJS.ErrnoException) => (error = describeDialError(err, tcp ? d.handshake : '')));
    d.socket.once('close', () => {
      // After the stop, the client itself closes what is still connecting: no verdict on the server.
      if (ready || this.#frozen) return;
      c.failed++;
      // No error: the client's own connect timeout destroyed the socket.
      c.error = error || (tcp && d.handshake !== '' ? `no ${HANDSHAKE[d.handshake]} handshake (timed out)` : 'no answer (timed out)');
      this.#changed = true;
    });
  }

  /** The schedule has stopped: later closes are ours, not the server's. */
  freeze(): void {
    this.#frozen = true;
  }

  /** The counts since the last call, or undefined when nothing changed (the common case once reached). */
  drain(): ReachCounts[] | undefined {
    if (!this.#changed) return undefined;
    this.#changed = false;
    const out = this.#counts.map((c) => ({ ...c }));
    for (const c of this.#counts) c.attempts = c.connected = c.failed = 0;
    return out;
  }
}

export interface Unreachable {
  target: number;
  error: string;
}

export class ReachTracker {
  readonly #sum: ReachCounts[];

  constructor(targets: number) {
    this.#sum = Array.from({ length: targets }, () => ({ attempts: 0, connected: 0, failed: 0, firstAttemptMs: 0, error: '' }));
  }

  add(parts: readonly { reach?: ReachCounts[] | undefined }[]): void {
    for (const p of parts) {
      p.reach?.forEach((r, i) => {
        const s = this.#sum[i];
        if (s === undefined) return;
        s.attempts += r.attempts;
        s.connected += r.connected;
        s.failed += r.failed;
        if (r.firstAttemptMs > 0 && (s.firstAttemptMs === 0 || r.firstAttemptMs < s.firstAttemptMs)) s.firstAttemptMs = r.firstAttemptMs;
        if (r.error) s.error = r.error;
      });
    }
  }

  /**
   * Targets that no client has reached although attempts to them failed, for `windowMs` since the
   * first attempt — or at all, when `atEnd` (a run shorter than the window).
   */
  unreachable(nowMs: number, windowMs: number, atEnd: boolean): Unreachable[] {
    const out: Unreachable[] = [];
    this.#sum.forEach((s, target) => {
      if (s.connected === 0 && s.failed > 0 && (atEnd || nowMs - s.firstAttemptMs >= windowMs)) out.push({ target, error: s.error });
    });
    return out;
  }
}

/** Thrown by `runLoad()` when a target cannot be reached; `message` is the one line a user reads. */
export class UnreachableError extends Error {
  readonly code = 'LOADGEN_UNREACHABLE';

  constructor(readonly targets: readonly { address: string; error: string }[], within: string) {
    super(`cannot reach ${targets.map((t) => `${t.address}: ${t.error}`).join('; ')} (no client connected ${within})`);
    this.name = 'UnreachableError';
  }
}

const DIAL_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EADDRNOTAVAIL: 'address not available',
  EPIPE: 'connection closed',
};

const HANDSHAKE = { tls: 'TLS', ws: 'WebSocket' } as const;

/**
 * `connection refused` rather than `connect ECONNREFUSED 127.0.0.1:41234` (the line names the address).
 * `handshake`: the one under way when it failed (after TCP came up), if any.
 */
export function describeDialError(err: NodeJS.ErrnoException, handshake: '' | 'tls' | 'ws'): string {
  if (handshake !== '') return `${HANDSHAKE[handshake]} handshake failed: ${err.message}`;
  return (err.code && DIAL_ERRORS[err.code]) || err.message || err.code || 'socket error';
}
