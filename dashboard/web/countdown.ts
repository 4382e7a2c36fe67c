import type { CountdownFrame } from '../../protocol/dashboard-frames.js';
import { byId, formatMinSec, setText } from './dom.js';

/** The demo countdown (mm:ss), corrected for the difference between the server's clock and ours. */
export class CountdownView {
  #endsAt: number | null = null;
  #skew = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  apply(frame: CountdownFrame, receivedAt = Date.now()): void {
    this.#skew = frame.serverTime - receivedAt;
    this.#endsAt = frame.endsAt;
    setText(byId('countdown-label'), frame.endsAt === null ? '' : frame.label);
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (frame.endsAt !== null) this.#timer = setInterval(() => this.#render(), 250);
    this.#render();
  }

  /** Seconds left, or null when no countdown runs. */
  remainingS(): number | null {
    if (this.#endsAt === null) return null;
    return Math.max(0, (this.#endsAt - (Date.now() + this.#skew)) / 1000);
  }

  #render(): void {
    const el = byId('countdown');
    const left = this.remainingS();
    el.hidden = left === null;
    if (left !== null) setText(el, formatMinSec(Math.ceil(left)));
  }
}
