import path from 'node:path';
import { ManualClock, RunStore, TickAggregator, type Snapshot } from '../../metrics/index.js';
import { ChatEvents } from '../../server/index.js';
import { openDatabase } from '../../store/database.js';

/**
 * A run being recorded into a real SQLite file in `dir`: real chat events into a real tick
 * aggregator on a manual clock (2026-11-22 14:03:05 UTC), each snapshot stored — and kept in
 * `snaps`, so that a test can compare what was written with what was recorded. `clock.advance`
 * ticks; `agg.close()` and `store.finishRun` end it.
 */
export function recordingRun(dir: string, label: string, config?: Record<string, unknown>) {
  const db = openDatabase(path.join(dir, 'run.db'));
  const store = new RunStore(db);
  const clock = new ManualClock(Date.UTC(2026, 10, 22, 14, 3, 5));
  const run = store.startRun({ label, start: clock.now(), ...(config && { config }) });
  const events = new ChatEvents();
  const agg = new TickAggregator(events, { runId: run.id, clock, window: 3 }).start();
  const snaps: Snapshot[] = [];
  agg.onSnapshot((s) => {
    store.record(s);
    snaps.push(s);
  });
  return { db, store, clock, run, events, agg, snaps };
}
