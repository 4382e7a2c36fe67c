/**
 * Run ids sort by time and name a folder: `2026-11-22T14-03-05Z-demo`. The label is user text, so
 * anything outside letters, digits and `_.-` becomes `_` in the id (the label itself is kept as
 * given in the runs table).
 */
export function formatRunId(startMs: number, label: string): string {
  const stamp = new Date(startMs).toISOString().slice(0, 19).replaceAll(':', '-');
  return `${stamp}Z-${safeLabel(label)}`;
}

export function safeLabel(label: string): string {
  const safe = label.replace(/[^\p{L}\p{N}_.-]+/gu, '_').slice(0, 64);
  return /^[._]*$/.test(safe) ? 'run' : safe;
}

/** The same shape `formatRunId` makes (possibly with a `-2` suffix): checked before a run id becomes a path. */
export function isRunId(id: string): boolean {
  return /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-[\p{L}\p{N}_.-]{1,80}$/u.test(id) && !id.includes('..');
}
