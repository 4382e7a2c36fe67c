/**
 * How the SQLite stores are doing. A full disk (or a read-only or broken file) must never take the
 * chat down: every store catches its write errors and reports them here, where they are counted for
 * `/metrics` (`chat_storage_errors_total{store,kind}`), logged once per store and kind (then at most
 * once a minute with the count suppressed since), and remembered as "failing" until a write succeeds
 * again — which is what tells users that history is not being saved.
 */

/** The SQLite-backed stores of a server process. */
export type StorageName = 'history' | 'grace' | 'runs';

/** Coarse, fixed error kinds: bounded label values, and the words users are told. */
export type StorageErrorKind = 'full' | 'readonly' | 'busy' | 'io' | 'corrupt' | 'other';

const KIND_WORDS: Record<StorageErrorKind, string> = {
  full: 'disk full', readonly: 'database is read-only', busy: 'database is locked', io: 'disk I/O error',
  corrupt: 'database file is damaged', other: 'storage error',
};

/** The kind of a better-sqlite3 `SqliteError` (by its `code`) or of a file-system error. */
export function storageErrorKind(err: unknown): StorageErrorKind {
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return 'readonly';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return 'io';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  return 'other';
}

export interface StorageHealthOptions {
  /** @default console.error */
  log?: (line: string) => void;
  /** @default Date.now */
  now?: () => number;
  /** After a kind's first line, at most one line per this many ms (with the count since). @default 60000 */
  logEveryMs?: number;
}

interface LogState {
  lastAt: number;
  suppressed: number;
}

export class StorageHealth {
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  readonly #logEveryMs: number;
  /** `store kind` → errors so far. */
  readonly #errors = new Map<string, number>();
  readonly #logged = new Map<string, LogState>();
  readonly #failing = new Map<StorageName, StorageErrorKind>();
  readonly #held = new Map<StorageName, number>();
  readonly #dropped = new Map<StorageName, number>();

  constructor(opts: StorageHealthOptions = {}) {
    this.#log = opts.log ?? ((l) => console.error(l));
    this.#now = opts.now ?? Date.now;
    this.#logEveryMs = opts.logEveryMs ?? 60_000;
  }

  /** A write (or read) of `store` failed with `err`; `what` says what was lost or delayed. */
  failed(store: StorageName, err: unknown, what: string): void {
    const kind = storageErrorKind(err);
    const key = `${store} ${kind}`;
    this.#errors.set(key, (this.#errors.get(key) ?? 0) + 1);
    this.#failing.set(store, kind);
    const now = this.#now();
    const state = this.#logged.get(key);
    if (state !== undefined && now - state.lastAt < this.#logEveryMs) {
      state.suppressed++;
      return;
    }
    const since = state && state.suppressed > 0 ? ` (${state.suppressed} more since the last report)` : '';
    this.#logged.set(key, { lastAt: now, suppressed: 0 });
    this.#log(`chatpulse: ${store} store: ${what}: ${(err as Error)?.message ?? String(err)} [${kind}]${since}; the chat keeps serving`);
  }

  /** A write of `store` succeeded: it is no longer failing. */
  ok(store: StorageName): void {
    if (!this.#failing.delete(store)) return;
    this.#log(`chatpulse: ${store} store: writing again`);
  }

  /** The kind of the last error while `store` is failing, else undefined. */
  failing(store: StorageName): StorageErrorKind | undefined {
    return this.#failing.get(store);
  }

  /** Plain words for a failing store's problem ("disk full"), else undefined. */
  problem(store: StorageName): string | undefined {
    const kind = this.#failing.get(store);
    return kind && KIND_WORDS[kind];
  }

  /** How many lines or rows `store` holds for a retry now. */
  setHeld(store: StorageName, n: number): void {
    this.#held.set(store, n);
  }

  /** `n` lines, rows or ticks that `store` gave up on (over the retry cap, or not retried). */
  dropped(store: StorageName, n: number): void {
    this.#dropped.set(store, (this.#dropped.get(store) ?? 0) + n);
  }

  /** Error counts by store and kind, for `/metrics`. */
  errors(): { store: StorageName; kind: StorageErrorKind; count: number }[] {
    return [...this.#errors].map(([key, count]) => {
      const [store, kind] = key.split(' ') as [StorageName, StorageErrorKind];
      return { store, kind, count };
    });
  }

  held(): Map<StorageName, number> {
    return new Map(this.#held);
  }

  droppedCounts(): Map<StorageName, number> {
    return new Map(this.#dropped);
  }
}
