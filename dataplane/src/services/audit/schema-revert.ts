import { ConflictError, ValidationError } from '../../platform/errors.js';
import type { Column } from '../tables/column.js';
import { assertColumnUnused } from '../tables/column-in-use.js';
import { columnFromSpec, type ColumnSpec } from '../tables/column-spec.js';
import { ColumnsService } from '../tables/columns.service.js';
import { checkFormulas } from '../tables/formula-check.js';
import { Metadata, type TableSettings, type TableView } from '../tables/metadata.js';
import { assertDistinctNames, TablesService } from '../tables/tables.service.js';
import type { UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { AuditRow } from './audit-entry.js';
import { joinedRunner } from './joined-runner.js';

/** Schema entries a revert can undo, and the change that undoes each. */
export const SCHEMA_REVERTS: Readonly<Record<string, string>> = {
  'column.add': 'column.delete',
  'column.restore': 'column.delete',
  'column.delete': 'column.restore',
  'column.update': 'column.update',
  'table.update': 'table.update',
};

export const isSchemaEntry = (entry: AuditRow): boolean =>
  (entry.resource_type === 'column' || entry.resource_type === 'table') &&
  Object.hasOwn(SCHEMA_REVERTS, entry.action);

export interface SchemaRevertOptions {
  /** A retype back clears the cells that would not convert instead of refusing (422). */
  clearInvalid?: boolean;
}

/** What a table update records and its revert restores. */
export interface TableDetails {
  name: string;
  description: string | null;
  settings: TableSettings;
}

/** The change that undoes one schema entry: the column or table as it is, and as it becomes. */
export type SchemaUndo =
  | { action: 'column.delete'; resourceType: 'column'; from: Column; to: null }
  | { action: 'column.restore'; resourceType: 'column'; from: null; to: Column }
  | { action: 'column.update'; resourceType: 'column'; from: Column; to: Column }
  | { action: 'table.update'; resourceType: 'table'; from: TableDetails; to: TableDetails };

/**
 * Undoes one schema entry of a table inside `uow`, through the same service methods a caller
 * of the column and table routes goes through (their checks, DDL, schema version, audit entry
 * and event), so the revert is itself a recorded schema change. Returns the action recorded.
 */
export async function revertSchemaEntry(
  uow: UnitOfWork,
  access: WorkspaceAccess,
  tableId: string,
  entry: AuditRow,
  options: SchemaRevertOptions,
): Promise<string> {
  const current = await new Metadata(uow.trx, access.workspace.schemaName).table(tableId);
  const undo = planSchemaUndo(current, entry);
  await applySchemaUndo(uow, access, tableId, undo, options);
  return undo.action;
}

/**
 * What undoing `entry` does to `table` as it is now (no writes): 409 `already_reverted` when
 * there is nothing left to undo, 409 `revert_conflict` for an update of a column deleted since.
 */
export function planSchemaUndo(table: TableView, entry: AuditRow): SchemaUndo {
  const current = table.columns.find((c) => c.id === entry.resource_id);
  switch (entry.action) {
    case 'column.add':
    case 'column.restore':
      if (!current) throw new ConflictError('The column is already gone', 'already_reverted');
      return { action: 'column.delete', resourceType: 'column', from: current, to: null };
    case 'column.delete':
      if (current)
        throw new ConflictError('The column exists; there is nothing to restore', 'already_reverted');
      return {
        action: 'column.restore',
        resourceType: 'column',
        from: null,
        to: recordedColumn(entry, table.id),
      };
    case 'column.update': {
      if (!current)
        throw new ConflictError('The column was deleted since; revert its deletion first', 'revert_conflict');
      // An update keeps the column's place; only what the entry recorded changes back.
      const to = { ...recordedColumn(entry, table.id), position: current.position };
      return { action: 'column.update', resourceType: 'column', from: current, to };
    }
    case 'table.update':
      return {
        action: 'table.update',
        resourceType: 'table',
        from: tableDetails(table),
        to: recordedTable(entry),
      };
    default:
      throw notRevertable(entry);
  }
}

/** The table's metadata as the undo leaves it (what later changes of a batch are planned on). */
export function undoneTable(table: TableView, undo: SchemaUndo): TableView {
  switch (undo.action) {
    case 'column.delete':
      return { ...table, columns: table.columns.filter((c) => c.id !== undo.from.id) };
    case 'column.restore':
      return { ...table, columns: [...table.columns, undo.to].sort((a, b) => a.position - b.position) };
    case 'column.update':
      return { ...table, columns: table.columns.map((c) => (c.id === undo.to.id ? undo.to : c)) };
    case 'table.update':
      return { ...table, ...undo.to };
  }
}

/**
 * The checks of the column services that need no write, on the table as the undo leaves it:
 * a dry run refuses what applying would (formulas that lose their column, duplicate names).
 */
export async function checkUndoneTable(meta: Metadata, undo: SchemaUndo, after: TableView): Promise<void> {
  if (undo.action === 'table.update') return;
  if (undo.action === 'column.delete') {
    await assertColumnUnused(meta, after);
    return;
  }
  assertDistinctNames(after.columns);
  await checkFormulas(meta, after, () => 'body');
}

/** Applies a planned undo through the column and table services, joined to `uow`. */
export async function applySchemaUndo(
  uow: UnitOfWork,
  access: WorkspaceAccess,
  tableId: string,
  undo: SchemaUndo,
  options: SchemaRevertOptions,
): Promise<void> {
  const actorId = uow.actorId as string;
  const columns = new ColumnsService(joinedRunner(uow));
  switch (undo.action) {
    case 'column.delete':
      await columns.delete(access, actorId, tableId, undo.from.id);
      return;
    case 'column.restore':
      await columns.restore(access, actorId, tableId, undo.to);
      return;
    case 'column.update': {
      const { to } = undo;
      await columns.update(access, actorId, tableId, to.id, {
        name: to.name,
        type: to.type,
        options: to.options,
        rules: to.rules,
        required: to.required,
        unique: to.unique,
        default: to.default,
        clearInvalid: options.clearInvalid === true,
      });
      return;
    }
    case 'table.update':
      await new TablesService(uow.trx, joinedRunner(uow)).update(access, actorId, tableId, undo.to);
      return;
  }
}

/** The column as the entry recorded it before its change, checked and normalised as a new spec. */
function recordedColumn(entry: AuditRow, tableId: string): Column {
  const recorded = entry.before as Partial<Column> | null;
  if (
    typeof recorded?.id !== 'string' ||
    typeof recorded.name !== 'string' ||
    typeof recorded.type !== 'string'
  )
    throw notRevertable(entry);
  const spec: ColumnSpec = {
    name: recorded.name,
    type: recorded.type,
    options: recorded.options,
    rules: recorded.rules,
    required: recorded.required ?? false,
    unique: recorded.unique ?? false,
    default: recorded.default ?? null,
  };
  return { ...columnFromSpec(spec, tableId, recorded.position ?? 0, 'before'), id: recorded.id };
}

const tableDetails = (table: TableView): TableDetails => ({
  name: table.name,
  description: table.description,
  settings: table.settings,
});

function recordedTable(entry: AuditRow): TableDetails {
  const recorded = entry.before as { name?: unknown; description?: unknown; settings?: unknown } | null;
  if (typeof recorded?.name !== 'string') throw notRevertable(entry);
  return {
    name: recorded.name,
    description: typeof recorded.description === 'string' ? recorded.description : null,
    settings: (typeof recorded.settings === 'object' && recorded.settings !== null
      ? recorded.settings
      : {}) as TableSettings,
  };
}

export function notRevertable(entry: AuditRow): ValidationError {
  return new ValidationError(
    `${entry.action} cannot be reverted; revertable schema changes: ${Object.keys(SCHEMA_REVERTS).join(', ')}`,
    [{ path: 'auditLogId', message: `${entry.action} is not revertable here` }],
    'not_revertable',
  );
}
