import { ConflictError, ValidationError } from '../../platform/errors.js';
import { checkFormulas } from './formula-check.js';
import type { Metadata, TableView } from './metadata.js';

/**
 * A column may leave a table only when the formulas of the columns that stay still type-check
 * without it: 409 `column_in_use` otherwise. `remaining` is the table without the column.
 */
export async function assertColumnUnused(meta: Metadata, remaining: TableView): Promise<void> {
  try {
    await checkFormulas(meta, remaining, () => 'body');
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ConflictError('Formula columns refer to this column; change them first', 'column_in_use');
    throw error;
  }
}
