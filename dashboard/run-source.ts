import type { Writable } from 'node:stream';
import type { TimeRange } from '../metrics/run-reader.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { RunInfo } from './frames.js';

export type { TimeRange };

/**
 * What the dashboard reads from the run store. dashboard/ depends on this seam only; `metrics-source.ts`
 * implements it over metrics/ so the routes stay testable and the store stays metrics' own.
 */
export interface RunSource {
  /** Newest first. */
  listRuns(): RunInfo[];
  getRun(id: string): RunInfo | undefined;
  /** The run this process is recording, if any. */
  currentRunId(): string | null;
  /** At most `limit` ticks of `range`, oldest first; `truncated` when more remain. */
  /** `every` > 1: only ticks 1, 1 + every, … and the run's last (a long run thinned for one replay). */
  samples(id: string, range: TimeRange, limit: number, every?: number): { snapshots: Snapshot[]; truncated: boolean };
  /** Streams `rooms.csv` or `totals.csv` (DESIGN §11 columns) of the run or range to `out`, then ends it. */
  writeCsv(id: string, kind: 'rooms' | 'totals', range: TimeRange, out: Writable): Promise<void>;
}
