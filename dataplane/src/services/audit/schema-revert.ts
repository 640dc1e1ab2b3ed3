import { ConflictError, ValidationError } from '../../platform/errors.js';
import type { Column } from '../tables/column.js';
import { columnFromSpec, type ColumnSpec } from '../tables/column-spec.js';
import { ColumnsService } from '../tables/columns.service.js';
import { Metadata, type TableSettings } from '../tables/metadata.js';
import { TablesService } from '../tables/tables.service.js';
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

export interface SchemaRevertOptions {
  /** A retype back clears the cells that would not convert instead of refusing (422). */
  clearInvalid?: boolean;
}

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
  const actorId = uow.actorId as string;
  const columns = new ColumnsService(joinedRunner(uow));
  const current = await new Metadata(uow.trx, access.workspace.schemaName).table(tableId);
  const exists = current.columns.some((c) => c.id === entry.resource_id);
  switch (entry.action) {
    case 'column.add':
    case 'column.restore': {
      if (!exists) throw new ConflictError('The column is already gone', 'already_reverted');
      await columns.delete(access, actorId, tableId, entry.resource_id as string);
      return 'column.delete';
    }
    case 'column.delete': {
      if (exists)
        throw new ConflictError('The column exists; there is nothing to restore', 'already_reverted');
      await columns.restore(access, actorId, tableId, recordedColumn(entry, entry.before, tableId));
      return 'column.restore';
    }
    case 'column.update': {
      if (!exists)
        throw new ConflictError('The column was deleted since; revert its deletion first', 'revert_conflict');
      const before = recordedColumn(entry, entry.before, tableId);
      await columns.update(access, actorId, tableId, before.id, {
        name: before.name,
        type: before.type,
        options: before.options,
        rules: before.rules,
        required: before.required,
        unique: before.unique,
        default: before.default,
        clearInvalid: options.clearInvalid === true,
      });
      return 'column.update';
    }
    case 'table.update': {
      const before = recordedTable(entry);
      await new TablesService(uow.trx, joinedRunner(uow)).update(access, actorId, tableId, before);
      return 'table.update';
    }
    default:
      throw notRevertable(entry);
  }
}

/** A column as an entry recorded it, checked and normalised as a new spec would be. */
function recordedColumn(entry: AuditRow, value: unknown, tableId: string): Column {
  const recorded = value as Partial<Column> | null;
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

function recordedTable(entry: AuditRow): {
  name: string;
  description: string | null;
  settings: TableSettings;
} {
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
