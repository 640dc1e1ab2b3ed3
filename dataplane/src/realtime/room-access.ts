import { ForbiddenError, NotFoundError } from '../platform/errors.js';
import { can, type Permission } from '../services/rbac/permissions.js';
import type { TableCache } from '../services/tables/table-cache.js';
import type { ViewsService } from '../services/views/views.service.js';
import type { WorkspaceAccess, WorkspaceAccessResolver } from '../services/workspaces/workspace-access.js';

export type RoomKind = 'table' | 'view' | 'presence';

export interface Room {
  kind: RoomKind;
  id: string;
  name: string;
}

export function parseRoom(name: string): Room {
  const [kind, id] = name.split(':', 2) as [RoomKind, string];
  return { kind, id, name };
}

/**
 * Who may join which room, by the same rules as the HTTP routes: a table room needs `data:read`
 * on the table's base (a base role narrows the workspace role), a view room the view's own read
 * rule, a presence room either of them for its resource. A resource of another workspace is
 * a 404, as if it did not exist.
 */
export class RoomAccess {
  constructor(
    private readonly resolver: WorkspaceAccessResolver,
    private readonly tables: TableCache,
    private readonly views: ViewsService,
  ) {}

  async assertCanJoin(workspaceId: string, userId: string, room: Room): Promise<void> {
    if (room.kind === 'table') return void (await this.table(workspaceId, userId, room.id, 'data:read'));
    if (room.kind === 'view') return this.view(workspaceId, userId, room.id);
    try {
      await this.table(workspaceId, userId, room.id, 'data:read');
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await this.view(workspaceId, userId, room.id);
    }
  }

  /** The caller's access to a table of this workspace, holding `permission`. */
  async table(
    workspaceId: string,
    userId: string,
    tableId: string,
    permission: Permission,
  ): Promise<WorkspaceAccess> {
    const access = await this.resolver.resolveByResource(tableId, userId).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError('Table') : error;
    });
    if (access.workspace.id !== workspaceId) throw new NotFoundError('Table');
    if (!can(access.role, permission))
      throw new ForbiddenError(`Your role (${access.role}) lacks ${permission} on this table`);
    await this.tables.readModel(access, tableId); // 404 for a base, a view, an archived table
    return access;
  }

  private async view(workspaceId: string, userId: string, viewId: string): Promise<void> {
    const access = await this.resolver.resolve(workspaceId, userId);
    if (!can(access.role, 'views:read'))
      throw new ForbiddenError(`Your role (${access.role}) lacks views:read`);
    await this.views.get(access, userId, viewId);
  }
}
