/**
 * "Did you mean …?" for a mistyped flag or command: the nearest known name, or nothing when none is
 * close. Close means a Damerau–Levenshtein distance (optimal string alignment: a swapped pair of
 * letters counts once) of at most 2 — at most 1 for names of four letters or fewer, where two edits
 * already turn `seed` into `send` — or a typed prefix of at least three letters that starts exactly one
 * known name and stops inside a word: `--minu` means `--minutes`, but `--no-metrics` (which the demo
 * does not take) is not a short `--no-metrics-public`.
 */

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** The known name nearest `typed`, or undefined when none is close; ties go to the earlier name. */
export function didYouMean(typed: string, known: readonly string[]): string | undefined {
  // Longer input is not a typo of any name we have; it also bounds the work at 64 × 64 cells a name.
  if (typed.length === 0 || typed.length > 64) return undefined;
  const lower = typed.toLowerCase();
  const limit = lower.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of known) {
    const d = editDistance(lower, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  const starting = lower.length >= 3 ? known.filter((name) => name.startsWith(lower) && name.length > lower.length && name[lower.length] !== '-') : [];
  return starting.length === 1 ? starting[0] : undefined;
}
