/**
 * A strict RFC 4180 reader for the CSV files chatpulse writes (and for anything someone drops on the
 * dashboard instead): UTF-8 BOM skipped, CRLF or LF records, quoted cells with `""` escapes and line
 * breaks inside. No Node imports: the browser bundle reads files with it.
 */

export class CsvReadError extends Error {
  readonly code = 'CHATPULSE_CSV';
}

export interface CsvTable {
  header: string[];
  /** Cells of each record after the header. */
  rows: string[][];
  /** The 1-based line of the file on which each row starts (a quoted cell may span lines). */
  lines: number[];
}

export interface CsvReadOptions {
  /** Named in every error message. */
  file: string;
  /** Records after the header, at most. @default 1_000_000 */
  maxRows?: number;
}

/**
 * Reads `text` whole. Every problem is one `CsvReadError` naming the file and line: a quote inside an
 * unquoted cell, text after a closing quote, an unclosed quote, a record with more or fewer cells than
 * the header, more than `maxRows` records.
 */
export function readCsv(text: string, options: CsvReadOptions): CsvTable {
  const { file } = options;
  const maxRows = options.maxRows ?? 1_000_000;
  const fail = (line: number, why: string): never => {
    throw new CsvReadError(`${file} line ${line}: ${why}`);
  };
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const records: string[][] = [];
  const lines: number[] = [];
  let line = 1;
  while (i < n) {
    const startLine = line;
    const record: string[] = [];
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) fail(quoteLine, 'a quoted cell is never closed (a `"` is missing)');
          const q = text.indexOf('"', i);
          if (q === -1) fail(quoteLine, 'a quoted cell is never closed (a `"` is missing)');
          const part = text.slice(i, q);
          for (let k = part.indexOf('\n'); k !== -1; k = part.indexOf('\n', k + 1)) line++;
          cell += part;
          if (text[q + 1] === '"') {
            cell += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        const c = text[i];
        if (i < n && c !== ',' && c !== '\n' && c !== '\r') fail(line, `text after a closing quote (${JSON.stringify(text.slice(i, i + 10))})`);
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break; // , \n \r
          if (c === 34) fail(line, 'a `"` inside an unquoted cell (quote the whole cell and double the `"`)');
          j++;
        }
        cell = text.slice(i, j);
        i = j;
      }
      record.push(cell);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') {
        if (text[i + 1] !== '\n') fail(line, 'a carriage return that ends no line (CR without LF)');
        i += 2;
        line++;
      } else if (text[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    if (records.length > maxRows) fail(startLine, `more than ${maxRows.toLocaleString('en-US')} rows: the limit is ${maxRows.toLocaleString('en-US')}`);
    records.push(record);
    lines.push(startLine);
  }
  const header = records.shift();
  lines.shift();
  if (header === undefined || (header.length === 1 && header[0] === '')) throw new CsvReadError(`${file}: the file is empty (no header row)`);
  records.forEach((r, k) => {
    if (r.length !== header.length) fail(lines[k] ?? 0, `${r.length} cell${r.length === 1 ? '' : 's'}, the header has ${header.length}`);
  });
  return { header, rows: records, lines };
}

/**
 * Undoes the writer's formula guard (csv-stringify `escape_formulas`): it puts `'` before a text cell
 * starting with `=`, `+`, `-`, `@`, tab, CR or their full-width forms. Lossy by nature: a name that
 * itself starts with `'` and one of those comes back without its `'`.
 */
export function unguardCell(cell: string): string {
  return cell.length > 1 && cell[0] === "'" && GUARDED.has(cell[1] as string) ? cell.slice(1) : cell;
}

const GUARDED = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);
