import { execFileSync } from 'node:child_process';
import { tempDir } from './temp.js';

/**
 * A real pseudo-terminal through tmux, on a private server socket (never the user's tmux): start a
 * command in a fixed-size window, type with send-keys, read the screen with capture-pane.
 */
export class TmuxTerminal {
  readonly #tmp = tempDir('chatpulse-tmux-');
  readonly #socket = `${this.#tmp.dir}/tmux.sock`;
  #closed = false;

  constructor(command: string, opts: { cols?: number; rows?: number } = {}) {
    this.#tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'test', '-x', String(opts.cols ?? 100), '-y', String(opts.rows ?? 30), command);
  }

  /** Types literal text (no Enter). */
  type(text: string): void {
    this.#tmux('send-keys', '-t', 'test', '-l', text);
  }

  /** Sends key names: 'Enter', 'C-d', 'C-u'. */
  keys(...names: string[]): void {
    this.#tmux('send-keys', '-t', 'test', ...names);
  }

  /** The visible screen; with `escapes`, colours and attributes as SGR sequences. */
  screen(escapes = false): string {
    return this.#tmux('capture-pane', '-p', '-t', 'test', ...(escapes ? ['-e'] : []));
  }

  /** The screen's non-empty lines, trailing spaces trimmed. */
  lines(): string[] {
    return this.screen().split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  }

  async waitFor(pred: RegExp | ((screen: string) => boolean), timeoutMs = 8000): Promise<string> {
    const test = pred instanceof RegExp ? (s: string) => pred.test(s) : pred;
    const started = Date.now();
    for (;;) {
      const s = this.screen();
      if (test(s)) return s;
      if (Date.now() - started > timeoutMs) throw new Error(`terminal never showed ${String(pred)}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#tmux('kill-server');
    } catch {
      // already gone with its last session
    }
    this.#tmp.cleanup();
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.#socket, ...args], { encoding: 'utf8', env: { ...process.env, TMUX: '' } });
  }
}
