/**
 * A room's lines not yet handed to the writer, at most `cap` of them: appending past the cap drops
 * the oldest (the store would trim it anyway). So memory is bounded by rooms × cap whatever the
 * message rate, and an append is three stores — no per-line object, no trimming pass later.
 */
export class HistoryRing {
  readonly room: string;
  #ts: number[] = [];
  #nick: string[] = [];
  #text: string[] = [];
  #next = 0;
  #count = 0;
  readonly #cap: number;

  constructor(room: string, cap: number) {
    this.room = room;
    this.#cap = cap;
  }

  get size(): number {
    return this.#count;
  }

  push(ts: number, nick: string, text: string): void {
    const i = this.#next;
    this.#ts[i] = ts;
    this.#nick[i] = nick;
    this.#text[i] = text;
    this.#next = i + 1 === this.#cap ? 0 : i + 1;
    if (this.#count < this.#cap) this.#count++;
  }

  /** Appends this room's lines, oldest first, as flat rows (room, ts, nick, text) to `out`. */
  drainInto(out: (string | number)[]): void {
    const start = this.#count < this.#cap ? 0 : this.#next;
    for (let k = 0; k < this.#count; k++) {
      const i = (start + k) % this.#cap;
      out.push(this.room, this.#ts[i] as number, this.#nick[i] as string, this.#text[i] as string);
    }
    this.#next = 0;
    this.#count = 0;
  }
}
