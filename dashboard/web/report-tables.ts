/**
 * Tables of the static report pages, built with textContent only: room names, labels, targets and
 * error kinds are user input. A figure cell carries its raw value in `data-value` (the text is
 * formatted for people), so a test or a script can read the exact number.
 */
export type Cell = string | number | null | { text: string; value?: number | null; cls?: string; id?: string };

const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** A number for people: `12,345.679`; null/undefined is "—" (the source does not say). */
export function num(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : Number.isFinite(v) ? fmt.format(v) : String(v);
}

/** A figure cell with its id (`fig-…`) and exact value. */
export function fig(v: number | null | undefined, id?: string, suffix = ''): Cell {
  return { text: v === null || v === undefined ? '—' : `${num(v)}${suffix}`, value: v ?? null, cls: 'n', ...(id ? { id } : {}) };
}

export function fillTable(table: HTMLTableElement, rows: readonly (readonly Cell[])[], header?: readonly string[]): void {
  table.replaceChildren();
  if (header) {
    const tr = table.createTHead().insertRow();
    for (const h of header) {
      const th = document.createElement('th');
      th.textContent = h;
      tr.appendChild(th);
    }
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    row.forEach((cell, i) => {
      const td = document.createElement(i === 0 && header === undefined ? 'th' : 'td');
      if (cell !== null && typeof cell === 'object') {
        td.textContent = cell.text;
        if (cell.cls) td.className = cell.cls;
        if (cell.id) td.id = cell.id;
        if (cell.value !== undefined) td.dataset.value = cell.value === null ? '' : String(cell.value);
      } else if (typeof cell === 'number') {
        td.textContent = num(cell);
        td.className = 'n';
        td.dataset.value = String(cell);
      } else {
        td.textContent = cell ?? '—';
      }
      tr.appendChild(td);
    });
  }
}

/** A config value as one line of text (objects as JSON). */
export function configText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}
