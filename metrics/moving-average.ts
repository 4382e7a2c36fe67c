/**
 * Messages per second over the last `window` ticks: their messages over their seconds, so a tick
 * weighs by its length. With ticks of one length this is the mean of their rates; a short tick (the
 * closing one of a shutdown: 3 messages in 132 ms, 22.7 a second) no longer weighs as a whole one.
 * While the window fills, over the ticks so far.
 */
export class RateAverage {
  readonly #counts: Float64Array;
  readonly #seconds: Float64Array;
  #filled = 0;
  #next = 0;

  constructor(readonly window: number) {
    if (!Number.isInteger(window) || window < 1) {
      throw new RangeError(`Expected \`window\` to be a whole number >= 1, got \`${window}\``);
    }
    this.#counts = new Float64Array(window);
    this.#seconds = new Float64Array(window);
  }

  /** Adds a tick of `count` events over `seconds` and returns the window's rate. */
  push(count: number, seconds: number): number {
    this.#counts[this.#next] = count;
    this.#seconds[this.#next] = seconds;
    this.#next = (this.#next + 1) % this.window;
    if (this.#filled < this.window) this.#filled++;
    // Summed afresh (a window is a few ticks): no running float sum to drift over hours.
    let c = 0;
    let s = 0;
    for (let i = 0; i < this.#filled; i++) {
      c += this.#counts[i] as number;
      s += this.#seconds[i] as number;
    }
    return s > 0 ? c / s : 0;
  }
}
