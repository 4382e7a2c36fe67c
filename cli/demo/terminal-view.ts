import type { Snapshot } from '../../metrics/index.js';

export interface TerminalViewOptions {
  out: NodeJS.WritableStream;
  /** Redraw a progress bar in place (a TTY); otherwise plain lines only. */
  tty: boolean;
  totalMs: number;
  startedAt: number;
  /** Terminal width for the bar. @default 80 */
  columns?: number;
  /** @default Date.now */
  now?: () => number;
}

/** `m:ss` (or `h:mm:ss`), rounding seconds up so a countdown never shows 0:00 early. */
export function clock(ms: number, round: 'up' | 'down' = 'down'): string {
  const total = Math.max(0, round === 'up' ? Math.ceil(ms / 1000) : Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** One decimal below 100, whole numbers above: the same width from line to line. */
const num = (n: number) => (n >= 100 ? String(Math.round(n)) : n.toFixed(1));

/**
 * The short metrics line: messages so far (and MPS), the busiest rooms' MPS, clients, p99.
 * `p99Ms` is the load generator's latest corrected p99 (undefined before its first report).
 */
export function statusLine(s: Snapshot, p99Ms: number | undefined, busiest = 3): string {
  const rooms = s.rooms.filter((r) => r.mps > 0).slice(0, busiest).map((r) => `${r.room} ${num(r.mps)}/s`);
  const t = s.totals;
  return [
    `messages ${t.messagesTotal} (${num(t.mps)}/s)`,
    rooms.length > 0 ? `busiest ${rooms.join(', ')}` : 'no traffic yet',
    `clients ${t.connections}`,
    `p99 ${p99Ms === undefined ? '–' : `${num(p99Ms)} ms`}`,
  ].join('  ');
}

/**
 * The demo's terminal: on a TTY a progress bar redrawn in place, with every other line printed
 * above it; otherwise each line is plain and starts with the elapsed time, for logs and pipes.
 */
export class TerminalView {
  readonly #o: Required<TerminalViewOptions>;
  #barShown = false;
  #closed = false;

  constructor(options: TerminalViewOptions) {
    this.#o = { columns: 80, now: Date.now, ...options };
  }

  /** The countdown starts now: a demo's clock starts when its load begins, after the loadgen's start-up. */
  startAt(ms: number): void {
    this.#o.startedAt = ms;
  }

  /** `0:35/1:00` */
  elapsed(): string {
    const o = this.#o;
    return `${clock(Math.min(o.now() - o.startedAt, o.totalMs))}/${clock(o.totalMs)}`;
  }

  /** A line above the bar (TTY) or a plain line with the time in front. */
  line(text: string): void {
    if (this.#closed) return;
    if (this.#o.tty) {
      this.#clearBar();
      this.#o.out.write(`${text}\n`);
      this.bar();
    } else {
      this.#o.out.write(`[${this.elapsed()}] ${text}\n`);
    }
  }

  /** Redraws the bar (TTY only; plain output has the time on every status line instead). */
  bar(): void {
    if (!this.#o.tty || this.#closed) return;
    const o = this.#o;
    const done = Math.min(1, Math.max(0, (o.now() - o.startedAt) / o.totalMs));
    const left = `${clock(o.totalMs - (o.now() - o.startedAt), 'up')} left`;
    const label = ` ${this.elapsed()}  ${left}`;
    const width = Math.max(10, Math.min(50, o.columns - label.length - 4));
    const full = Math.round(done * width);
    this.#o.out.write(`\r\x1b[2K[${'█'.repeat(full)}${'░'.repeat(width - full)}]${label}`);
    this.#barShown = true;
  }

  /** Removes the bar for good; later lines are plain. */
  close(): void {
    this.#clearBar();
    this.#closed = true;
  }

  /** After close(): plain text. */
  print(text: string): void {
    this.#o.out.write(`${text}\n`);
  }

  #clearBar(): void {
    if (this.#barShown) this.#o.out.write('\r\x1b[2K');
    this.#barShown = false;
  }
}
