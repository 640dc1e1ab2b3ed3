import type { Knex } from 'knex';
import { userColumnName, userTableName } from '../../store/user-tables/names.js';
import { quoteIdent, runVerbatim } from '../../store/user-tables/verbatim.js';
import type { Renames } from '../attachments/attachment-copies.js';
import { renamedCellSql, renamesParameter } from '../attachments/copied-cells.js';
import type { Column } from '../tables/column.js';
import { isStoredType } from '../tables/column-types.js';
import type { TableView } from '../tables/metadata.js';

/** Each column of `from` with the column of its copy `to` (copies keep the column order). */
export function columnPairs(from: TableView, to: TableView): (readonly [Column, Column])[] {
  return from.columns
    .map((c, i) => [c, to.columns[i]] as const)
    .filter((p): p is readonly [Column, Column] => p[1] !== undefined);
}

/**
 * Copies every row of `from` into `to` inside PostgreSQL (INSERT … SELECT, new row ids), column
 * by column position; attachment cells name the files' copies (`renames`), and autoNumber
 * sequences continue after the copied values.
 */
export async function copyRows(
  trx: Knex.Transaction,
  schema: string,
  from: TableView,
  to: TableView,
  renames: Renames,
): Promise<number> {
  const pairs = columnPairs(from, to).filter(([c]) => isStoredType(c.type));
  const target = `${quoteIdent(schema)}.${quoteIdent(userTableName(to.id))}`;
  const source = `${quoteIdent(schema)}.${quoteIdent(userTableName(from.id))}`;
  const system = 'created_at, updated_at, created_by, updated_by';
  const into = [system, ...pairs.map(([, c]) => quoteIdent(userColumnName(c.id)))].join(', ');
  const valueOf = (c: Column): string => {
    const column = quoteIdent(userColumnName(c.id));
    return c.type === 'attachment' ? renamedCellSql(column, '$1') : column;
  };
  const select = [system, ...pairs.map(([c]) => valueOf(c))].join(', ');
  const inserted = await runVerbatim(
    trx,
    `WITH copied AS (INSERT INTO ${target} (id, ${into}) SELECT gen_random_uuid(), ${select} FROM ${source} RETURNING 1) SELECT count(*)::int AS n FROM copied`,
    // $1 is bound only where a statement reads it (PostgreSQL refuses unused parameters).
    pairs.some(([c]) => c.type === 'attachment') ? [renamesParameter(renames)] : [],
  );
  for (const [, c] of pairs.filter(([c]) => c.type === 'autoNumber')) {
    const column = userColumnName(c.id);
    await runVerbatim(
      trx,
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quoteIdent(column)}) FROM ${target}), 0) + 1, false)`,
      [`${quoteIdent(schema)}.${quoteIdent(userTableName(to.id))}`, column],
    );
  }
  return Number(inserted[0]?.n ?? 0);
}
