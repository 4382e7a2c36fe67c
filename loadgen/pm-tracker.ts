/**
 * A virtual client's PMs written and not yet answered, oldest first. A PM is answered by its echo
 * (the server's order: the oldest one), by an error naming the unknown nickname (that one; the oldest
 * when the protocol does not name it), or — by a protocol that echoes no PMs, where only an error would
 * ever answer — by nothing within the loss timeout, when it counts as delivered.
 *
 * Parallel arrays rather than an object per PM, like send-queue.ts: every PM passes through here.
 */
export class PmTracker {
  // PM i: write epoch ms, sequence number, recipient nickname.
  readonly #at: number[] = [];
  readonly #seq: number[] = [];
  readonly #to: string[] = [];

  get length(): number {
    return this.#at.length;
  }

  /** A PM with sequence `seq` was written to `to` at epoch ms `at`. */
  sent(seq: number, to: string, at: number): void {
    this.#at.push(at);
    this.#seq.push(seq);
    this.#to.push(to);
  }

  /** The oldest PM's echo came: forgets it and returns its write time, or NaN if none was pending. */
  echoed(): number {
    if (this.#at.length === 0) return NaN;
    const at = this.#at[0] as number;
    this.#remove(0);
    return at;
  }

  /**
   * The server refused a PM: nobody is called `to` (any case), or '' when it did not say whom — then
   * the oldest. Forgets that PM and returns its sequence number, so that its delivery can be retracted;
   * -1 if no pending PM matches.
   */
  refused(to: string): number {
    let k = 0;
    if (to !== '') {
      const lower = to.toLowerCase();
      k = this.#to.findIndex((t) => t.toLowerCase() === lower);
    }
    if (k < 0 || k >= this.#at.length) return -1;
    const seq = this.#seq[k] as number;
    this.#remove(k);
    return seq;
  }

  /** Without PM echoes: forgets the PMs written before epoch ms `before` (no error came: delivered). */
  expire(before: number): void {
    let n = 0;
    while (n < this.#at.length && (this.#at[n] as number) < before) n++;
    if (n === 0) return;
    this.#at.splice(0, n);
    this.#seq.splice(0, n);
    this.#to.splice(0, n);
  }

  /** The connection dropped: no answer can come any more. */
  clear(): void {
    this.#at.length = this.#seq.length = this.#to.length = 0;
  }

  #remove(k: number): void {
    this.#at.splice(k, 1);
    this.#seq.splice(k, 1);
    this.#to.splice(k, 1);
  }
}
