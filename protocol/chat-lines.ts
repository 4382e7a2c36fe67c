/**
 * Room messages and private messages (DESIGN §3), the lines of the hot path:
 *
 *   [room] nick: text     [room] You: text     [PM from nick] text     [PM to nick] text
 *
 * The server writes them as cached prefix bytes plus the sender's raw bytes, and the loadgen reads
 * them as bytes without decoding; both take their prefixes and byte constants from here, so the
 * string formatter and parser below are the same format, not a copy of it.
 */

/** The nickname the server puts in a room message echoed to its own sender. */
export const YOU = 'You';
const PM_FROM = '[PM from ';
const PM_TO = '[PM to ';

/** `[room] nick: ` — everything of a room message before its text. */
export function roomPrefix(room: string, nick: string): string {
  return `[${room}] ${nick}: `;
}

/** `[PM from nick] ` or `[PM to nick] `. */
export function pmPrefix(direction: 'from' | 'to', nick: string): string {
  return `${direction === 'from' ? PM_FROM : PM_TO}${nick}] `;
}

/** Bytes for parsers that never decode a line (UTF-8; Uint8Array so that the browser may import this file). */
export const CHAT_BYTES = {
  OPEN_BRACKET: 0x5b,
  CLOSE_BRACKET: 0x5d,
  COLON: 0x3a,
  SPACE: 0x20,
  PM_FROM: new TextEncoder().encode(PM_FROM),
  PM_TO: new TextEncoder().encode(PM_TO),
  YOU: new TextEncoder().encode(YOU),
} as const;

export type ChatLine =
  /** `self`: the sender's own message echoed back (`nick` is then `You`). */
  | { kind: 'message'; room: string; nick: string; text: string; self: boolean }
  | { kind: 'pm'; direction: 'from' | 'to'; nick: string; text: string };

/** One room or private message line, without its `\n`. */
export function formatChatLine(l: ChatLine): string {
  if (l.kind === 'pm') return pmPrefix(l.direction, l.nick) + l.text;
  return roomPrefix(l.room, l.self ? YOU : l.nick) + l.text;
}

const NAME = '[^\\s\\[\\]:#,()]+';
const MESSAGE = new RegExp(`^\\[(${NAME})\\] (${NAME}): (.*)$`, 's');
const PM = new RegExp(`^\\[PM (from|to) (${NAME})\\] (.*)$`, 's');

/** Reads a room or private message line (without its `\n`); anything else is null. */
export function parseChatLine(line: string): ChatLine | null {
  let m: RegExpExecArray | null;
  if (!line.startsWith('[')) return null;
  if (line.startsWith('[PM ') && (m = PM.exec(line))) {
    return { kind: 'pm', direction: m[1] === 'from' ? 'from' : 'to', nick: m[2]!, text: m[3]! };
  }
  if ((m = MESSAGE.exec(line))) return { kind: 'message', room: m[1]!, nick: m[2]!, text: m[3]!, self: m[2] === YOU };
  return null;
}
