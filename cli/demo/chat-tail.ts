import type { ChatEvents } from '../../server/index.js';

/** xterm-256 colours that read well on dark and light backgrounds. */
const PALETTE = [33, 39, 41, 70, 98, 130, 136, 166, 168, 172, 178, 203, 32, 64, 127, 167];

/** FNV-1a of the name: the same nickname gets the same colour in every run. */
export function nickColour(nick: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < nick.length; i++) h = Math.imul(h ^ nick.charCodeAt(i), 0x01000193);
  return PALETTE[(h >>> 0) % PALETTE.length] as number;
}

/** Colour only on a terminal that wants it (https://no-color.org). */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

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
    return this.#o.colour ? `\x1b[38;5;${nickColour(nick)}m${nick}\x1b[39m` : nick;
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
