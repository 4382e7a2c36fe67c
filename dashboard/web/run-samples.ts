import type { Snapshot } from '../../protocol/snapshot.js';
import { paths, type ErrorResponse, type RunInfo, type SamplesResponse } from '../../protocol/dashboard-frames.js';

/**
 * A stored run and its ticks from `GET /api/runs/:id/samples`, page after page (the server answers
 * 2000 ticks at a time), oldest first. A run of more than `maxTicks` ticks is read thinned — every n-th
 * tick and its last (`every`), so that it still spans the whole run; each tick's running totals stay
 * exact. Used by the replay and the baseline.
 */
export async function loadRunSamples(runId: string, maxTicks: number): Promise<{ run: RunInfo; snapshots: Snapshot[]; every: number }> {
  let every = 1;
  let snaps: Snapshot[] = [];
  let from: number | null = null;
  for (;;) {
    const query = [from === null ? '' : `from=${from}`, every === 1 ? '' : `every=${every}`].filter((q) => q !== '').join('&');
    const res = await fetch(`${paths.samples(runId)}${query === '' ? '' : `?${query}`}`);
    const body = (await res.json()) as SamplesResponse | ErrorResponse;
    if (body.type === 'error') throw new Error(body.error);
    if (every === 1 && body.run.ticks > maxTicks) {
      // Known from the first page: start again, thinned.
      every = Math.ceil(body.run.ticks / maxTicks);
      snaps = [];
      from = null;
      continue;
    }
    snaps.push(...body.snapshots);
    const last = body.snapshots[body.snapshots.length - 1];
    if (!body.truncated || last === undefined) return { run: body.run, snapshots: snaps, every };
    from = last.time + 1;
  }
}

/** Every `every`-th of `items` from the first, and the last: what the server sends for `?every=`. */
export function thinned<T>(items: readonly T[], every: number): T[] {
  if (every <= 1) return items.slice();
  const out = items.filter((_, i) => i % every === 0);
  const last = items[items.length - 1];
  if (last !== undefined && (items.length - 1) % every !== 0) out.push(last);
  return out;
}
