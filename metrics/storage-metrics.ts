import { Counter, Gauge, type Registry } from 'prom-client';
import type { StorageHealth } from '../store/storage-health.js';

/**
 * `chat_storage_errors_total{store,kind}`, `chat_storage_held{store}` and
 * `chat_storage_dropped_total{store}`: what a failing SQLite store (a full disk) costs, copied from
 * the stores' plain counters at scrape time. Labels come from fixed sets (stores: history, grace,
 * runs; kinds: full, readonly, busy, io, corrupt, other), so the series stay bounded.
 */
export function registerStorageMetrics(registry: Registry, health: StorageHealth): void {
  const registers = [registry];
  new Counter({
    name: 'chat_storage_errors_total', help: 'Failed SQLite reads and writes, by store (history, grace, runs) and kind (full, readonly, busy, io, corrupt, other)',
    labelNames: ['store', 'kind'], registers,
    collect() {
      this.reset();
      for (const { store, kind, count } of health.errors()) this.inc({ store, kind }, count);
    },
  });
  new Gauge({
    name: 'chat_storage_held', help: 'History lines or grace rows held in memory for a retry because writes fail (bounded)',
    labelNames: ['store'], registers,
    collect() {
      this.reset();
      for (const [store, n] of health.held()) this.set({ store }, n);
    },
  });
  new Counter({
    name: 'chat_storage_dropped_total', help: 'History lines, grace rows and metric ticks given up on because writes kept failing',
    labelNames: ['store'], registers,
    collect() {
      this.reset();
      for (const [store, n] of health.droppedCounts()) this.inc({ store }, n);
    },
  });
}
