import { newId } from '../../platform/ids.js';
import type { UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';

export interface SchemaChange {
  tableId: string;
  /** `table.create`, `column.add`, `column.update`, `column.delete`, ... */
  action: string;
  resourceType: 'table' | 'column';
  resourceId: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Records one schema change of a table inside its transaction: the next schema version, its
 * change-log entry, the audit entry (before and after) and the event realtime sends as
 * `schema:update`. The caller holds the table row locked, so versions never skip or repeat.
 */
export async function recordSchemaChange(
  uow: UnitOfWork,
  access: WorkspaceAccess,
  change: SchemaChange,
): Promise<number> {
  const schema = access.workspace.schemaName;
  const [row] = (await uow.trx
    .withSchema(schema)
    .table('tables')
    .where({ id: change.tableId })
    .update({ schema_version: uow.trx.raw('schema_version + 1'), updated_at: new Date() })
    .returning('schema_version')) as { schema_version: number }[];
  const version = row?.schema_version ?? 1;
  await uow.trx
    .withSchema(schema)
    .table('table_changes')
    .insert({
      id: newId(),
      table_id: change.tableId,
      version,
      action: change.action,
      detail: JSON.stringify({ resourceId: change.resourceId, before: change.before, after: change.after }),
      actor_id: uow.actorId,
    });
  await uow.audit(
    {
      workspaceId: access.workspace.id,
      action: change.action,
      resourceType: change.resourceType,
      resourceId: change.resourceId,
      parentId: change.tableId,
      before: change.before,
      after: change.after,
    },
    schema,
  );
  uow.emit('schema.changed', access.workspace.id, {
    tableId: change.tableId,
    action: change.action,
    schemaVersion: version,
  });
  return version;
}
