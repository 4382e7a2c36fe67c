/** Nickname and room name rules of DESIGN §3: letters (any script), digits, `_`, `-`, `.`. */
const NAME_CHARS = /^[\p{L}\p{M}\p{N}_.-]+$/u;

export const NICK_MAX = 32;
export const ROOM_MAX = 64;

function lengthInChars(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Returns an error reason, or undefined when the name is valid. */
export function checkName(name: string, max: number): string | undefined {
  const len = lengthInChars(name);
  if (len === 0) return 'it is empty';
  if (len > max) return `it is longer than ${max} characters`;
  if (!NAME_CHARS.test(name)) return 'use only letters, digits, _ - .';
  return undefined;
}

/**
 * Accepts `dev` and `#dev` alike: people type the hash they see in system lines. NFC, so that `café`
 * typed as `e` + combining accent is the same room as `café` typed with `é`.
 */
export function normalizeRoom(raw: string): string {
  return (raw.startsWith('#') ? raw.slice(1) : raw).normalize('NFC');
}

/** Nicknames are kept in NFC: the same name typed with a precomposed or a combining accent is one name. */
export function normalizeNick(raw: string): string {
  return raw.normalize('NFC');
}
