import { VersionConflictError } from '../../platform/errors.js';
import type { RowsService } from '../rows/rows.service.js';
import { toRowView, type RowView } from '../rows/row-view.js';
import type { TableView } from '../tables/metadata.js';
import type { UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { fitFields, type SkippedColumn } from './row-state.js';

/** What a revert did to a row: `none` when it was already as asked (gone, or unchanged). */
export type RowRevertAction = 'row.update' | 'row.create' | 'row.delete' | 'none';

export interface AppliedRowRevert {
  action: RowRevertAction;
  /** The row afterwards; null when it is gone. */
  row: RowView | null;
  skippedColumns: SkippedColumn[];
}

/** A row as a revert leaves it: these recorded fields (by column id), or no row at all. */
export type RowTarget = { fields: Record<string, unknown> } | null;

/**
 * Brings one row to `target` through the RowsService building blocks, so the change is audited
 * (`row.update`, `row.create` with the same id, or `row.delete`) and its event is emitted like
 * any write. `version`, when given, must be the row's current version; a row that no longer
 * exists has none, so any version conflicts.
 */
export async function applyRowTarget(
  uow: UnitOfWork,
  access: WorkspaceAccess,
  rows: RowsService,
  table: TableView,
  rowId: string,
  target: RowTarget,
  version?: number,
): Promise<AppliedRowRevert> {
  await rows.locks.assertWritable(uow.trx, access.workspace.schemaName, table.id, [rowId], uow.actorId);
  const raw = (await rows.rowsTable(uow.trx, access, table).where({ id: rowId }).forUpdate().first()) as
    Record<string, unknown> | undefined;
  const current = raw ? toRowView(table, raw) : undefined;
  if (version !== undefined && current?.version !== version)
    throw new VersionConflictError(
      current
        ? `The row changed since version ${version}; it is at version ${current.version}`
        : 'The row no longer exists, so it has no version; revert without one to bring it back',
      current ?? null,
    );
  if (!target) {
    if (!current) return { action: 'none', row: null, skippedColumns: [] };
    await rows.deleteRows(uow, access, table, [{ id: rowId }]);
    return { action: 'row.delete', row: null, skippedColumns: [] };
  }
  const fitted = fitFields(table, target.fields, current ? 'patch' : 'create');
  if (current) {
    const row = await rows.updateRow(uow, access, table, rowId, fitted.encoded.values, version);
    return { action: 'row.update', row, skippedColumns: fitted.skipped };
  }
  const [row] = await rows.insertRows(uow, access, table, [fitted.input], [rowId]);
  return { action: 'row.create', row: row ?? null, skippedColumns: fitted.skipped };
}
