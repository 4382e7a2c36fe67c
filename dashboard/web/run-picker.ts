import { paths, type ErrorResponse, type RunInfo, type RunsResponse } from '../../protocol/dashboard-frames.js';

/** A run's short name: its label, or its id when it has none. User input: set it as text, never HTML. */
export function runName(run: RunInfo): string {
  return run.label.trim() === '' ? run.id : run.label;
}

/** How a run is named in the picker: its label (text, never HTML), start time and state. */
export function runTitle(run: RunInfo): string {
  const when = new Date(run.start).toLocaleString();
  return `${runName(run)} — ${when} (${run.status}, ${run.ticks} ticks)`;
}

/** Fills a run `<select>` (replay, baseline) from `/api/runs` after its first option, keeping the current choice. */
export async function refreshRunPicker(select: HTMLSelectElement): Promise<RunInfo[]> {
  const res = await fetch(paths.runs);
  const body = (await res.json()) as RunsResponse | ErrorResponse;
  if (body.type === 'error') throw new Error(body.error);
  const keep = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const run of body.runs) {
    const opt = document.createElement('option');
    opt.value = run.id;
    opt.textContent = runTitle(run);
    select.appendChild(opt);
  }
  if (body.runs.some((r) => r.id === keep)) select.value = keep;
  return body.runs;
}
