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

/**
 * Per sender, side by side: the sender (NaN: an empty slot), its highest sequence, the bitmap. Once
 * per delivery, so an open-addressing table in one typed array: a `Map` of objects took a hash lookup
 * in a builtin and a second load per delivery (~8 % of a saturated worker, perf).
 */
const STRIDE = 3;
const SENDER = 0;
const HIGH = 1;
/**
 * Bit k set: sequence `high - 1 - k` was seen. Kept as a signed int32 (bit 31 makes it negative): the
 * optimized code takes the loaded value for an int32, and one above 2^31 deoptimized it ("lost
 * precision", --trace-deopt).
 */
const BITS = 2;
const INITIAL_SLOTS = 16;

export class ReceiverWindow {
  #slots = emptySlots(INITIAL_SLOTS);
  #mask = INITIAL_SLOTS - 1;
  #senders = 0;

  check(sender: number, seq: number): Seen {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = hash(sender) & mask;
    for (;;) {
      const at = i * STRIDE;
      const k = slots[at + SENDER] as number;
      if (k === sender) return judge(slots, at, seq);
      if (k !== k) break; // NaN: empty, a sender not seen before
      i = (i + 1) & mask;
    }
    // At most half full: probes stay short.
    if ((this.#senders + 1) * 2 > mask + 1) this.#grow();
    const at = this.#vacant(sender);
    this.#slots[at + HIGH] = seq;
    this.#slots[at + BITS] = 0;
    this.#senders++;
    return Seen.New;
  }

  /** Claims the first empty slot on `sender`'s probe path (the sender is absent). */
  #vacant(sender: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = hash(sender) & mask;
    while (!Number.isNaN(slots[i * STRIDE + SENDER])) i = (i + 1) & mask;
    slots[i * STRIDE + SENDER] = sender;
    return i * STRIDE;
  }

  #grow(): void {
    const old = this.#slots;
    const n = (this.#mask + 1) * 2;
    this.#slots = emptySlots(n);
    this.#mask = n - 1;
    for (let s = 0; s < old.length; s += STRIDE) {
      const sender = old[s + SENDER] as number;
      if (sender === sender) this.#slots.set(old.subarray(s, s + STRIDE), this.#vacant(sender));
    }
  }
}

/** The window of the sender at `slots[at]` takes `seq`. */
function judge(slots: Float64Array, at: number, seq: number): Seen {
  const high = slots[at + HIGH] as number;
  if (seq > high) {
    const shift = seq - high;
    // The old `high` becomes bit shift-1; everything slides up by `shift`.
    slots[at + BITS] = shift > WINDOW ? 0 : shift === WINDOW ? 1 << 31 : ((slots[at + BITS] as number) << shift) | (1 << (shift - 1));
    slots[at + HIGH] = seq;
    return Seen.New;
  }
  if (seq === high) return Seen.Duplicate;
  const k = high - 1 - seq;
  if (k >= WINDOW) return Seen.Reordered;
  const bits = slots[at + BITS] as number;
  const mask = 1 << k;
  if ((bits & mask) !== 0) return Seen.Duplicate;
  slots[at + BITS] = bits | mask;
  return Seen.Reordered;
}

/**
 * Senders are small integers (a hostile payload's may be any up to 2^53), and a room's are often a
 * stride apart (`gid % rooms`): the product's high bits, which every bit of the sender reaches, are
 * folded into the low ones the table uses — alone, a stride of 2^k would share 1/2^k of the slots.
 */
export function hash(sender: number): number {
  const h = Math.imul((sender >>> 0) ^ ((sender / 4294967296) >>> 0), 0x9e3779b1);
  return h ^ (h >>> 16);
}

function emptySlots(n: number): Float64Array {
  const slots = new Float64Array(n * STRIDE);
  for (let s = 0; s < slots.length; s += STRIDE) slots[s + SENDER] = Number.NaN;
  return slots;
}
