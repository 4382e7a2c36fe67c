/**
 * A run's CSV files opened in the page (the "open CSV…" button or a drop anywhere on it): read here
 * with `File.text()` and rebuilt into Snapshots by protocol/run-csv.ts. Nothing is sent to the server.
 */
import { MAX_CSV_BYTES, runFromCsvFiles } from '../../protocol/csv-files.js';
import type { CsvRun } from '../../protocol/run-csv.js';

export interface CsvOpenOptions {
  button: HTMLButtonElement;
  input: HTMLInputElement;
  /** Receives drops (the whole page). */
  dropZone: HTMLElement | Document;
  onRun: (run: CsvRun) => void;
  /** One line: what is wrong with which file. */
  onError: (message: string) => void;
}

/** Rebuilds the run of `files` (rooms.csv and/or totals.csv, any names); each checked against the size limit before it is read. */
export async function readCsvFiles(files: readonly File[]): Promise<CsvRun> {
  const big = files.find((f) => f.size > MAX_CSV_BYTES);
  if (big !== undefined) throw new Error(`${big.name}: too big (${Math.round(big.size / 1048576)} MB): the limit is ${MAX_CSV_BYTES / 1048576} MB`);
  const texts = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
  return runFromCsvFiles(texts);
}

export function wireCsvOpen(o: CsvOpenOptions): void {
  const open = (files: readonly File[]) => {
    readCsvFiles(files).then(o.onRun, (err: unknown) => o.onError(oneLine(err)));
  };
  o.button.addEventListener('click', () => o.input.click());
  o.input.addEventListener('change', () => {
    const files = [...(o.input.files ?? [])];
    // Cleared, so that opening the same file again (after editing it) fires `change` again.
    o.input.value = '';
    if (files.length > 0) open(files);
  });
  const hasFiles = (e: DragEvent) => e.dataTransfer !== null && [...e.dataTransfer.types].includes('Files');
  o.dropZone.addEventListener('dragover', (e) => {
    if (hasFiles(e as DragEvent)) e.preventDefault();
  });
  o.dropZone.addEventListener('drop', (e) => {
    const files = [...((e as DragEvent).dataTransfer?.files ?? [])];
    if (files.length === 0) return;
    // Without this the browser would navigate to the dropped file.
    e.preventDefault();
    open(files);
  });
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*[\r\n]+\s*/g, ' ').slice(0, 300);
}
