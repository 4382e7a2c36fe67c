/**
 * Per receiver: which messages of each sender it has seen, to tell a new delivery from a duplicate
 * and an in-order one from a reordered one. Per sender it keeps the highest sequence seen and a
 * 32-message bitmap below it (the anti-replay window of IPsec); nothing is allocated per message.
 *
 * A sequence more than 32 below the highest is outside the window: it is counted as reordered and
 * accepted as new (a duplicate that late cannot be told apart, and is rare).
 */
export const enum Seen {
  New = 0,
  Reordered = 1,
  Duplicate = 2,
}

const WINDOW = 32;

interface SenderTrack {
  high: number;
  /** Bit k set: sequence `high - 1 - k` was seen. */
  bits: number;
}

export class ReceiverWindow {
  readonly #bySender = new Map<number, SenderTrack>();

  check(sender: number, seq: number): Seen {
    const t = this.#bySender.get(sender);
    if (t === undefined) {
      this.#bySender.set(sender, { high: seq, bits: 0 });
      return Seen.New;
    }
    if (seq > t.high) {
      const shift = seq - t.high;
      // The old `high` becomes bit shift-1; everything slides up by `shift`.
      t.bits = shift > WINDOW ? 0 : shift === WINDOW ? 1 << 31 : ((t.bits << shift) | (1 << (shift - 1))) >>> 0;
      t.high = seq;
      return Seen.New;
    }
    if (seq === t.high) return Seen.Duplicate;
    const k = t.high - 1 - seq;
    if (k >= WINDOW) return Seen.Reordered;
    const mask = 1 << k;
    if ((t.bits & mask) !== 0) return Seen.Duplicate;
    t.bits = (t.bits | mask) >>> 0;
    return Seen.Reordered;
  }

}
