import type { ServerFrame } from '../../protocol/dashboard-frames.js';

export interface LiveSocketOptions {
  url: string;
  onFrame: (frame: ServerFrame) => void;
  onStatus: (connected: boolean) => void;
  /** First retry delay; doubles up to `maxRetryMs`. @default 500 */
  retryMs?: number;
  /** @default 5000 */
  maxRetryMs?: number;
}

/** `WS /ws` that reconnects by itself after the server goes away; each reconnect starts with history. */
export class LiveSocket {
  readonly #opts: Required<LiveSocketOptions>;
  #ws: WebSocket | null = null;
  #delay: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  connected = false;
  reconnects = 0;

  constructor(options: LiveSocketOptions) {
    this.#opts = { retryMs: 500, maxRetryMs: 5000, ...options };
    this.#delay = this.#opts.retryMs;
    this.#open();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#ws?.close();
  }

  #open(): void {
    const ws = new WebSocket(this.#opts.url);
    this.#ws = ws;
    ws.onopen = () => {
      this.connected = true;
      this.#delay = this.#opts.retryMs;
      this.#opts.onStatus(true);
    };
    ws.onmessage = (ev) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(ev.data)) as ServerFrame;
      } catch {
        return;
      }
      this.#opts.onFrame(frame);
    };
    ws.onclose = () => {
      if (this.connected) this.#opts.onStatus(false);
      this.connected = false;
      if (this.#closed) return;
      this.reconnects++;
      this.#timer = setTimeout(() => this.#open(), this.#delay);
      this.#delay = Math.min(this.#delay * 2, this.#opts.maxRetryMs);
    };
    // onerror is always followed by onclose; nothing to do here, and no console noise.
    ws.onerror = () => {};
  }
}
