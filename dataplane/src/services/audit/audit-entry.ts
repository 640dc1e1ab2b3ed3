import type { Knex } from 'knex';
import { isUuid } from '../../platform/ids.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';

/** An audit entry as the API answers it. */
export interface AuditLogEntry {
  id: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  /** The containing table of a column or row entry. */
  parentId: string | null;
  actorId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  createdAt: string;
}

/** A row of a workspace schema's `audit_logs`, as the driver returns it. */
export interface AuditRow {
  id: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  parent_id: string | null;
  actor_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  created_at: Date;
  /** The exact instant (microseconds) the cursor carries; JavaScript dates stop at milliseconds. */
  created_at_us: string;
}

export const AUDIT_COLUMNS = [
  'id',
  'action',
  'resource_type',
  'resource_id',
  'parent_id',
  'actor_id',
  'before',
  'after',
  'request_id',
  'created_at',
] as const;

export const toAuditLogEntry = (r: AuditRow): AuditLogEntry => ({
  id: r.id,
  action: r.action,
  resourceType: r.resource_type,
  resourceId: r.resource_id,
  parentId: r.parent_id,
  actorId: r.actor_id,
  before: r.before,
  after: r.after,
  requestId: r.request_id,
  createdAt: r.created_at.toISOString(),
});

/**
 * The workspace's own audit entries. In tenant mode the control schema is the same schema, so
 * entries of no workspace (sign-ins, sessions) are left out here.
 */
export function auditEntries(db: Knex, access: WorkspaceAccess): Knex.QueryBuilder {
  return db
    .withSchema(access.workspace.schemaName)
    .table('audit_logs')
    .where('workspace_id', access.workspace.id)
    .select(
      ...AUDIT_COLUMNS,
      db.raw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_us`),
    );
}

/** One entry of the workspace by id; undefined for ids of other workspaces, too. */
export async function findAuditEntry(
  db: Knex,
  access: WorkspaceAccess,
  id: string,
): Promise<AuditRow | undefined> {
  if (!isUuid(id)) return undefined;
  return (await auditEntries(db, access).where('id', id).first()) as AuditRow | undefined;
}
