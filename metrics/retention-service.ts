import type { Db } from '../store/database.js';
import { pruneRuns, retentionLine, type PruneReport } from './run-pruner.js';
import type { RetentionPolicy } from './run-retention.js';

export interface RetentionServiceOptions {
  db: Db;
  policy: RetentionPolicy;
  /** Runs never pruned, asked at each pass: the current run. @default none */
  protect?: () => readonly string[];
  /** Where the one line per pass goes. */
  log: (line: string) => void;
  /** Between two passes. @default 24 h */
  everyMs?: number;
  /** @default Date.now */
  now?: () => number;
}

export interface RetentionService {
  /** The pass made at start; resolves with undefined when it failed (the failure is logged). */
  readonly first: Promise<PruneReport | undefined>;
  /** Idempotent: clears the timer, stops a pass between two chunks and waits for it. */
  close(): Promise<void>;
}

/**
 * Retention for a long-lived process: one pass now (the caller has created its run, so the run is
 * never a candidate) and one every `everyMs`, on an unref'd timer, one pass at a time. A pass that
 * fails (a locked or full disk) is logged and the process keeps serving.
 */
export function startRetention(opts: RetentionServiceOptions): RetentionService {
  const abort = new AbortController();
  // The first pass waits for a turn of the event loop: the caller prints its start banner first.
  let current = new Promise<PruneReport | undefined>((resolve) => setImmediate(() => resolve(undefined)));
  const pass = (): Promise<PruneReport | undefined> => {
    current = current.then(async () => {
      if (abort.signal.aborted) return undefined;
      try {
        const report = await pruneRuns(opts.db, opts.policy, {
          protect: opts.protect?.() ?? [], now: (opts.now ?? Date.now)(), signal: abort.signal,
        });
        opts.log(retentionLine(report));
        return report;
      } catch (err) {
        opts.log(`retention: failed: ${(err as Error).message}`);
        return undefined;
      }
    });
    return current;
  };
  const first = pass();
  const timer = setInterval(() => void pass(), opts.everyMs ?? 86_400_000);
  timer.unref();
  let closing: Promise<void> | undefined;
  return {
    first,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        abort.abort();
        await current;
      })();
      return closing;
    },
  };
}
