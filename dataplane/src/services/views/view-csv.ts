import { Readable } from 'node:stream';
import type { ViewRow } from './view-queries.js';

/** Characters that make a spreadsheet read a cell as a formula (and tab / CR, which some strip first). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV cell (RFC 4180): text that a spreadsheet would run as a formula is prefixed with `'`
 * (numbers are numbers and stay as they are), and a cell holding a quote, a comma or a line
 * break is quoted with its quotes doubled. null is empty; arrays and objects are JSON.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${value}` : value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else {
    const json = JSON.stringify(value);
    text = FORMULA_START.test(json) ? `'${json}` : json;
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/**
 * A CSV document streamed page by page: the header row, then each page's rows as `next` reads
 * them, so a large view is never held in memory. `first` is read before the stream is handed
 * out, so a refused request fails before any byte is sent.
 */
export function csvStream(
  columns: readonly string[],
  first: { data: ViewRow[]; nextCursor: string | null },
  next: (cursor: string) => Promise<{ data: ViewRow[]; nextCursor: string | null }>,
): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(columns);
    let page = first;
    for (;;) {
      let chunk = '';
      for (const row of page.data) chunk += csvLine(columns.map((c) => row.fields[c]));
      if (chunk) yield chunk;
      if (!page.nextCursor) return;
      page = await next(page.nextCursor);
    }
  }
  return Readable.from(lines(), { objectMode: false });
}
