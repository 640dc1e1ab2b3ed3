import { ConflictError, ValidationError } from '../../platform/errors.js';
import {
  isCheckViolation,
  isUniqueViolation,
  isUnstorableText,
  violatedConstraint,
} from '../../store/pg-errors.js';
import { patternCheckName, uniqueIndexName } from '../../store/user-tables/names.js';
import type { TableView } from '../tables/metadata.js';

/** Database refusals of a row write as the caller's problem (409 or 422), naming the column. */
export function rowWriteError(error: unknown, table: TableView): unknown {
  const constraint = violatedConstraint(error);
  if (isUniqueViolation(error)) {
    const column = table.columns.find((c) => uniqueIndexName(c.id) === constraint);
    return new ConflictError(
      column ? `Another row already has this value in "${column.name}"` : 'A unique value is already taken',
      'unique_violation',
    );
  }
  if (isCheckViolation(error)) {
    const column = table.columns.find((c) => patternCheckName(c.id) === constraint);
    return new ValidationError(
      'a value does not match its column pattern',
      [{ path: `fields.${column?.name ?? '?'}`, message: 'does not match the pattern' }],
      'pattern_mismatch',
    );
  }
  if (isUnstorableText(error))
    return new ValidationError('text contains a character PostgreSQL cannot store (NUL)', [
      { path: 'fields', message: 'contains a NUL character' },
    ]);
  return error;
}
