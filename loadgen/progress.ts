/**
 * The live progress line: rewritten in place on a TTY, or a plain line every few seconds otherwise
 * (logs, CI). Always on the given stream — stderr in the CLI — so that `--json` stdout stays alone.
 */
import type { LoadgenTickReport } from './report.js';

export interface ProgressOptions {
  /** Total planned run length, ms. */
  durationMs: number;
  intervalMs: number;
  /** Rewrite one line (TTY) or print lines. */
  tty: boolean;
  /** Non-TTY: one line every this many ms. @default 5000 */
  everyMs?: number;
}

export class Progress {
  #ticks = 0;
  #lastLength = 0;
  readonly #out: NodeJS.WritableStream;
  readonly #o: Required<ProgressOptions>;

  constructor(out: NodeJS.WritableStream, o: ProgressOptions) {
    this.#out = out;
    this.#o = { everyMs: 5000, ...o };
  }

  onTick(r: LoadgenTickReport): void {
    this.#ticks++;
    const line = progressLine(r, this.#o.durationMs, this.#o.intervalMs);
    if (this.#o.tty) {
      this.#out.write(`\r${line.padEnd(this.#lastLength)}`);
      this.#lastLength = line.length;
    } else if (this.#ticks % Math.max(1, Math.round(this.#o.everyMs / this.#o.intervalMs)) === 0) {
      this.#out.write(`${line}\n`);
    }
  }

  /** Ends the TTY line so that what follows starts clean. */
  done(): void {
    if (this.#o.tty && this.#lastLength > 0) this.#out.write('\n');
    this.#lastLength = 0;
  }
}

export function progressLine(r: LoadgenTickReport, durationMs: number, intervalMs: number): string {
  const perS = (n: number) => Math.round((n * 1000) / intervalMs);
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  // After the schedule the ticks only drain the last deliveries: said so, not shown as its last second.
  const draining = r.elapsedS > (durationMs + intervalMs / 2) / 1000;
  const at = draining ? 'draining' : `${Math.min(r.elapsedS, durationMs / 1000).toFixed(0).padStart(4)}s`;
  const p99 = r.latencyMs.corrected.count > 0 ? `${r.latencyMs.corrected.p99.toFixed(1)}ms` : '-';
  return `[${at}/${(durationMs / 1000).toFixed(0)}s] clients ${r.clients}  sent ${perS(r.sent)}/s  recv ${perS(r.received)}/s  p99 ${p99}  lost ${r.lostTotal}  errors ${errors}${r.saturated ? '  (generator saturated)' : ''}`;
}
