import unhomoglyph from 'unhomoglyph';
import { YOU } from '../protocol/index.js';

/** Invisible by definition (variation selectors such as U+FE0F, zero-width joiners, …). */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The key under which a nickname is held: two nicknames with the same key look alike, so only one of
 * them may be in use (`аdmin` with a Cyrillic а, `admin` + U+FE0F, fullwidth `ａｄｍｉｎ` all key as
 * `admin` does). It is the Unicode TR39 skeleton — NFD, each character replaced by its prototype from
 * confusables.txt (the maintained `unhomoglyph` table), NFD again — taken of the NFKC lowercase form
 * with default-ignorable characters removed, because nicknames already compare case-insensitively and
 * confusables.txt leaves most compatibility forms (fullwidth letters, ligatures) to NFKC.
 *
 * Not human-readable (`m` becomes `rn`); computed once per login or rename, never per message.
 */
export function nickSkeleton(nick: string): string {
  const folded = nick.normalize('NFKC').toLowerCase().replace(IGNORABLE, '');
  return unhomoglyph(folded.normalize('NFD')).normalize('NFD').toLowerCase();
}

/**
 * The skeleton of the nickname as typed, before its case is folded: confusables.txt maps a capital I
 * to l, which the lowercase form has already lost, so `aIice` (capital i), which reads as `alice` in
 * most fonts, has its own `nickSkeleton`. A nickname whose `caseSkeleton` is another's `nickSkeleton`
 * (or the other way round) looks like it. Not an equivalence (`ALICE` keys as `allce` here, though it is
 * `alice` in another case), so it is checked beside `nickSkeleton` on each node, never instead of it,
 * and it is no cluster claim key.
 */
export function caseSkeleton(nick: string): string {
  return nickSkeleton(unhomoglyph(nick.normalize('NFKC').replace(IGNORABLE, '').normalize('NFD')));
}

/**
 * `[room] You: text` is a sender's own echo (DESIGN §3). A member called You — or anything that looks
 * like it, `you` or `Y0u` — could make its lines read as each reader's own: no one may take it.
 */
export const YOU_SKELETON = nickSkeleton(YOU);

const reserved = new Map<string, boolean>();

/**
 * Whether `nick` looks like You: for nicknames that arrive from elsewhere (a relay from another node,
 * which may run an older version), remembered per nickname since the skeleton is not cheap.
 */
export function looksLikeYou(nick: string): boolean {
  let r = reserved.get(nick);
  if (r === undefined) {
    if (reserved.size >= 10_000) reserved.clear();
    reserved.set(nick, (r = nickSkeleton(nick) === YOU_SKELETON));
  }
  return r;
}
