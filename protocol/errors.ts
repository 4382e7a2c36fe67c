/**
 * The server's `!` lines (DESIGN §3, §8): every reason's text, and the stable kind a reader gets back
 * from it. The kinds are the server's error reasons (its `error` event and metrics label), plus the
 * three timeouts that close a connection; a `!` line written elsewhere reads as `server_error`.
 */

export type ErrorKind =
  | 'line_too_long' | 'invalid_utf8' | 'rate_limit' | 'nick_taken' | 'bad_name' | 'unknown_command'
  | 'no_such_user' | 'no_such_room' | 'not_in_room' | 'room_limit' | 'server_room_limit'
  | 'not_logged_in' | 'bad_argument' | 'internal' | 'control_char' | 'binary_frame';

/** `!` lines sent just before the server closes the connection. */
export type ClosingKind = 'login_timeout' | 'line_timeout' | 'idle_timeout' | 'slow_consumer';

/** Whether a `!` line of this kind is the last the server sends before it closes the connection. */
export function isClosingKind(kind: string): kind is ClosingKind {
  return kind === 'login_timeout' || kind === 'line_timeout' || kind === 'idle_timeout' || kind === 'slow_consumer';
}

/** The text after `! ` for each reason; the key's kind is in `KINDS` below. */
export const errorText = {
  lineTooLong: (maxBytes: number) => `line too long (max ${maxBytes} bytes)`,
  invalidUtf8: () => 'invalid UTF-8',
  /** `code`: `U+001B`, as protocol/controls.ts describes it. */
  controlChar: (code: string) => `control character ${code} refused (only tab is allowed); the line was dropped`,
  rateLimit: (perSecond: number) => `rate limit: at most ${perSecond} lines per second; excess dropped`,
  /** `lookalike`: the nickname in use that `nick` looks like, when it is not the same name. */
  nickTaken: (nick: string, lookalike?: string) => `nickname '${nick}' is taken${lookalike === undefined ? '' : `: it looks like '${lookalike}'`}`,
  nickLostInSplit: (nick: string, now: string) =>
    `nickname '${nick}' was taken on another node while the cluster was split; you are now '${now}'; choose another with /nick`,
  badNick: (nick: string, why: string) => `invalid nickname '${nick}': ${why}`,
  badRoom: (room: string, why: string) => `invalid room name '${room}': ${why}`,
  unknownCommand: (name: string) => `unknown command '/${name}' (try /help)`,
  noSuchUser: (nick: string) => `no such user '${nick}'`,
  noSuchRoom: (room: string) => `no such room '#${room}'`,
  notInRoom: (room: string) => `you are not in #${room}`,
  inNoRoom: () => 'you are in no room',
  roomLimit: (perUser: number) => `room limit reached: at most ${perUser} rooms per user`,
  serverRoomLimit: (rooms: number) => `server room limit reached: at most ${rooms} rooms`,
  /** `limit`: the room limit's own text (above), so the line keeps that limit's kind. */
  notRestored: (limit: string, rooms: readonly string[]) =>
    `${limit}; not restored on your return: ${rooms.map((r) => `#${r}`).join(', ')} (join them again when there is room)`,
  notLoggedIn: () => 'choose a nickname first with /nick NAME',
  usage: (usage: string) => `usage: ${usage}`,
  /** `usage`: `/join ROOM`; `takes`: what it takes, in words. */
  tooManyWords: (usage: string, takes: string, words: number) => `${usage} takes ${takes}; got ${words} word${words === 1 ? '' : 's'}`,
  historyCount: (max: number, got: string) => `/history takes a number from 1 to ${max}, got '${got}'`,
  onlyInLobby: (lobby: string) => `you are only in #${lobby}; join another room before leaving it`,
  internal: () => 'internal error; the line was dropped',
  binaryFrame: () => 'a binary frame is no chat line; send each line as a text frame (it was dropped)',
  /** `after`: a duration as people read it (`30s`). */
  loginTimeout: (after: string) => `no nickname after ${after} (login timeout); closing the connection`,
  lineTimeout: (after: string) => `a line left unfinished for ${after} (line timeout: end each line with a newline); closing the connection`,
  idleTimeout: (after: string) => `nothing received for ${after} (idle timeout); closing the connection`,
  /** `limit`: `--max-queue` as people type it (`1MiB`). */
  slowConsumer: (limit: string) => `reading too slowly: over ${limit} of output waiting (slow consumer, --max-queue); what did not fit was dropped; closing the connection`,
};

/** How a reader recovers the kind: one pattern per text above, first match wins. */
const KINDS: readonly (readonly [RegExp, ErrorKind | ClosingKind])[] = [
  [/^line too long \(/, 'line_too_long'],
  [/^invalid UTF-8$/, 'invalid_utf8'],
  [/^control character /, 'control_char'],
  [/^rate limit: /, 'rate_limit'],
  [/^nickname '.*' (is|was) taken/s, 'nick_taken'],
  [/^invalid (nickname|room name) '/, 'bad_name'],
  [/^unknown command '/, 'unknown_command'],
  [/^no such user '/, 'no_such_user'],
  [/^no such room '/, 'no_such_room'],
  [/^you are (not in #|in no room$)/, 'not_in_room'],
  [/^room limit reached: /, 'room_limit'],
  [/^server room limit reached: /, 'server_room_limit'],
  [/^choose a nickname first /, 'not_logged_in'],
  [/^(usage: |\/[a-z]+(?: \S+)? takes |you are only in #)/, 'bad_argument'],
  [/^internal error; /, 'internal'],
  [/^a binary frame is no chat line; /, 'binary_frame'],
  [/^no nickname after .* \(login timeout\)/s, 'login_timeout'],
  [/^a line left unfinished for .* \(line timeout/s, 'line_timeout'],
  [/^nothing received for .* \(idle timeout\)/s, 'idle_timeout'],
  [/^reading too slowly: .* \(slow consumer/s, 'slow_consumer'],
];

export interface ErrorLine {
  kind: ErrorKind | ClosingKind | 'server_error';
  /** The text after `! `. */
  text: string;
  /** The nickname refused as taken (`nick_taken`) or not found (`no_such_user`); otherwise null. */
  nick: string | null;
}

const TAKEN = /^nickname '([^\s']+)' is taken(?:$|: )/;
const NO_SUCH_USER = /^no such user '(.*)'$/s;

/** One `!` line, without its `\n`. */
export function formatErrorLine(text: string): string {
  return `! ${text}`;
}

/** Reads one line that starts with `! ` (without its `\n`). */
export function parseErrorLine(line: string): ErrorLine {
  const text = line.slice(2);
  const kind = errorKind(text);
  const m = kind === 'nick_taken' ? TAKEN.exec(text) : kind === 'no_such_user' ? NO_SUCH_USER.exec(text) : null;
  return { kind, text, nick: m ? m[1]! : null };
}

/** The stable kind of a `!` line's text. */
export function errorKind(text: string): ErrorLine['kind'] {
  for (const [re, kind] of KINDS) if (re.test(text)) return kind;
  return 'server_error';
}
