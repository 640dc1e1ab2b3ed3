import type { Knex } from 'knex';
import { NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import type { LogicalType } from '../../query/catalog.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { ViewAccessRules, ViewDefinition } from './view-definition.js';

/** A row of `views` (workspace schema), as knex returns it. */
export interface ViewRecord {
  id: string;
  name: string;
  description: string | null;
  definition: ViewDefinition;
  access: ViewAccessRules;
  source_table_id: string | null;
  source_connection_id: string | null;
  base_ids: string[];
  version: number;
  materialized_table: string | null;
  materialized_version: number | null;
  materialized_columns: { name: string; type: LogicalType }[] | null;
  materialized_at: Date | null;
  materialize_error: string | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ViewVersionRecord {
  view_id: string;
  version: number;
  name: string;
  description: string | null;
  definition: ViewDefinition;
  access: ViewAccessRules;
  restored_from: number | null;
  actor_id: string | null;
  created_at: Date;
}

export const viewsTable = (db: Knex, access: WorkspaceAccess) =>
  db.withSchema(access.workspace.schemaName).table('views');

export const viewVersionsTable = (db: Knex, access: WorkspaceAccess) =>
  db.withSchema(access.workspace.schemaName).table('view_versions');

/** The view, or 404 (an id that is no UUID names no view). `lock`: FOR UPDATE, for a change. */
export async function loadView(
  db: Knex,
  access: WorkspaceAccess,
  id: string,
  lock = false,
): Promise<ViewRecord> {
  if (!isUuid(id)) throw new NotFoundError('View');
  const query = viewsTable(db, access).where({ id }).first<ViewRecord | undefined>('*');
  const row = await (lock ? query.forUpdate() : query);
  if (!row) throw new NotFoundError('View');
  return row;
}
