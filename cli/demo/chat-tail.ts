import { nickColor } from '../../client/colors.js';
import type { ChatEvents } from '../../server/index.js';

/** The terminal client's colours, so a nickname looks the same in the demo's tail and in `chatpulse client`. */
export { colorEnabled, nickColor } from '../../client/colors.js';

export interface ChatTailOptions {
  events: ChatEvents;
  /** Where sampled lines go (the terminal view). */
  write: (line: string) => void;
  /** Lines shown per second at most. @default 3 */
  perSecond?: number;
  colour: boolean;
  /** Text is cut to this many characters. @default 60 */
  maxText?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * `--tail`: a sample of the chat itself — the first few room messages and joins of each second,
 * each nickname in its own colour. Costs one comparison per message beyond the sample.
 */
export class ChatTail {
  readonly #o: Required<ChatTailOptions>;
  readonly #off: (() => void)[];
  #second = 0;
  #shown = 0;

  constructor(options: ChatTailOptions) {
    this.#o = { perSecond: 3, maxText: 60, now: Date.now, ...options };
    const { events } = this.#o;
    this.#off = [
      events.on('message', (e) => {
        if (this.#take()) this.#o.write(`${this.#room(e.room)} ${this.#nick(e.nick)}: ${this.#cut(e.text)}`);
      }),
      events.on('join', (e) => {
        if (e.room !== 'main' && this.#take()) this.#o.write(`${this.#room(e.room)} * ${this.#nick(e.nick)} joined`);
      }),
    ];
  }

  close(): void {
    for (const off of this.#off.splice(0)) off();
  }

  #take(): boolean {
    const second = Math.floor(this.#o.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#shown = 0;
    }
    return this.#shown++ < this.#o.perSecond;
  }

  #nick(nick: string): string {
    return this.#o.colour ? `\x1b[${nickColor(nick)}m${nick}\x1b[39m` : nick;
  }

  #room(room: string): string {
    return this.#o.colour ? `\x1b[2m[${room}]\x1b[22m` : `[${room}]`;
  }

  #cut(text: string): string {
    // Names and text are user input: no control characters reach the terminal.
    const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
    return clean.length > this.#o.maxText ? `${clean.slice(0, this.#o.maxText - 1)}…` : clean;
  }
}
