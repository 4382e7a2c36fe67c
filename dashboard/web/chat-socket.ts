/**
 * The page's connection to `WS /chat/ws`: one §3 line per text frame, reconnecting by itself with
 * jittered exponential backoff (so that a restarted server is not hit by every tab at the same instant).
 */
export interface ChatSocketHandlers {
  onOpen(): void;
  onLine(line: string): void;
  /** The socket closed; a new attempt starts in `retryInMs`. */
  onDown(retryInMs: number): void;
}

export interface ChatSocketOptions {
  /** @default 500 */
  minDelayMs?: number;
  /** @default 10000 */
  maxDelayMs?: number;
}

export class ChatSocket {
  #ws: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #url: string;
  readonly #handlers: ChatSocketHandlers;
  readonly #min: number;
  readonly #max: number;

  constructor(url: string, handlers: ChatSocketHandlers, opts: ChatSocketOptions = {}) {
    this.#url = url;
    this.#handlers = handlers;
    this.#min = opts.minDelayMs ?? 500;
    this.#max = opts.maxDelayMs ?? 10_000;
    this.#connect();
  }

  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Sends one line; returns false when not connected (the caller says so to the user). */
  send(line: string): boolean {
    if (!this.open) return false;
    this.#ws?.send(line);
    return true;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ws?.close();
  }

  #connect(): void {
    const ws = new WebSocket(this.#url);
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      this.#handlers.onOpen();
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data === 'string') this.#handlers.onLine(e.data);
    };
    ws.onclose = () => {
      if (this.#ws !== ws || this.#closed) return;
      this.#ws = null;
      const base = Math.min(this.#max, this.#min * 2 ** this.#attempt++);
      const delay = Math.round(base / 2 + Math.random() * (base / 2));
      this.#handlers.onDown(delay);
      this.#timer = setTimeout(() => this.#connect(), delay);
    };
  }
}
