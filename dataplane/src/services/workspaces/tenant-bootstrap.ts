import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger.js';
import { newId } from '../../platform/ids.js';
import { User } from '../../store/models/user.model.js';
import { Workspace } from '../../store/models/workspace.model.js';
import { WorkspaceMember } from '../../store/models/workspace-member.model.js';
import type { RegistrationHook } from '../auth/auth.service.js';

export interface TenantSpec {
  slug: string;
  schema: string;
  ownerEmail: string | undefined;
  displayName: string;
}

/**
 * Tenant mode: the process serves one workspace that the operator created. Its row is made at
 * start-up; the configured owner becomes owner at start-up when already registered, otherwise
 * the moment they sign up.
 */
export class TenantBootstrap {
  constructor(
    private readonly tenant: TenantSpec,
    private readonly log: Logger,
  ) {}

  /** Runs inside the start-up migration lock, before workspace schemas are migrated. */
  readonly ensureWorkspace = async (knex: Knex): Promise<void> => {
    await knex('workspaces')
      .insert({
        id: newId(),
        slug: this.tenant.slug,
        name: this.tenant.displayName,
        schema_name: this.tenant.schema,
        settings: '{}',
      })
      .onConflict('slug')
      .ignore();
    const owner = this.tenant.ownerEmail
      ? await User.query(knex).findOne({ email: this.tenant.ownerEmail })
      : undefined;
    if (owner) await this.makeOwner(knex, owner);
    this.log.info({ workspace: this.tenant.slug, schema: this.tenant.schema }, 'tenant workspace ready');
  };

  readonly onRegistered: RegistrationHook = async (uow, user) => {
    if (user.email !== this.tenant.ownerEmail) return;
    const workspaceId = await this.makeOwner(uow.trx, user);
    await uow.audit({
      workspaceId,
      action: 'member.bootstrap_owner',
      resourceType: 'member',
      resourceId: user.id,
      after: { role: 'owner' },
    });
  };

  private async makeOwner(knex: Knex, user: User): Promise<string> {
    const workspace = await Workspace.query(knex).findOne({ slug: this.tenant.slug });
    if (!workspace) throw new Error(`tenant workspace ${this.tenant.slug} is missing`);
    await WorkspaceMember.query(knex)
      .insert({ workspaceId: workspace.id, userId: user.id, role: 'owner' })
      .onConflict(['workspace_id', 'user_id'])
      .merge({ role: 'owner' });
    return workspace.id;
  }
}
