import type { Knex } from 'knex';
import { NotFoundError } from '../../platform/errors.js';
import { isForeignKeyViolation } from '../../store/pg-errors.js';
import type { Role } from '../../store/roles.js';
import { memberPolicy } from '../rbac/member-policy.js';
import { Metadata } from '../tables/metadata.js';
import type { TransactionRunner } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';

export interface BaseRoleView {
  userId: string;
  /** The role on this base; the effective role is the narrower of this and the workspace role. */
  role: Role;
  workspaceRole: Role;
}

/**
 * Base-level roles: narrow a workspace member's role on one base (an editor of the workspace who
 * is a viewer on one base). They never widen a role. Managing them follows the member rules: an
 * admin never narrows an owner, and never a role above their own.
 */
export class BaseRolesService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
  ) {}

  async list(access: WorkspaceAccess, baseId: string): Promise<BaseRoleView[]> {
    await new Metadata(this.knex, access.workspace.schemaName).base(baseId);
    const rows = (await this.knex('base_member_roles as b')
      .join('workspace_members as m', (on) =>
        on.on('m.workspace_id', 'b.workspace_id').andOn('m.user_id', 'b.user_id'),
      )
      .where('b.base_id', baseId)
      .orderBy('b.user_id')
      .select('b.user_id', 'b.role', 'm.role as workspace_role')) as {
      user_id: string;
      role: Role;
      workspace_role: Role;
    }[];
    return rows.map((r) => ({ userId: r.user_id, role: r.role, workspaceRole: r.workspace_role }));
  }

  async set(
    access: WorkspaceAccess,
    actorId: string,
    baseId: string,
    userId: string,
    role: Role,
  ): Promise<BaseRoleView> {
    return this.tx.run(actorId, async (uow) => {
      await new Metadata(uow.trx, access.workspace.schemaName).base(baseId);
      const member = await this.memberRole(uow.trx, access.workspace.id, userId);
      memberPolicy.assertCanManage(access.role, member);
      memberPolicy.assertCanGrant(access.role, role);
      const before = await uow
        .trx('base_member_roles')
        .where({ base_id: baseId, user_id: userId })
        .first('role');
      try {
        await uow
          .trx('base_member_roles')
          .insert({ workspace_id: access.workspace.id, base_id: baseId, user_id: userId, role })
          .onConflict(['base_id', 'user_id'])
          .merge(['role']);
      } catch (error) {
        if (isForeignKeyViolation(error)) throw new NotFoundError('Member');
        throw error;
      }
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'base.role.set',
          resourceType: 'base',
          resourceId: baseId,
          before: before ? { userId, role: (before as { role: Role }).role } : undefined,
          after: { userId, role },
        },
        access.workspace.schemaName,
      );
      return { userId, role, workspaceRole: member };
    });
  }

  async remove(access: WorkspaceAccess, actorId: string, baseId: string, userId: string): Promise<void> {
    await this.tx.run(actorId, async (uow) => {
      const member = await this.memberRole(uow.trx, access.workspace.id, userId);
      memberPolicy.assertCanManage(access.role, member);
      const removed = await uow
        .trx('base_member_roles')
        .where({ base_id: baseId, user_id: userId })
        .delete()
        .returning('role');
      if (removed.length === 0) throw new NotFoundError('Base role');
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'base.role.remove',
          resourceType: 'base',
          resourceId: baseId,
          before: { userId, role: (removed[0] as { role: Role }).role },
        },
        access.workspace.schemaName,
      );
    });
  }

  private async memberRole(db: Knex, workspaceId: string, userId: string): Promise<Role> {
    const member = (await db('workspace_members')
      .where({ workspace_id: workspaceId, user_id: userId })
      .first('role')) as { role: Role } | undefined;
    if (!member) throw new NotFoundError('Member');
    return member.role;
  }
}
