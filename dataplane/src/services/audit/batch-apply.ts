import type { RowsService } from '../rows/rows.service.js';
import { Metadata, type TableView } from '../tables/metadata.js';
import type { UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { aboutEntry, type PlannedChange } from './batch-plan.js';
import { applyRowTarget } from './row-revert.js';
import { applySchemaUndo, type SchemaRevertOptions } from './schema-revert.js';

/**
 * Applies a plan made inside `uow`, in its order, each change through the services a single
 * revert uses (so each writes its audit entry and queues its event). A row change is written
 * with its table as the schema changes before it left it.
 */
export async function applyBatch(
  uow: UnitOfWork,
  access: WorkspaceAccess,
  rows: RowsService,
  changes: readonly PlannedChange[],
  options: SchemaRevertOptions,
): Promise<void> {
  const tables = new Map<string, TableView>();
  const changed = new Set<string>();
  const table = async (tableId: string): Promise<TableView> => {
    const known = tables.get(tableId);
    if (known) return known;
    // A table this transaction has changed is read FOR UPDATE, as the column services read it,
    // so its uncommitted columns never reach the shared column cache that FOR SHARE reads fill.
    const read = changed.has(tableId)
      ? await new Metadata(uow.trx, access.workspace.schemaName).table(tableId, { lock: true })
      : await rows.tableFor(uow, access, tableId);
    tables.set(tableId, read);
    return read;
  };
  for (const change of changes) {
    try {
      if (change.resourceType !== 'row') {
        await applySchemaUndo(uow, access, change.tableId, change, options);
        changed.add(change.tableId);
        tables.delete(change.tableId);
      } else if (change.action !== 'none')
        await applyRowTarget(uow, access, rows, await table(change.tableId), change.resourceId, change.to);
    } catch (error) {
      throw aboutEntry(error, change.auditLogId);
    }
  }
}
