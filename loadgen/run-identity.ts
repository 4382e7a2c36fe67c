/**
 * What tells this run's clients and messages from anyone else's in the same rooms: a second load
 * generator against the same server, or a person chatting there.
 *
 * Why: delivery is counted against the members a sender saw. Every run names its rooms `room1…roomN`
 * and numbers its clients from 0, so without this a second run's messages read as this run's
 * duplicates and reorderings, and its clients (or a person) as recipients that never received — 44 %
 * and 78 % "lost" on a correct server, running two of the README's commands at once.
 *
 * - Messages: every payload carries the run's tag (`payload.ts`); a receiver measures only its own run's.
 * - Members: only this run's nicknames count as expected recipients: the prefix, the client's index,
 *   and the `_suffix` a taken nickname retries with (`virtual-client.ts`).
 *
 * Both come from the nick prefix, which is random per run unless `--nick-prefix` names it: two runs at
 * once need two prefixes, as they do anyway to log in side by side.
 */

/** The tag's length: base36, so 36^5 ≈ 60 million tags; two prefixes share one with odds of 1 in 60 million. */
export const RUN_TAG_LENGTH = 5;
const TAG_SPACE = 36 ** RUN_TAG_LENGTH;

/** The run's mark in its payloads: FNV-1a of the prefix's UTF-8, in base36, always 5 characters. */
export function runTag(nickPrefix: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(nickPrefix, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % TAG_SPACE).toString(36).padStart(RUN_TAG_LENGTH, '0');
}

/**
 * Which of this run's `clients` a nickname is (its index), or -1 for none of them. One of them is
 * `<prefix><index>` with an index below `clients` written as the run writes it (no leading zero), or
 * that with `_` and the retry's suffix (cut short by a server with short nicknames, it still counts).
 * Exact in case: servers keep the case a client logged in with, and `LG` beside `lg` are two runs. A
 * prefix neither ends in a digit nor holds a `_` (options.ts), so no run's nicknames are another's:
 * `lg` cannot read `lg1_0` of a run `lg1_` as its client 1 retried. A person who takes a nickname of
 * this form is counted as one of the run's clients.
 */
export function runNickIndex(nickPrefix: string, clients: number): (nick: string) => number {
  const escaped = nickPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${escaped}(0|[1-9]\\d{0,15})(?:_[0-9a-z]*)?$`, 'u');
  return (nick) => {
    const m = re.exec(nick);
    const i = m === null ? -1 : Number(m[1]);
    return i < clients ? i : -1;
  };
}
