import type { Knex } from 'knex';
import { roleAtLeast, type Role } from '../../store/roles.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';

/**
 * The caller's role on one base of the workspace: the workspace role, narrowed by a base role
 * when one is set (a base role never widens). What a route naming a table of the base resolves;
 * a workspace route that acts on several tables asks here per table.
 */
export async function roleOnBase(
  db: Knex,
  access: WorkspaceAccess,
  userId: string,
  baseId: string,
): Promise<Role> {
  const narrowed = (await db('base_member_roles')
    .where({ workspace_id: access.workspace.id, base_id: baseId, user_id: userId })
    .first('role')) as { role: Role } | undefined;
  if (!narrowed || roleAtLeast(narrowed.role, access.role)) return access.role;
  return narrowed.role;
}
