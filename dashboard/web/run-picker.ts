import { paths, type ErrorResponse, type RunInfo, type RunsResponse } from '../../protocol/dashboard-frames.js';

/** How a run is named in the picker: its label (text, never HTML), start time and state. */
export function runTitle(run: RunInfo): string {
  const when = new Date(run.start).toLocaleString();
  const label = run.label.trim() === '' ? run.id : run.label;
  return `${label} — ${when} (${run.status}, ${run.ticks} ticks)`;
}

/** Fills the replay `<select>` from `/api/runs`, keeping the current choice. */
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
