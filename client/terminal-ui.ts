import readline from 'node:readline';

export interface TerminalUiOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  prompt: string;
}

/**
 * The interactive terminal: a readline prompt where incoming lines never break the line being typed.
 * Each incoming line erases the prompt and the partial input (however many rows they wrap over),
 * prints, and redraws prompt + input with the cursor where it was.
 */
export class TerminalUi {
  readonly #rl: readline.Interface;
  readonly #out: TerminalUiOptions['output'];
  readonly #tty: boolean;
  #closed = false;

  constructor(opts: TerminalUiOptions) {
    this.#out = opts.output;
    this.#tty = opts.output.isTTY === true;
    this.#rl = readline.createInterface({ input: opts.input, output: opts.output, prompt: opts.prompt, terminal: this.#tty, historySize: 200 });
    // Ctrl-D closes readline itself; after that, prompt() would resume stdin and keep the process alive.
    this.#rl.on('close', () => (this.#closed = true));
    this.#rl.prompt();
  }

  /** Typed lines (Enter). The typed line is wiped: the server's echo shows what was sent. */
  onLine(fn: (line: string) => void): void {
    this.#rl.on('line', (line) => {
      if (this.#tty) this.#wipeSubmitted(line);
      fn(line);
      if (!this.#closed) this.#rl.prompt();
    });
  }

  /** Ctrl-D (end of input) or Ctrl-C. */
  onEnd(fn: () => void): void {
    this.#rl.on('close', fn);
    this.#rl.on('SIGINT', () => this.#rl.close());
  }

  setPrompt(prompt: string): void {
    if (prompt === this.#rl.getPrompt()) return;
    this.#rl.setPrompt(prompt);
    if (this.#tty && !this.#closed) {
      this.#clearInput();
      this.#rl.prompt(true);
    }
  }

  /** Prints one line above the prompt. */
  print(text: string): void {
    if (this.#closed) {
      this.#out.write(`${text}\n`);
      return;
    }
    if (!this.#tty) {
      this.#out.write(`${text}\n`);
      return;
    }
    this.#clearInput();
    this.#out.write(`${text}\n`);
    this.#rl.prompt(true);
  }

  close(): void {
    if (this.#closed) return;
    this.#rl.close();
  }

  /** Moves to the first row of the prompt and clears from there down. */
  #clearInput(): void {
    const { rows } = this.#rl.getCursorPos();
    readline.moveCursor(this.#out, 0, -rows);
    readline.cursorTo(this.#out, 0);
    readline.clearScreenDown(this.#out);
  }

  #wipeSubmitted(line: string): void {
    // A pty without a window size reports 0 columns (the line read as Infinity rows up): take 80 then.
    const cols = this.#out.columns !== undefined && this.#out.columns > 0 ? this.#out.columns : 80;
    const width = this.#rl.getPrompt().length + line.length;
    const rows = Math.max(1, Math.ceil(width / cols));
    readline.moveCursor(this.#out, 0, -rows);
    readline.cursorTo(this.#out, 0);
    readline.clearScreenDown(this.#out);
  }
}
