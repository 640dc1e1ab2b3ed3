import { ValidationError } from '../../platform/errors.js';
import { setOwn } from '../../platform/own-property.js';
import { isWritableType } from '../tables/column-types.js';
import type { TableView } from '../tables/metadata.js';
import { encodeFields, type EncodedFields, type FieldsInput } from '../rows/row-values.js';
import type { AuditRow } from './audit-entry.js';

/** A row as its audit entries record it: stored values by column id (rows/row-view.ts auditState). */
export interface RowState {
  version?: number;
  fields: Record<string, unknown>;
}

/** A column of the recorded state a revert leaves alone, and why. */
export interface SkippedColumn {
  columnId: string;
  reason: 'column_deleted' | 'read_only';
  /** In a batch: the entry whose undo deletes the column before this change is applied. */
  deletedBy?: string;
}

/** Recorded fields the table can take now: the write's input (by column id) and its encoding. */
export interface FittedFields {
  input: FieldsInput;
  encoded: EncodedFields;
  skipped: SkippedColumn[];
}

export const ROW_ACTIONS: readonly string[] = ['row.create', 'row.update', 'row.delete'];

export const isRowEntry = (entry: AuditRow): boolean =>
  entry.resource_type === 'row' && ROW_ACTIONS.includes(entry.action);

/**
 * Row entries a column type change wrote for the cells it cleared: consequences of a schema
 * change, not anyone's edit, so a batch undo of someone's edits leaves them out.
 */
export const isSchemaConsequence = (entry: AuditRow): boolean =>
  typeof entry.after === 'object' && entry.after !== null && 'reason' in entry.after;

/** The state "as of" an entry: after a create or an update, before a delete (what it removed). */
export function stateAt(entry: AuditRow): RowState {
  return recordedState(entry, entry.action === 'row.delete' ? entry.before : entry.after);
}

/** The state before an entry's change, what undoing it restores; null: the row did not exist. */
export function stateBefore(entry: AuditRow): RowState | null {
  return entry.action === 'row.create' ? null : recordedState(entry, entry.before);
}

function recordedState(entry: AuditRow, value: unknown): RowState {
  const state = value as Partial<RowState> | null;
  if (!isRowEntry(entry) || typeof state?.fields !== 'object' || state.fields === null)
    throw new ValidationError(
      `audit entry ${entry.id} (${entry.action}) records no row state to go back to`,
      [{ path: 'auditLogId', message: 'is not a row change that can be reverted' }],
      'not_revertable',
    );
  return { ...(typeof state.version === 'number' ? { version: state.version } : {}), fields: state.fields };
}

/**
 * Which recorded values the table can take now. Columns deleted since, and read-only ones
 * (autoNumber), are skipped and reported; values that no longer fit their column (its type or
 * rules changed) are a 422 naming each column. `create` also applies defaults and requires
 * required columns, as a new row would.
 */
export function fitFields(
  table: TableView,
  fields: Record<string, unknown>,
  mode: 'create' | 'patch',
): FittedFields {
  const byId = new Map(table.columns.map((c) => [c.id, c]));
  const input: FieldsInput = {};
  const skipped: SkippedColumn[] = [];
  for (const [columnId, value] of Object.entries(fields)) {
    const column = byId.get(columnId);
    if (!column) skipped.push({ columnId, reason: 'column_deleted' });
    else if (!isWritableType(column.type)) skipped.push({ columnId, reason: 'read_only' });
    else setOwn(input, columnId, value);
  }
  const encoded = encodeFields(table, input, mode, (key) => byId.get(key));
  if (!encoded.ok) {
    const name = (key: string): string => byId.get(key)?.name ?? key;
    throw new ValidationError(
      `${encoded.problems.length} recorded value(s) no longer fit their columns: ${[
        ...new Set(encoded.problems.map((p) => `"${name(p.field)}"`)),
      ].join(', ')}`,
      encoded.problems.map((p) => ({
        path: `fields.${name(p.field)}`,
        message: p.detail,
        code: p.code,
        detail: p.detail,
      })),
      'revert_value_invalid',
    );
  }
  return { input, encoded: encoded.fields, skipped };
}
