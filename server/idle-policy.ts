import { errorText } from '../protocol/index.js';
import type { DisconnectReason } from './events.js';
import type { ChatOptions } from './options.js';

/** What the idle policy reads of a session; the chat core keeps these fields up to date. */
export interface IdleWatched {
  readonly nick: string | null;
  /** A cluster-wide nickname claim is in flight: the login is under way, not missing. */
  readonly pending: unknown[] | null;
  readonly connectedAt: number;
  /** When its last complete line arrived (`connectedAt` before the first). */
  readonly lastLineAt: number;
  /** When the sweep first saw an unfinished line; 0 = none. The policy maintains it. */
  midLineSince: number;
  readonly conn: { midLine?(): boolean };
}

export interface IdleVerdict {
  reason: DisconnectReason;
  /** The `!` line's text, naming the limit. */
  text: string;
}

type Limits = Pick<ChatOptions, 'loginTimeout' | 'idleTimeout' | 'lineTimeout'>;

/**
 * Login timeout, idle timeout and the slowloris rule (DESIGN §8), judged by one periodic sweep rather
 * than a timer per connection: the message path only stamps `lastLineAt`, and 10 000 idle readers cost
 * one loop a second, not 10 000 timer resets per message burst.
 */
export class IdlePolicy {
  readonly #limits: Limits;

  constructor(limits: Limits) {
    this.#limits = limits;
  }

  /** How often to sweep: a quarter of the shortest limit (so a limit is kept within 25 %), 50 ms–1 s; 0 = never. */
  get sweepMs(): number {
    const on = [this.#limits.loginTimeout, this.#limits.idleTimeout, this.#limits.lineTimeout].filter((t) => t > 0);
    if (on.length === 0) return 0;
    return Math.min(1000, Math.max(50, Math.floor(Math.min(...on) / 4)));
  }

  /** Whether `s` must be closed now, and why. */
  judge(s: IdleWatched, now: number): IdleVerdict | undefined {
    const { loginTimeout, idleTimeout, lineTimeout } = this.#limits;
    if (loginTimeout > 0 && s.nick === null && s.pending === null && now - s.connectedAt >= loginTimeout) {
      return { reason: 'login_timeout', text: errorText.loginTimeout(formatMs(loginTimeout)) };
    }
    if (lineTimeout > 0) {
      if (s.conn.midLine?.() !== true) {
        s.midLineSince = 0;
      } else if (s.midLineSince === 0 || s.lastLineAt >= s.midLineSince) {
        // A new unfinished line (or one begun after a line that completed since the last sweep).
        s.midLineSince = now;
      } else if (now - s.midLineSince >= lineTimeout) {
        return { reason: 'line_timeout', text: errorText.lineTimeout(formatMs(lineTimeout)) };
      }
    }
    if (idleTimeout > 0 && now - s.lastLineAt >= idleTimeout) {
      return { reason: 'idle_timeout', text: errorText.idleTimeout(formatMs(idleTimeout)) };
    }
    return undefined;
  }
}

/** `300ms`, `30s`, `10m`, `2h`: as the flags are written. */
export function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
