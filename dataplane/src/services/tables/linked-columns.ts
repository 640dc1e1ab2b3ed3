import type { Knex } from 'knex';
import { ValidationError, type FieldProblem } from '../../platform/errors.js';
import { createLinkTable } from '../../store/user-tables/links.js';
import type { Column } from './column.js';
import { isStoredType } from './column-types.js';
import type { Metadata } from './metadata.js';
import { type TableView } from './metadata.js';

const NUMERIC: ReadonlySet<Column['type']> = new Set(['integer', 'decimal', 'autoNumber']);

/**
 * Checks link, lookup and rollup columns against the workspace as it is inside the transaction:
 * a link names a table of the workspace; a lookup or rollup names a link column of the same table
 * and a stored field of the linked table (sum and avg need a number field).
 */
export async function checkLinkedColumns(
  meta: Metadata,
  table: TableView,
  columns: readonly Column[],
  pathOf: (column: Column) => string,
): Promise<void> {
  const problems: FieldProblem[] = [];
  for (const column of columns) {
    if (column.type === 'link') {
      if (!(await meta.findTable(column.options.tableId as string, { archived: true })))
        problems.push({
          path: `${pathOf(column)}.options.tableId`,
          message: 'is not a table of this workspace',
        });
      continue;
    }
    if (column.type !== 'lookup' && column.type !== 'rollup') continue;
    const link = table.columns.find((c) => c.id === column.options.link);
    if (!link || link.type !== 'link') {
      problems.push({
        path: `${pathOf(column)}.options.link`,
        message: 'is not a link column of this table',
      });
      continue;
    }
    const target = await meta.findTable(link.options.tableId as string, { archived: true });
    const field = target?.columns.find(
      (c) => c.id === column.options.field || c.name === column.options.field,
    );
    if (!field || !isStoredType(field.type))
      problems.push({
        path: `${pathOf(column)}.options.field`,
        message: 'is not a stored column of the linked table',
      });
    else if (
      column.type === 'rollup' &&
      ['sum', 'avg'].includes(column.options.aggregate ?? '') &&
      !NUMERIC.has(field.type)
    )
      problems.push({
        path: `${pathOf(column)}.options.aggregate`,
        message: `${column.options.aggregate} needs a number field`,
      });
  }
  if (problems.length > 0) throw new ValidationError('invalid linked columns', problems);
}

/** The junction a new link column needs (after both tables exist). */
export async function createLinkStorage(
  trx: Knex.Transaction,
  schema: string,
  column: Column,
): Promise<void> {
  if (column.type === 'link')
    await createLinkTable(trx, schema, column.id, column.tableId, column.options.tableId as string);
}
