/**
 * Simple moving average over the last `window` values, in a fixed ring: `push` allocates nothing.
 * While the window fills, the mean is over the values pushed so far (1, 2, … then `window`).
 */
export class MovingAverage {
  readonly #ring: Float64Array;
  #count = 0;
  #next = 0;
  #sum = 0;

  constructor(readonly window: number) {
    if (!Number.isInteger(window) || window < 1) {
      throw new RangeError(`Expected \`window\` to be a whole number >= 1, got \`${window}\``);
    }
    this.#ring = new Float64Array(window);
  }

  /** Adds a value and returns the mean of the window. */
  push(value: number): number {
    if (this.#count === this.window) this.#sum -= this.#ring[this.#next] as number;
    else this.#count++;
    this.#ring[this.#next] = value;
    this.#sum += value;
    this.#next = (this.#next + 1) % this.window;
    // Re-sum now and then: subtracting floats for hours would drift by rounding error.
    if (this.#next === 0) this.#sum = this.#ring.reduce((a, b) => a + b, 0);
    return this.mean;
  }

  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }
}
