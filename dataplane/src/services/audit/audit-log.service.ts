import type { Knex } from 'knex';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import type { Page } from '../../store/keyset.js';
import { Metadata } from '../tables/metadata.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { applyNewestFirst, newestFirstPage } from './audit-cursor.js';
import { auditEntries, toAuditLogEntry, type AuditLogEntry, type AuditRow } from './audit-entry.js';

export interface AuditFilters {
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  /** Exact (`row.update`), or every action under a prefix when it ends with a dot (`row.`). */
  action?: string;
  /** ISO 8601 instants: `from <= createdAt < to`. */
  from?: string;
  to?: string;
}

/**
 * Reads the workspace's audit log: every list is newest first, in keyset pages over
 * (created_at, id). A table's history is its schema changes and its rows' changes (entries
 * whose resource or parent is the table); a row's history is the entries of that row.
 */
export class AuditLogService {
  constructor(private readonly knex: Knex) {}

  async list(
    access: WorkspaceAccess,
    filters: AuditFilters,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<AuditLogEntry>> {
    return this.page(auditEntries(this.knex, access), filters, limit, cursor);
  }

  /** 404 when the table is not one of the workspace's (archived tables have a history too). */
  async tableHistory(
    access: WorkspaceAccess,
    tableId: string,
    filters: AuditFilters,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<AuditLogEntry>> {
    const exists =
      isUuid(tableId) &&
      (await new Metadata(this.knex, access.workspace.schemaName)
        .tables()
        .where({ id: tableId })
        .first('id'));
    if (!exists) throw new NotFoundError('Table');
    const query = auditEntries(this.knex, access).where((q) =>
      q.where('parent_id', tableId).orWhere('resource_id', tableId),
    );
    return this.page(query, filters, limit, cursor);
  }

  /**
   * A row's entries, newest first like every list. 404 when the workspace has no entry of the
   * row (an id of another workspace, or a row whose history retention has purged).
   */
  async rowHistory(
    access: WorkspaceAccess,
    rowId: string,
    filters: AuditFilters,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<AuditLogEntry>> {
    if (!isUuid(rowId)) throw new NotFoundError('Row');
    const entries = () => auditEntries(this.knex, access).where({ resource_type: 'row', resource_id: rowId });
    const page = await this.page(entries(), filters, limit, cursor);
    if (page.data.length === 0 && !cursor && !(await entries().first())) throw new NotFoundError('Row');
    return page;
  }

  private async page(
    query: Knex.QueryBuilder,
    filters: AuditFilters,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<AuditLogEntry>> {
    applyFilters(query, filters);
    applyNewestFirst(query, cursor, limit);
    return newestFirstPage((await query) as AuditRow[], limit, toAuditLogEntry);
  }
}

/** Every value is bound; `from`/`to` are checked to be instants so none reaches SQL unparsed. */
export function applyFilters(query: Knex.QueryBuilder, filters: AuditFilters): void {
  if (filters.actorId !== undefined) {
    if (!isUuid(filters.actorId)) {
      void query.whereRaw('false');
      return;
    }
    void query.where('actor_id', filters.actorId);
  }
  if (filters.resourceType !== undefined) void query.where('resource_type', filters.resourceType);
  if (filters.resourceId !== undefined) void query.where('resource_id', filters.resourceId);
  if (filters.action !== undefined) {
    if (filters.action.endsWith('.')) void query.whereRaw('starts_with(action, ?)', [filters.action]);
    else void query.where('action', filters.action);
  }
  if (filters.from !== undefined) void query.where('created_at', '>=', instant(filters.from, 'from'));
  if (filters.to !== undefined) void query.where('created_at', '<', instant(filters.to, 'to'));
}

/** Years 1–9999, what both JavaScript and PostgreSQL read the same way. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** The instant normalised to `toISOString()` form, or a 422 naming the filter. */
export function instant(text: string, name: string): string {
  const millis = Date.parse(text);
  if (!Number.isFinite(millis) || millis < EARLIEST || millis > LATEST)
    throw new ValidationError(`${name} is not an ISO 8601 instant`, [
      {
        path: name,
        message: 'must be an ISO 8601 instant between the years 1 and 9999, e.g. 2026-01-31T12:00:00Z',
      },
    ]);
  return new Date(millis).toISOString();
}
