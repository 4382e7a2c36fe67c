/**
 * `--report ws://host:port/ingest`: one JSON `LoadgenTickReport` per tick over a WebSocket. The load
 * never waits for it: a report made while the socket is down (or backed up) is dropped and counted,
 * and the socket reconnects with backoff in the background.
 */
import WebSocket from 'ws';
import type { LoadgenTickReport } from './report.js';

export interface ReporterOptions {
  /** Reconnect delay after a drop; doubles up to 5 s. @default 250 */
  retryMs?: number;
  /** Reports are dropped while this much is unsent. @default 1 MiB */
  maxBuffered?: number;
  /** Where connection trouble is told (once per outage). @default no-op */
  onWarn?: (message: string) => void;
}

export class TickReporter {
  sent = 0;
  dropped = 0;
  readonly #url: string;
  readonly #opts: Required<ReporterOptions>;
  #ws: WebSocket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #delay: number;
  #closed = false;
  #warned = false;

  constructor(url: string, opts: ReporterOptions = {}) {
    const u = new URL(url);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`--report must be a ws:// or wss:// URL, got '${url}'`);
    this.#url = url;
    this.#opts = { retryMs: 250, maxBuffered: 1024 * 1024, onWarn: () => {}, ...opts };
    this.#delay = this.#opts.retryMs;
    this.#open();
  }

  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  send(report: LoadgenTickReport): void {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > this.#opts.maxBuffered) {
      this.dropped++;
      return;
    }
    ws.send(JSON.stringify(report));
    this.sent++;
  }

  /** Sends what is queued (bounded wait), then closes. Idempotent. */
  async close(waitMs = 500): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const ws = this.#ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        ws.terminate();
        resolve();
      }, waitMs);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'run over');
      else ws.terminate();
    });
  }

  #open(): void {
    if (this.#closed) return;
    const ws = new WebSocket(this.#url, { handshakeTimeout: 5000 });
    this.#ws = ws;
    ws.on('open', () => {
      this.#delay = this.#opts.retryMs;
      this.#warned = false;
    });
    ws.on('error', (err) => {
      if (!this.#warned) this.#opts.onWarn(`report: ${this.#url}: ${err.message}; retrying in the background`);
      this.#warned = true;
    });
    ws.on('close', () => {
      if (this.#closed) return;
      this.#timer = setTimeout(() => this.#open(), this.#delay);
      this.#timer.unref();
      this.#delay = Math.min(5000, this.#delay * 2);
    });
  }
}
