import type { Knex } from 'knex';
import { ConflictError } from '../../platform/errors.js';
import { userTableName } from '../../store/user-tables/names.js';
import { trashedColumnName } from '../../store/user-tables/trash.js';
import type { Column } from './column.js';
import { physicalColumnOf } from './column-spec.js';

/**
 * A deleted column can come back only while its data is kept under `d_<id>` (trash-purge.ts
 * drops it once the audit retention has passed): 409 `data_purged` otherwise. Columns without
 * a physical column (formulas, links, lookups) have no data to keep.
 */
export async function assertDataKept(
  db: Knex,
  schema: string,
  tableId: string,
  column: Column,
): Promise<void> {
  if (!physicalColumnOf(column)) return;
  const kept = await db('information_schema.columns')
    .where({
      table_schema: schema,
      table_name: userTableName(tableId),
      column_name: trashedColumnName(column.id),
    })
    .first('column_name');
  if (!kept)
    throw new ConflictError("The column's data has been purged; it cannot be restored", 'data_purged');
}
