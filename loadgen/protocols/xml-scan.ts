/**
 * The few byte scans the XMPP hot path needs on a whole stanza, without building a tree: the offsets of
 * a start tag's `type`, `from` and `id` values, and where the text of `<body>` starts. A stanza that
 * reaches here is one frame from xml-stanzas.ts, so its first start tag is whole.
 *
 * Measured with bench/xmpp-parse.ts (Node 20, a 383-byte groupchat message as Prosody 0.12 reflects it,
 * a shared 2-core VM): a full `ltx.parse` 3.7–6.3 µs per stanza, this scan 0.36 µs — ten times less,
 * and it allocates nothing where the tree allocates an object per element, attribute map and string.
 * At 100 000 deliveries a second that is the difference between a third of a core and 4 % of one.
 */

const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const QUOT = 0x22;
const APOS = 0x27;
const SPACE = 0x20;
const LT = 0x3c;

/** Offsets in a frame's first start tag (reused: filled by `scanStartTag`). -1: absent. */
export interface StartTag {
  /** End of the element name (exclusive). */
  nameEnd: number;
  /** Index of the tag's `>`. */
  end: number;
  selfClosing: boolean;
  typeStart: number;
  typeEnd: number;
  fromStart: number;
  fromEnd: number;
}

export function newStartTag(): StartTag {
  return { nameEnd: 0, end: -1, selfClosing: false, typeStart: -1, typeEnd: -1, fromStart: -1, fromEnd: -1 };
}

/** Does `buf` start with `<` + `name` followed by a space, `>` or `/`? */
export function startsWithTag(buf: Buffer, name: Buffer): boolean {
  const n = name.length;
  if (buf.length < n + 2 || buf[0] !== LT || !bytesEqual(buf, 1, n + 1, name)) return false;
  const c = buf[n + 1] as number;
  return c <= SPACE || c === GT || c === SLASH;
}

/** Reads the start tag at offset 0 of `buf` into `t`; false if it does not end in `buf`. */
export function scanStartTag(buf: Buffer, t: StartTag): boolean {
  t.typeStart = t.typeEnd = t.fromStart = t.fromEnd = t.end = -1;
  t.selfClosing = false;
  let i = 1;
  const n = buf.length;
  while (i < n && (buf[i] as number) > SPACE && buf[i] !== GT && buf[i] !== SLASH) i++;
  t.nameEnd = i;
  while (i < n) {
    const c = buf[i] as number;
    if (c === GT) {
      t.end = i;
      t.selfClosing = buf[i - 1] === SLASH;
      return true;
    }
    if (c <= SPACE || c === SLASH) {
      i++;
      continue;
    }
    // An attribute: name, `=`, a quoted value.
    const nameStart = i;
    while (i < n && buf[i] !== EQ && (buf[i] as number) > SPACE) i++;
    const nameLen = i - nameStart;
    while (i < n && buf[i] !== QUOT && buf[i] !== APOS) i++;
    const q = buf[i];
    const valueStart = i + 1;
    let valueEnd = valueStart;
    while (valueEnd < n && buf[valueEnd] !== q) valueEnd++;
    if (valueEnd >= n) return false;
    if (nameLen === 4 && buf[nameStart] === 0x74 && buf[nameStart + 1] === 0x79 && buf[nameStart + 2] === 0x70 && buf[nameStart + 3] === 0x65) {
      t.typeStart = valueStart; // type
      t.typeEnd = valueEnd;
    } else if (nameLen === 4 && buf[nameStart] === 0x66 && buf[nameStart + 1] === 0x72 && buf[nameStart + 2] === 0x6f && buf[nameStart + 3] === 0x6d) {
      t.fromStart = valueStart; // from
      t.fromEnd = valueEnd;
    }
    i = valueEnd + 1;
  }
  return false;
}

/** Whether `buf[start, end)` holds exactly the bytes of `word`. */
export function bytesEqual(buf: Buffer, start: number, end: number, word: Buffer): boolean {
  if (end - start !== word.length) return false;
  // A loop, not `buf.compare`: for words this short the native call costs more than the bytes.
  for (let k = 0; k < word.length; k++) if (buf[start + k] !== word[k]) return false;
  return true;
}

const BODY = Buffer.from('<body');

/**
 * Where the text of the stanza's first `<body>` starts (after its `>`), searching from `from`; -1 when
 * there is none or it is empty (`<body/>`). A `<` cannot occur unescaped in an attribute value or text,
 * so every `<body` found is a tag.
 */
export function bodyTextStart(buf: Buffer, from: number): number {
  let at = buf.indexOf(BODY, from);
  while (at >= 0) {
    const c = buf[at + BODY.length] as number;
    if (c === GT) return at + BODY.length + 1;
    if (c <= SPACE || c === SLASH) {
      const gt = tagEnd(buf, at + BODY.length);
      return gt < 0 || buf[gt - 1] === SLASH ? -1 : gt + 1;
    }
    at = buf.indexOf(BODY, at + BODY.length); // `<bodyX`: not ours
  }
  return -1;
}

/** The `>` that ends the tag whose attributes start at `from` (a `>` may sit inside a quoted value); -1 if none. */
function tagEnd(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length; i++) {
    const c = buf[i] as number;
    if (c === GT) return i;
    if (c === QUOT || c === APOS) {
      i = buf.indexOf(c, i + 1);
      if (i < 0) return -1;
    }
  }
  return -1;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const NEEDS_ESCAPE = /["&'<>]/;

/** Text or an attribute value as XML (a load payload never needs escaping: one cheap test). */
export function escapeXml(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(/["&'<>]/g, (c) => XML_ESCAPES[c] as string) : s;
}
