import type { Knex } from 'knex';
import { BadRequestError, NotFoundError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import { ScopedCache } from '../../platform/scoped-cache.js';
import { Workspace } from '../../store/models/workspace.model.js';
import { queryPrepared } from '../../store/prepared.js';
import { WorkspaceMember } from '../../store/models/workspace-member.model.js';
import { roleAtLeast, type Role } from '../../store/roles.js';

export interface WorkspaceAccess {
  workspace: Workspace;
  /** The caller's effective role: the workspace role, narrowed by a base role when one applies. */
  role: Role;
  /** Set when the resource belongs to a base on which the caller has a narrower role. */
  base?: { id: string; role: Role; workspaceRole: Role };
}

type ResourceAccessRow = Workspace & { role: Role; baseRole: Role | null; baseId: string | null };

/** Control tables resolve through the pool's search_path (ADR 0003). */
const RESOURCE_ACCESS = `
  SELECT w.*, m.role AS role, b.role AS base_role, d.base_id AS base_id
  FROM resource_directory d
  JOIN workspaces w ON w.id = d.workspace_id
  JOIN workspace_members m ON m.workspace_id = w.id AND m.user_id = $2
  LEFT JOIN base_member_roles b ON b.base_id = d.base_id AND b.user_id = $2
  WHERE d.id = $1`;

/** Every request resolves its access; these keep what a workspace's last change left true. */
const ACCESS_CACHE = { max: 10_000, ttlMs: 30_000 };

/**
 * Tenant context: finds the workspace a request names and the caller's role in it. A workspace
 * the caller is not a member of, one of another tenant, and one that does not exist all answer
 * the same 404, so ids reveal nothing across tenants.
 *
 * Answers are cached per caller and workspace until the workspace changes (membership, roles,
 * bases, tables, settings: ADR 0012); refusals are never cached.
 */
export class WorkspaceAccessResolver {
  private readonly cache = new ScopedCache<WorkspaceAccess>(ACCESS_CACHE);

  constructor(
    private readonly knex: Knex,
    /** Tenant mode: the only slug this process serves. */
    private readonly tenantSlug: string | undefined,
  ) {}

  forgetWorkspace(workspaceId: string): void {
    this.cache.forgetScope(workspaceId);
  }

  clear(): void {
    this.cache.clear();
  }

  /** `workspaceId` undefined: the tenant's workspace in tenant mode, otherwise a 400. */
  async resolve(workspaceId: string | undefined, userId: string): Promise<WorkspaceAccess> {
    if (workspaceId === undefined && !this.tenantSlug) {
      throw new BadRequestError('Name the workspace with the X-Workspace-Id header', 'workspace_required');
    }
    if (workspaceId !== undefined && !isUuid(workspaceId)) throw new NotFoundError('Workspace');
    const key = `w:${workspaceId ?? 'tenant'}:${userId}`;
    return this.load(key, () => this.readAccess(workspaceId, userId));
  }

  /**
   * For routes that name a resource, not a workspace: the id's directory entry names it, and for a
   * base or a table also the base, whose role for the caller (if any) narrows the workspace role.
   */
  async resolveByResource(resourceId: string, userId: string): Promise<WorkspaceAccess> {
    if (!isUuid(resourceId)) throw new NotFoundError('Resource');
    const key = `r:${resourceId}:${userId}`;
    return this.load(key, () => this.readResourceAccess(resourceId, userId));
  }

  /** Reads access and keeps it under its workspace, unless a change committed while it read. */
  private load(key: string, read: () => Promise<WorkspaceAccess>): Promise<WorkspaceAccess> {
    return this.cache.getOrLoad(key, async () => {
      const access = await read();
      return { scope: access.workspace.id, value: access };
    });
  }

  private async readAccess(workspaceId: string | undefined, userId: string): Promise<WorkspaceAccess> {
    const query = Workspace.query(this.knex)
      .select('workspaces.*', 'm.role')
      .join('workspace_members as m', 'm.workspace_id', 'workspaces.id')
      .where('m.user_id', userId);
    if (workspaceId !== undefined) query.where('workspaces.id', workspaceId);
    else query.where('workspaces.slug', this.tenantSlug as string);
    const row = await query.first();
    if (!row || (this.tenantSlug && row.slug !== this.tenantSlug)) throw new NotFoundError('Workspace');
    const { role } = row as Workspace & { role: Role };
    return { workspace: row, role };
  }

  private async readResourceAccess(resourceId: string, userId: string): Promise<WorkspaceAccess> {
    // One round trip, planned once per connection: the directory entry, the workspace, the
    // membership and any base role.
    const [found] = await queryPrepared(this.knex, 'lt_resource_access', RESOURCE_ACCESS, [
      resourceId,
      userId,
    ]);
    const row = found && (Workspace.fromDatabaseJson(found) as unknown as ResourceAccessRow);
    if (!row || (this.tenantSlug && row.slug !== this.tenantSlug)) throw new NotFoundError('Resource');
    const { role, baseRole, baseId } = row;
    const access: WorkspaceAccess = { workspace: row, role };
    if (!baseId || !baseRole || roleAtLeast(baseRole, role)) return access;
    return { ...access, role: baseRole, base: { id: baseId, role: baseRole, workspaceRole: role } };
  }

  /** The caller's current role, read inside a transaction that is about to change membership. */
  async lockedRole(trx: Knex, workspaceId: string, userId: string): Promise<Role | undefined> {
    const member = await WorkspaceMember.query(trx).findById([workspaceId, userId]).forUpdate();
    return member?.role;
  }
}
