import type { Knex } from 'knex';
import { uniqueIndexName, userColumnName, userTableName } from './names.js';

/**
 * A deleted column keeps its data under `d_<id>` until the purge job drops it, so reverting the
 * deletion restores the values (O(1) renames both ways). Its unique index goes; NULLs in new
 * rows satisfy any CHECK it had.
 */
export const trashedColumnName = (columnId: string): string => `d_${userColumnName(columnId).slice(2)}`;

export async function trashUserColumn(
  trx: Knex.Transaction,
  schema: string,
  tableId: string,
  columnId: string,
): Promise<void> {
  await trx.raw('DROP INDEX IF EXISTS ??.??', [schema, uniqueIndexName(columnId)]);
  await trx.raw('ALTER TABLE ??.?? RENAME COLUMN ?? TO ??', [
    schema,
    userTableName(tableId),
    userColumnName(columnId),
    trashedColumnName(columnId),
  ]);
}

export async function restoreUserColumn(
  trx: Knex.Transaction,
  schema: string,
  tableId: string,
  columnId: string,
): Promise<void> {
  await trx.raw('ALTER TABLE ??.?? RENAME COLUMN ?? TO ??', [
    schema,
    userTableName(tableId),
    trashedColumnName(columnId),
    userColumnName(columnId),
  ]);
}
