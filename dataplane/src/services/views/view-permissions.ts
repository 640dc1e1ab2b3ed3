import type { Knex } from 'knex';
import { ROLES, roleAtLeast, roleRank, type Role } from '../../store/roles.js';
import { can } from '../rbac/permissions.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { ViewAccessRules } from './view-definition.js';

/** The caller as a view judges them: who they are and their role for that view. */
export interface ViewSubject {
  userId: string;
  role: Role;
}

/**
 * Who may see and who may change a view. The role matrix is the ceiling (`views:read`,
 * `views:manage`); a view's own rules narrow it: a minimum role, or members named one by one.
 * Editing implies seeing. The role a view is judged with is the caller's workspace role narrowed
 * by their base role on every base whose tables the view reads (a base role never widens).
 */
export class ViewPermissions {
  constructor(private readonly knex: Knex) {}

  canRead(rules: ViewAccessRules, subject: ViewSubject): boolean {
    if (!can(subject.role, 'views:read')) return false;
    return admits(rules.read, subject) || this.canEdit(rules, subject);
  }

  canEdit(rules: ViewAccessRules, subject: ViewSubject): boolean {
    return can(subject.role, 'views:manage') && admits(rules.edit, subject);
  }

  /** The caller's role for a view over these bases. */
  async subject(access: WorkspaceAccess, userId: string, baseIds: readonly string[]): Promise<ViewSubject> {
    const narrowing = await this.baseRoles(access, userId);
    return { userId, role: roleOver(access.role, baseIds, narrowing) };
  }

  /** A function giving the caller's role over any set of bases, from one read of their base roles. */
  async subjects(
    access: WorkspaceAccess,
    userId: string,
  ): Promise<(baseIds: readonly string[]) => ViewSubject> {
    const narrowing = await this.baseRoles(access, userId);
    return (baseIds) => ({ userId, role: roleOver(access.role, baseIds, narrowing) });
  }

  private async baseRoles(access: WorkspaceAccess, userId: string): Promise<Map<string, Role>> {
    const rows = (await this.knex('base_member_roles')
      .where({ workspace_id: access.workspace.id, user_id: userId })
      .select('base_id', 'role')) as { base_id: string; role: Role }[];
    return new Map(rows.map((r) => [r.base_id, r.role]));
  }
}

function admits(rule: ViewAccessRules['read'], subject: ViewSubject): boolean {
  return roleAtLeast(subject.role, rule.minRole) || rule.members.includes(subject.userId);
}

/** The weakest of the workspace role and the caller's base roles on these bases. */
function roleOver(role: Role, baseIds: readonly string[], narrowing: ReadonlyMap<string, Role>): Role {
  let rank = roleRank(role);
  for (const id of baseIds) {
    const base = narrowing.get(id);
    if (base) rank = Math.min(rank, roleRank(base));
  }
  return ROLES.find((r) => roleRank(r) === rank) as Role;
}
