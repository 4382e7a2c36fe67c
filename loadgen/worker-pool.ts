/** The worker threads of one run: start, broadcast, gather one reply per worker, terminate. */
import { Worker } from 'node:worker_threads';
import type { MainToWorker, WorkerFinal, WorkerInit, WorkerTick, WorkerToMain } from './worker-messages.js';

const REPLY_TIMEOUT_MS = 15_000;

export class WorkerPool {
  readonly #workers: Worker[] = [];
  readonly #waiting = new Map<string, { parts: WorkerToMain[]; resolve: (p: WorkerToMain[]) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #failure: Error | undefined;
  #terminated = false;

  constructor(inits: WorkerInit[]) {
    for (const init of inits) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
      w.on('message', (msg: WorkerToMain) => this.#onMessage(msg));
      w.on('error', (err) => this.#fail(new Error(`loadgen worker ${init.workerIndex} failed: ${err.message}`)));
      w.on('exit', (code) => {
        if (!this.#terminated && code !== 0) this.#fail(new Error(`loadgen worker ${init.workerIndex} exited with code ${code}`));
      });
      this.#workers.push(w);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  ready(): Promise<WorkerToMain[]> {
    return this.#gather('ready');
  }

  post(msg: MainToWorker): void {
    for (const w of this.#workers) w.postMessage(msg);
  }

  /** Asks every worker for tick `n` and resolves with all the replies. */
  tick(n: number): Promise<WorkerTick[]> {
    const p = this.#gather(`tick:${n}`) as Promise<WorkerTick[]>;
    this.post({ type: 'tick', tick: n });
    return p;
  }

  close(): Promise<WorkerFinal[]> {
    const p = this.#gather('final') as Promise<WorkerFinal[]>;
    this.post({ type: 'close' });
    return p;
  }

  /** Idempotent. */
  async terminate(): Promise<void> {
    if (this.#terminated) return;
    this.#terminated = true;
    for (const w of this.#waiting.values()) clearTimeout(w.timer);
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }

  #gather(key: string): Promise<WorkerToMain[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(key);
        reject(new Error(`loadgen workers did not answer '${key}' within ${REPLY_TIMEOUT_MS / 1000}s`));
      }, REPLY_TIMEOUT_MS);
      this.#waiting.set(key, { parts: [], resolve, reject, timer });
    });
  }

  #onMessage(msg: WorkerToMain): void {
    if (msg.type === 'fatal') return this.#fail(new Error(`loadgen worker ${msg.worker}: ${msg.message}`));
    if (msg.type === 'outage') {
      const { client, at, down } = msg;
      this.#workers.forEach((w, i) => i !== msg.worker && w.postMessage({ type: 'outage', client, at, down } satisfies MainToWorker));
      return;
    }
    const key = msg.type === 'tick' ? `tick:${msg.tick}` : msg.type;
    // Every request registers its gathering before it is posted, so a reply always finds it.
    const w = this.#waiting.get(key);
    if (w === undefined) return;
    w.parts.push(msg);
    this.#check(key);
  }

  #check(key: string): void {
    const w = this.#waiting.get(key);
    if (w === undefined || w.parts.length < this.#workers.length) return;
    clearTimeout(w.timer);
    this.#waiting.delete(key);
    w.resolve(w.parts);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const [key, w] of this.#waiting) {
      clearTimeout(w.timer);
      w.reject(err);
      this.#waiting.delete(key);
    }
  }
}
