import type { Knex } from 'knex';
import { isUuid } from '../../platform/ids.js';
import { userColumnName, userTableName } from '../../store/user-tables/names.js';
import { quoteIdent } from '../../store/user-tables/verbatim.js';
import type { TableView } from '../tables/metadata.js';
import { cellDescriptorsSql } from './attachment-cell-sql.js';
import type { Renames } from './attachment-copies.js';

/**
 * Attachment cells of copies (duplicated bases, templates): which files the source's cells name,
 * and the same cells naming the copies instead. A file that was not copied (it no longer
 * exists) is left out of the copy's cell, so a copy names only files of its own table.
 */

/** The distinct attachment ids the cells of `table`'s attachment columns name, in PostgreSQL. */
export async function attachmentIdsInTable(db: Knex, schema: string, table: TableView): Promise<string[]> {
  const columns = table.columns.filter((c) => c.type === 'attachment').map((c) => userColumnName(c.id));
  if (columns.length === 0) return [];
  const source = `${quoteIdent(schema)}.${quoteIdent(userTableName(table.id))}`;
  const selects = columns.map(
    (c) => `SELECT e ->> 'id' AS id FROM ${source} r, ${cellDescriptorsSql(`r.${quoteIdent(c)}`)} e`,
  );
  const result = (await db.raw(selects.join(' UNION '))) as { rows: { id: string | null }[] };
  return result.rows.flatMap((r) => (r.id ? [r.id] : []));
}

/**
 * SQL for cell `column` (quoted) with every descriptor renamed by the jsonb object `renames`
 * (a `$n` parameter, old id → new id), in order; descriptors it does not name are dropped.
 */
export function renamedCellSql(column: string, renames: string): string {
  return `CASE WHEN jsonb_typeof(${column}) = 'array' THEN (
    SELECT COALESCE(jsonb_agg(jsonb_set(x.e, '{id}', to_jsonb(${renames}::jsonb ->> (x.e ->> 'id'))) ORDER BY x.n), '[]'::jsonb)
    FROM jsonb_array_elements(${column}) WITH ORDINALITY AS x(e, n)
    WHERE ${renames}::jsonb ->> (x.e ->> 'id') IS NOT NULL) ELSE ${column} END`;
}

/** `renames` as the jsonb parameter renamedCellSql reads. */
export const renamesParameter = (renames: Renames): string => JSON.stringify(Object.fromEntries(renames));

/** The attachment ids cells `columns` (by name) of rows held in memory name. */
export function attachmentIdsInRows(
  rows: readonly Record<string, unknown>[],
  columns: readonly string[],
): string[] {
  return rows.flatMap((row) =>
    columns.flatMap((name) => descriptorsIn(row[name]).flatMap((d) => (isUuid(idOf(d)) ? [idOf(d)] : []))),
  );
}

/** The rows with cells `columns` renamed as renamedCellSql does. */
export function renameCellsInRows<T extends Record<string, unknown>>(
  rows: readonly T[],
  columns: readonly string[],
  renames: Renames,
): T[] {
  return rows.map((row) => {
    const renamed: Record<string, unknown> = { ...row };
    for (const name of columns) {
      if (!Array.isArray(row[name])) continue;
      renamed[name] = descriptorsIn(row[name]).flatMap((d) => {
        const id = renames.get(idOf(d));
        return id === undefined ? [] : [{ ...d, id }];
      });
    }
    return renamed as T;
  });
}

function descriptorsIn(cell: unknown): Record<string, unknown>[] {
  return Array.isArray(cell)
    ? cell.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
    : [];
}

const idOf = (descriptor: Record<string, unknown>): string => String(descriptor.id).toLowerCase();
