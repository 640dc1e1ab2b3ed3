import { encodeKeysetCursor } from '../keyset-cursor.js';
import type { QueryResult } from '../lqp.js';
import { setOwn } from '../../platform/own-property.js';
import { cursorValue, normalizerFor } from './normalize.js';
import type { StatementPlan } from './statement.compiler.js';

type Row = Record<string, unknown>;

/** Turns the rows a compiled statement fetched into the page the API returns. */
export type PageReader = (fetched: readonly Row[]) => QueryResult;

/**
 * Built once per compiled statement: the statement fetches limit + 1 rows (the extra row only
 * says whether another page exists); rows are re-keyed from the compiler's aliases to output
 * names with each column's normalizer chosen up front; `nextCursor` is set in keyset mode when
 * more rows follow, `hasMore` in both modes.
 */
export function pageReader(plan: StatementPlan): PageReader {
  const names = plan.outputs.map((o) => o.name);
  const aliases = plan.outputs.map((o) => o.alias);
  const normalizers = plan.outputs.map((o) => normalizerFor(o.type));
  const width = names.length;
  // A column named `__proto__` must become an own property, not the row's prototype.
  const set = names.includes('__proto__') ? setOwn : assign;
  const shape = (raw: Row): Row => {
    const row: Row = {};
    for (let i = 0; i < width; i++) {
      const value = raw[aliases[i] as string];
      set(row, names[i] as string, value === null || value === undefined ? null : normalizers[i]!(value));
    }
    return row;
  };
  const nextCursor = (last: Row): string | null =>
    plan.cursorKeys.length === 0
      ? null
      : encodeKeysetCursor(
          plan.fingerprint,
          plan.cursorKeys.map((k) => cursorValue(k.type, last[k.alias])),
        );
  return (fetched) => {
    const hasMore = fetched.length > plan.limit;
    const count = hasMore ? plan.limit : fetched.length;
    const rows = new Array<Row>(count);
    for (let i = 0; i < count; i++) rows[i] = shape(fetched[i] as Row);
    const last = fetched[count - 1];
    return { rows, nextCursor: hasMore && last ? nextCursor(last) : null, hasMore };
  };
}

function assign(row: Row, key: string, value: unknown): void {
  row[key] = value;
}
