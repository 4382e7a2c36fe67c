import type { Writable } from 'node:stream';
import { streamCsv, type RunReader, type StoredRun } from '../metrics/index.js';
import type { RunInfo } from './frames.js';
import type { RunSource } from './run-source.js';

/**
 * The dashboard's view of the metrics run store: runs without their config (the wire type), snapshots
 * rebuilt from stored rows, CSV streamed by metrics' own writer so the download equals the results files.
 */
export function metricsRunSource(reader: RunReader, currentRunId: () => string | null): RunSource {
  return {
    listRuns: () => reader.listRuns().map(wire),
    getRun: (id) => {
      const run = reader.getRun(id);
      return run && wire(run);
    },
    currentRunId,
    samples(id, range, limit, every = 1) {
      const snapshots = reader.snapshots(id, range, 0, limit + 1, every);
      const truncated = snapshots.length > limit;
      if (truncated) snapshots.length = limit;
      return { snapshots, truncated };
    },
    writeCsv: (id, kind, range, out: Writable) => streamCsv(reader, id, kind, out, range),
  };
}

function wire(run: StoredRun): RunInfo {
  return { id: run.id, label: run.label, start: run.start, end: run.end, status: run.status, ticks: run.ticks };
}
