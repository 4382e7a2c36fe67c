import type { Snapshot } from '../../protocol/snapshot.js';
import { paths, type ErrorResponse, type RunInfo, type SamplesResponse } from '../../protocol/dashboard-frames.js';

/**
 * A stored run and its ticks from `GET /api/runs/:id/samples`, page after page (the server answers
 * 2000 ticks at a time), oldest first, at most `maxTicks` of them. Used by the replay and the baseline.
 */
export async function loadRunSamples(runId: string, maxTicks: number): Promise<{ run: RunInfo; snapshots: Snapshot[] }> {
  const snaps: Snapshot[] = [];
  let from: number | null = null;
  for (;;) {
    const url: string = `${paths.samples(runId)}${from === null ? '' : `?from=${from}`}`;
    const res = await fetch(url);
    const body = (await res.json()) as SamplesResponse | ErrorResponse;
    if (body.type === 'error') throw new Error(body.error);
    snaps.push(...body.snapshots);
    const last = body.snapshots[body.snapshots.length - 1];
    if (!body.truncated || last === undefined || snaps.length >= maxTicks) return { run: body.run, snapshots: snaps };
    from = last.time + 1;
  }
}
