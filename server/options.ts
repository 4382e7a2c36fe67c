/** Chat core limits (DESIGN §8). Every default is the one `chatpulse server --help` shows. */
export interface ChatOptions {
  /** Longest accepted line in bytes, without its newline. @default 4096 */
  maxLine: number;
  /** Lines per second per connection before excess is dropped; 0 = unlimited. @default 50 */
  maxRate: number;
  /** Unsent output per connection before it is cut off as a slow reader. @default 1 MiB */
  maxQueue: number;
  /** @default 20 */
  maxRoomsPerUser: number;
  /** @default 10000 */
  maxRooms: number;
  /**
   * Joins and leaves are announced to a room's members only while it has at most this many; in
   * bigger rooms only the joiner or leaver is told. Announcing every login to a 10 000-member lobby
   * is 50 million lines — quadratic in the room's size. @default 500
   */
  announceLimit: number;
  /** How long a nickname's rooms are kept after it disconnects, in ms. @default 60000 */
  graceMs: number;
  /** Lines of history kept per room; 0 keeps none. @default 1000 */
  history: number;
  /** A connection with no nickname this long after connecting is closed, in ms; 0 = never. @default 30000 */
  loginTimeout: number;
  /**
   * A connection that sent no complete line for this long is closed, in ms; 0 = never. Off by
   * default: a logged-in user who only reads is a normal chat user, not an attack. @default 0
   */
  idleTimeout: number;
  /**
   * A connection holding an unfinished line (bytes without their newline) this long is closed, in ms;
   * 0 = never. Measured from when the line began, however slowly bytes keep dripping in: the slowloris
   * case. Clients send whole lines, so the default is generous. @default 30000
   */
  lineTimeout: number;
  /**
   * After `/quit` or a timeout the server ends its side at once; a peer that keeps its own side open
   * is cut off this much later (time for the last lines to reach it), in ms. @default 2000
   */
  quitLinger: number;
}

export const defaultChatOptions: ChatOptions = {
  maxLine: 4096,
  maxRate: 50,
  maxQueue: 1024 * 1024,
  maxRoomsPerUser: 20,
  maxRooms: 10_000,
  announceLimit: 500,
  graceMs: 60_000,
  history: 1000,
  loginTimeout: 30_000,
  idleTimeout: 0,
  lineTimeout: 30_000,
  quitLinger: 2000,
};

export const LOBBY = 'main';
export const HISTORY_ON_JOIN = 20;
export const HISTORY_MAX = 200;

/** Each option's lower bound; all are integers. 0 means "off" where the option's doc says so. */
const MINIMUM: Record<keyof ChatOptions, number> = {
  maxLine: 16,
  maxRate: 0,
  maxQueue: 1,
  maxRoomsPerUser: 1,
  maxRooms: 1,
  announceLimit: 0,
  graceMs: 0,
  history: 0,
  loginTimeout: 0,
  idleTimeout: 0,
  lineTimeout: 0,
  quitLinger: 0,
};

/** Longest delay a Node timer keeps; a longer one fires at once. */
const TIMER_MAX = 2 ** 31 - 1;

/**
 * Throws a `RangeError` (code `ERR_CHAT_OPTION`) naming the first option that is not an integer
 * within its bounds, what was expected and what arrived; the CLI checks its flags, but the core is
 * also started by tests, benchmarks and embedders.
 */
export function validateChatOptions(options: ChatOptions): void {
  for (const [name, min] of Object.entries(MINIMUM) as [keyof ChatOptions, number][]) {
    const value: unknown = options[name];
    const max = name === 'quitLinger' ? TIMER_MAX : Number.MAX_SAFE_INTEGER;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      const range = max === TIMER_MAX ? `between ${min} and ${max}` : `>= ${min}`;
      const got = typeof value === 'string' ? `'${value}'` : String(value);
      throw Object.assign(new RangeError(`Expected \`${name}\` to be an integer ${range}, got \`${got}\``), {
        code: 'ERR_CHAT_OPTION',
      });
    }
  }
}
