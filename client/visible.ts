/**
 * Makes control characters in a server's line visible instead of obeyed. The client may talk to any
 * server, and a raw ESC, CR or BEL from another user would let them write over the screen, forge a
 * line, set the terminal's title or clipboard (OSC 52). C0 characters and DEL become their Unicode
 * control pictures (ESC → ␛, CR → ␍, NUL → ␀, DEL → ␡); C1 characters, which have none, become
 * `\x9b`-style escapes. Tab is kept. Our own styling is added after this, so it is never escaped.
 */
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

function picture(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `\\x${code.toString(16)}`;
}

export function showControls(line: string): string {
  CONTROLS.lastIndex = 0;
  return CONTROLS.test(line) ? line.replace(CONTROLS, picture) : line;
}
