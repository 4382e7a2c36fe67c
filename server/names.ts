/**
 * Nickname and room name rules of DESIGN §3: letters (any script), digits, `_`, `-`, `.`. A letter's
 * combining marks (accents) come after it, never first: a name of marks alone shows as nothing.
 */
const NAME_CHARS = /^[\p{L}\p{M}\p{N}_.-]+$/u;
const STARTS_WITH_MARK = /^\p{M}/u;

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
  if (STARTS_WITH_MARK.test(name)) return 'it starts with a combining mark (an accent goes after its letter)';
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
