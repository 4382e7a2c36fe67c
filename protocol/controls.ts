/**
 * Control characters (Unicode Cc: C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F) are refused in
 * every line a client sends, tab aside. Relayed raw they let one user forge a line on a terminal
 * (`\r` then `[PM from admin] …`), set its title or clipboard (ESC ] … BEL, OSC 52), or clear its
 * screen; stored, `/history` would replay them to everyone who joins later.
 *
 * The check works on UTF-8 bytes so the fan-out path never decodes a message: C0 and DEL are single
 * bytes, and C1 characters are exactly the two-byte sequences C2 80 – C2 9F (0x80–0x9F never start a
 * character, so a C2 byte found here is a lead byte in valid UTF-8). No allocation but one typed-array
 * view per range of 512 bytes or more (a whole read).
 */

/**
 * Index of the first refused control byte in `buf[start, end)`, or -1. `\n` is allowed and so is a
 * `\r` right before one, so that a whole read (many `\r\n`-ended lines) can be checked in one pass.
 *
 * Once per read on the server's input path (~6 % of it in small rooms, profile): a long range is read
 * four bytes at a time, and only a word that holds a byte below 0x20, a DEL or a C2 — a line's `\n`,
 * say — is looked at byte by byte.
 */
export function findControl(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  if (end - start >= WORDS_FROM) {
    // Bytes up to a 4-byte boundary of the underlying memory, then whole aligned words.
    const misaligned = (buf.byteOffset + i) & 3;
    const head = misaligned === 0 ? i : i + 4 - misaligned;
    const at = findControlBytes(buf, i, head, end);
    if (at !== -1) return at;
    const words = (end - head) >>> 2;
    const w32 = new Uint32Array(buf.buffer, buf.byteOffset + head, words);
    for (let k = 0; k < words; k++) {
      const w = w32[k] as number;
      // Per word: any byte < 0x20, any 0x7F, any 0xC2 (exact "is there one" tests, bit hacks of Sean Anderson).
      const below20 = (w - 0x20202020) & ~w & 0x80808080;
      const x7f = w ^ 0x7f7f7f7f;
      const xc2 = w ^ 0xc2c2c2c2;
      if ((below20 | ((x7f - 0x01010101) & ~x7f & 0x80808080) | ((xc2 - 0x01010101) & ~xc2 & 0x80808080)) === 0) continue;
      const from = head + k * 4;
      const found = findControlBytes(buf, from, from + 4, end);
      if (found !== -1) return found;
    }
    i = head + words * 4;
  }
  return findControlBytes(buf, i, end, end);
}

/**
 * Ranges shorter than this are read byte by byte: the word view is an allocation, worth it once per
 * socket read (the line decoder's pass), not once per line (a WebSocket frame is checked per line).
 */
const WORDS_FROM = 512;

/** `findControl` byte by byte over `buf[from, to)`; a C2 or `\r` may look at the byte after, up to `end`. */
function findControlBytes(buf: Uint8Array, from: number, to: number, end: number): number {
  for (let i = from; i < to; i++) {
    const b = buf[i] as number;
    // Printable ASCII and every byte of a multi-byte character but C2: one range test and two compares.
    if (b >= 0x20 && b !== 0x7f && b !== 0xc2) continue;
    if (b === 0xc2) {
      const next = i + 1 < end ? (buf[i + 1] as number) : 0;
      if (next >= 0x80 && next <= 0x9f) return i;
      continue;
    }
    if (b === 0x09 || b === 0x0a) continue;
    if (b === 0x0d && i + 1 < end && buf[i + 1] === 0x0a) continue;
    return i;
  }
  return -1;
}

/** `U+001B` for the control character starting at `buf[at]` (as found by `findControl`). */
export function describeControl(buf: Uint8Array, at: number): string {
  const b = buf[at] as number;
  const code = b === 0xc2 ? (buf[at + 1] as number) : b;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Cc characters but tab, for text that arrives as a string (other nodes, rows stored by older versions). */
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/** Replaces control characters with U+FFFD, so that text this node did not check is still inert. */
export function defuseControls(text: string): string {
  CONTROLS.lastIndex = 0;
  return CONTROLS.test(text) ? text.replace(CONTROLS, '\ufffd') : text;
}
