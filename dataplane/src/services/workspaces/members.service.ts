import type { Knex } from 'knex';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../platform/errors.js';
import { applyKeyset, toPage, type Page } from '../../store/keyset.js';
import { WorkspaceMember } from '../../store/models/workspace-member.model.js';
import type { Role } from '../../store/roles.js';
import { memberPolicy } from '../rbac/member-policy.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from './workspace-access.js';

export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: string;
}

interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  created_at: Date;
}

const toMemberView = (r: MemberRow): MemberView => ({
  userId: r.user_id,
  email: r.email,
  name: r.name,
  role: r.role,
  joinedAt: r.created_at.toISOString(),
});

/**
 * Membership changes. Every change re-reads the rows it depends on under a row lock, so two
 * admins demoting the last two owners at once cannot both succeed.
 */
export class MembersService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
  ) {}

  async list(workspaceId: string, limit: number, cursor: string | undefined): Promise<Page<MemberView>> {
    const query = this.knex('workspace_members as m')
      .join('users as u', 'u.id', 'm.user_id')
      .where('m.workspace_id', workspaceId)
      .select('m.user_id', 'u.email', 'u.name', 'm.role', 'm.created_at');
    const rows = (await applyKeyset(
      query,
      [{ column: 'm.user_id', kind: 'uuid' }],
      cursor,
      limit,
    )) as MemberRow[];
    return toPage(rows, limit, (r) => [r.user_id], toMemberView);
  }

  async changeRole(
    access: WorkspaceAccess,
    actorId: string,
    targetId: string,
    role: Role,
  ): Promise<MemberView> {
    const workspaceId = access.workspace.id;
    return this.tx.run(actorId, async (uow) => {
      const { actorRole, target, owners } = await this.lockMembership(uow, workspaceId, actorId, targetId);
      memberPolicy.assertCanManage(actorRole, target.role);
      memberPolicy.assertCanGrant(actorRole, role);
      if (role !== 'owner') memberPolicy.assertNotLastOwner(target.role, owners);
      await this.setRole(uow, workspaceId, targetId, role);
      await uow.audit({
        workspaceId,
        action: 'member.role_change',
        resourceType: 'member',
        resourceId: targetId,
        before: { role: target.role },
        after: { role },
      });
      uow.emit('member.updated', workspaceId, { userId: targetId, role });
      return this.view(uow.trx, workspaceId, targetId);
    });
  }

  async remove(access: WorkspaceAccess, actorId: string, targetId: string): Promise<void> {
    const workspaceId = access.workspace.id;
    await this.tx.run(actorId, async (uow) => {
      const { actorRole, target, owners } = await this.lockMembership(uow, workspaceId, actorId, targetId);
      if (actorId !== targetId) memberPolicy.assertCanManage(actorRole, target.role);
      memberPolicy.assertNotLastOwner(target.role, owners);
      await this.deleteMember(uow, workspaceId, targetId, target.role, 'member.remove');
    });
  }

  /** Any member may leave, except the last owner. */
  async leave(access: WorkspaceAccess, userId: string): Promise<void> {
    const workspaceId = access.workspace.id;
    await this.tx.run(userId, async (uow) => {
      const { target, owners } = await this.lockMembership(uow, workspaceId, userId, userId);
      memberPolicy.assertNotLastOwner(target.role, owners);
      await this.deleteMember(uow, workspaceId, userId, target.role, 'member.leave');
    });
  }

  /** The new owner gets `owner`; the previous owner stays on as `admin`. */
  async transferOwnership(access: WorkspaceAccess, actorId: string, targetId: string): Promise<MemberView> {
    const workspaceId = access.workspace.id;
    if (targetId === actorId) throw new BadRequestError('You already own this workspace', 'invalid_transfer');
    return this.tx.run(actorId, async (uow) => {
      const { actorRole, target } = await this.lockMembership(uow, workspaceId, actorId, targetId);
      // The route checked the role before this transaction; it may have changed since.
      if (actorRole !== 'owner') throw new ForbiddenError('Only an owner can transfer ownership');
      await this.setRole(uow, workspaceId, targetId, 'owner');
      await this.setRole(uow, workspaceId, actorId, 'admin');
      await uow.audit({
        workspaceId,
        action: 'workspace.transfer_ownership',
        resourceType: 'workspace',
        resourceId: workspaceId,
        before: { owner: actorId, newOwnerRole: target.role },
        after: { owner: targetId, previousOwnerRole: 'admin' },
      });
      uow.emit('member.updated', workspaceId, { userId: targetId, role: 'owner' });
      uow.emit('member.updated', workspaceId, { userId: actorId, role: 'admin' });
      return this.view(uow.trx, workspaceId, targetId);
    });
  }

  private async lockMembership(uow: UnitOfWork, workspaceId: string, actorId: string, targetId: string) {
    const rows = await WorkspaceMember.query(uow.trx).where({ workspace_id: workspaceId }).forUpdate();
    const actor = rows.find((m) => m.userId === actorId);
    const target = rows.find((m) => m.userId === targetId);
    if (!actor) throw new NotFoundError('Workspace');
    if (!target) throw new NotFoundError('Member');
    return { actorRole: actor.role, target, owners: rows.filter((m) => m.role === 'owner').length };
  }

  private async setRole(uow: UnitOfWork, workspaceId: string, userId: string, role: Role): Promise<void> {
    await WorkspaceMember.query(uow.trx)
      .patch({ role, updatedAt: new Date() })
      .findById([workspaceId, userId]);
  }

  private async deleteMember(
    uow: UnitOfWork,
    workspaceId: string,
    userId: string,
    role: Role,
    action: string,
  ): Promise<void> {
    await WorkspaceMember.query(uow.trx).deleteById([workspaceId, userId]);
    await uow.audit({ workspaceId, action, resourceType: 'member', resourceId: userId, before: { role } });
    uow.emit('member.removed', workspaceId, { userId });
  }

  private async view(trx: Knex, workspaceId: string, userId: string): Promise<MemberView> {
    const row = (await trx('workspace_members as m')
      .join('users as u', 'u.id', 'm.user_id')
      .where({ 'm.workspace_id': workspaceId, 'm.user_id': userId })
      .first('m.user_id', 'u.email', 'u.name', 'm.role', 'm.created_at')) as MemberRow | undefined;
    if (!row) throw new NotFoundError('Member');
    return toMemberView(row);
  }
}
