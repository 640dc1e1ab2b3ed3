import type { Knex } from 'knex';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors.js';
import { hashToken, newId, newOpaqueToken } from '../../platform/ids.js';
import { Invitation } from '../../store/models/invitation.model.js';
import { User } from '../../store/models/user.model.js';
import { Workspace } from '../../store/models/workspace.model.js';
import { WorkspaceMember } from '../../store/models/workspace-member.model.js';
import { applyKeyset, toPage, type Page } from '../../store/keyset.js';
import { memberPolicy } from '../rbac/member-policy.js';
import type { TransactionRunner } from '../unit-of-work.js';
import type { WorkspaceAccess } from './workspace-access.js';
import { DEFAULT_SETTINGS, toWorkspaceView, type WorkspaceView } from './workspace-view.js';

const INVITATION_TTL_MS = 7 * 86_400_000;

export type InvitableRole = 'admin' | 'editor' | 'viewer';

export interface InvitationView {
  id: string;
  workspaceId: string;
  email: string;
  role: InvitableRole;
  status: string;
  invitedBy: string | null;
  createdAt: string;
  expiresAt: string;
}

const toInvitationView = (i: Invitation): InvitationView => ({
  id: i.id,
  workspaceId: i.workspaceId,
  email: i.email,
  role: i.role,
  status: i.status,
  invitedBy: i.invitedBy,
  createdAt: i.createdAt.toISOString(),
  expiresAt: i.expiresAt.toISOString(),
});

/**
 * Invitations carry an opaque token (stored hashed, shown once to the inviter to pass on).
 * Only the account with the invited email can accept or decline it.
 */
export class InvitationsService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
  ) {}

  async invite(access: WorkspaceAccess, actorId: string, input: { email: string; role?: InvitableRole }) {
    const { workspace } = access;
    const email = input.email.trim().toLowerCase();
    const role = input.role ?? workspace.settings.defaultInviteRole ?? DEFAULT_SETTINGS.defaultInviteRole;
    memberPolicy.assertCanGrant(access.role, role);
    const token = newOpaqueToken();
    const invitation = await this.tx.run(actorId, async (uow) => {
      const existing = await WorkspaceMember.query(uow.trx)
        .join('users', 'users.id', 'workspace_members.user_id')
        .where({ 'workspace_members.workspace_id': workspace.id, 'users.email': email })
        .first();
      if (existing) throw new ConflictError(`${email} is already a member`, 'already_member');
      // A new invitation replaces an open one for the same address.
      await Invitation.query(uow.trx)
        .patch({ status: 'revoked', respondedAt: new Date() })
        .where({ workspace_id: workspace.id, email, status: 'pending' });
      const created = await Invitation.query(uow.trx).insertAndFetch({
        id: newId(),
        workspaceId: workspace.id,
        email,
        role,
        tokenHash: hashToken(token),
        invitedBy: actorId,
        status: 'pending',
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      });
      await uow.audit({
        workspaceId: workspace.id,
        action: 'invitation.create',
        resourceType: 'invitation',
        resourceId: created.id,
        after: toInvitationView(created),
      });
      uow.emit('invitation.created', workspace.id, { invitationId: created.id, email, role });
      return created;
    });
    return { invitation: toInvitationView(invitation), token };
  }

  async listPending(
    workspaceId: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<InvitationView>> {
    // Objection maps property names in results only: where clauses name the columns.
    const query = Invitation.query(this.knex)
      .where({ workspace_id: workspaceId, status: 'pending' })
      .where('expires_at', '>', new Date());
    const rows = await applyKeyset(query, [{ column: 'id', kind: 'uuid' }], cursor, limit);
    return toPage(rows, limit, (i) => [i.id], toInvitationView);
  }

  async revoke(access: WorkspaceAccess, actorId: string, invitationId: string): Promise<void> {
    await this.tx.run(actorId, async (uow) => {
      const invitation = await Invitation.query(uow.trx)
        .findOne({ id: invitationId, workspace_id: access.workspace.id, status: 'pending' })
        .forUpdate();
      if (!invitation) throw new NotFoundError('Invitation');
      await Invitation.query(uow.trx)
        .patch({ status: 'revoked', respondedAt: new Date() })
        .findById(invitation.id);
      await uow.audit({
        workspaceId: access.workspace.id,
        action: 'invitation.revoke',
        resourceType: 'invitation',
        resourceId: invitation.id,
        before: toInvitationView(invitation),
      });
    });
  }

  async accept(token: string, userId: string): Promise<WorkspaceView> {
    return this.tx.run(userId, async (uow) => {
      const invitation = await this.openInvitation(uow.trx, token, userId);
      const existing = await WorkspaceMember.query(uow.trx).findById([invitation.workspaceId, userId]);
      if (!existing)
        await WorkspaceMember.query(uow.trx).insert({
          workspaceId: invitation.workspaceId,
          userId,
          role: invitation.role,
        });
      await Invitation.query(uow.trx)
        .patch({ status: 'accepted', respondedAt: new Date() })
        .findById(invitation.id);
      await uow.audit({
        workspaceId: invitation.workspaceId,
        action: 'invitation.accept',
        resourceType: 'member',
        resourceId: userId,
        after: { role: existing?.role ?? invitation.role },
      });
      uow.emit('member.added', invitation.workspaceId, { userId, role: existing?.role ?? invitation.role });
      const workspace = await Workspace.query(uow.trx).findById(invitation.workspaceId);
      if (!workspace) throw new NotFoundError('Invitation');
      return toWorkspaceView(workspace, existing?.role ?? invitation.role);
    });
  }

  async decline(token: string, userId: string): Promise<void> {
    await this.tx.run(userId, async (uow) => {
      const invitation = await this.openInvitation(uow.trx, token, userId);
      await Invitation.query(uow.trx)
        .patch({ status: 'declined', respondedAt: new Date() })
        .findById(invitation.id);
      await uow.audit({
        workspaceId: invitation.workspaceId,
        action: 'invitation.decline',
        resourceType: 'invitation',
        resourceId: invitation.id,
      });
    });
  }

  private async openInvitation(trx: Knex, token: string, userId: string): Promise<Invitation> {
    const invitation = await Invitation.query(trx)
      .findOne({ token_hash: hashToken(token) })
      .forUpdate();
    if (!invitation || invitation.status !== 'pending' || invitation.expiresAt.getTime() <= Date.now()) {
      throw new NotFoundError('Invitation');
    }
    const user = await User.query(trx).findById(userId);
    if (!user || user.email !== invitation.email) {
      throw new ForbiddenError(
        'This invitation was sent to another email address',
        'invitation_email_mismatch',
      );
    }
    return invitation;
  }
}
