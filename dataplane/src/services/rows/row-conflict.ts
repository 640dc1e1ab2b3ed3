import { VersionConflictError, type ConflictSides } from '../../platform/errors.js';
import type { TableView } from '../tables/metadata.js';
import type { FieldsInput } from './row-values.js';
import type { FieldKey, RowView } from './row-view.js';

/**
 * A row write that lost a race, as a client resolves it (ADR 0021): the row as it is now
 * (`theirs`, as the rows API shows it), the fields the write tried to set (`mine`, as sent), the
 * version it was based on and the fields changed by both. The 409 `version_conflict` of a row
 * write carries it; realtime sends it as its `conflict` event.
 */
export interface RowConflict extends ConflictSides<RowView> {
  tableId: string;
  rowId: string;
}

/** The conflict of a refused row write, or undefined for any other error. */
export function rowConflictOf(
  error: unknown,
  target: { tableId: string; rowId: string },
): RowConflict | undefined {
  if (!(error instanceof VersionConflictError) || !error.sides) return undefined;
  const { theirs, mine, baseVersion, conflictingFields } = error.sides as ConflictSides<RowView>;
  return { ...target, theirs, mine, baseVersion, conflictingFields };
}

/**
 * The 409 of a row write based on `baseVersion`: `current` stays what it was (the stored row),
 * `theirs` is the row as a read shows it (formulas, the request's field keys).
 */
export function rowVersionConflict(
  current: RowView,
  theirs: RowView,
  write: { mine: FieldsInput; baseVersion: number; conflictingFields: string[] },
): VersionConflictError<RowView> {
  const named = write.conflictingFields.slice(0, 5).map((f) => `"${f.slice(0, 100)}"`);
  if (write.conflictingFields.length > 5) named.push(`${write.conflictingFields.length - 5} more`);
  const clash = named.length ? ` (changed by both: ${named.join(', ')})` : '';
  return new VersionConflictError(
    `The row changed since version ${write.baseVersion}; it is at version ${current.version}${clash}`,
    current,
    { theirs, mine: write.mine, baseVersion: write.baseVersion, conflictingFields: write.conflictingFields },
  );
}

/** Column ids as the request keys fields: by name, or by id. */
export function fieldKeysOf(table: TableView, columnIds: readonly string[], fieldKey: FieldKey): string[] {
  if (fieldKey === 'id') return [...columnIds];
  const names = new Map(table.columns.map((c) => [c.id, c.name]));
  return columnIds.map((id) => names.get(id) ?? id);
}
