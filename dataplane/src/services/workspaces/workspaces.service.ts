import type { Knex } from 'knex';
import { ConflictError, ManagedByOperatorError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { quoteIdent, workspaceSchemaName } from '../../store/identifiers.js';
import { migrateWorkspaceSchema } from '../../store/migrator.js';
import { Workspace, type WorkspaceSettings } from '../../store/models/workspace.model.js';
import { WorkspaceMember } from '../../store/models/workspace-member.model.js';
import { applyKeyset, toPage, type Page } from '../../store/keyset.js';
import { isUniqueViolation } from '../../store/pg-errors.js';
import type { Role } from '../../store/roles.js';
import type { TransactionRunner } from '../unit-of-work.js';
import { toWorkspaceView, type WorkspaceView } from './workspace-view.js';
import type { WorkspaceAccess } from './workspace-access.js';

export interface CreateWorkspaceInput {
  name: string;
  slug?: string;
  description?: string;
  settings?: WorkspaceSettings;
}

export interface UpdateWorkspaceInput {
  name?: string;
  description?: string;
  settings?: WorkspaceSettings;
}

export class WorkspacesService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly tenantSlug: string | undefined,
  ) {}

  async listForUser(userId: string, limit: number, cursor: string | undefined): Promise<Page<WorkspaceView>> {
    const query = Workspace.query(this.knex)
      .select('workspaces.*', 'm.role')
      .join('workspace_members as m', 'm.workspace_id', 'workspaces.id')
      .where('m.user_id', userId);
    if (this.tenantSlug) query.where('workspaces.slug', this.tenantSlug);
    const rows = (await applyKeyset(
      query,
      [{ column: 'workspaces.id', kind: 'uuid' }],
      cursor,
      limit,
    )) as (Workspace & {
      role: Role;
    })[];
    return toPage(
      rows,
      limit,
      (w) => [w.id],
      (w) => toWorkspaceView(w, w.role),
    );
  }

  /** The caller becomes the owner; the workspace's schema exists before this returns. */
  async create(userId: string, input: CreateWorkspaceInput): Promise<WorkspaceView> {
    if (this.tenantSlug) throw new ManagedByOperatorError();
    const slug = input.slug ?? generateSlug(input.name);
    const schemaName = workspaceSchemaName(slug);
    try {
      const workspace = await this.tx.run(userId, async (uow) => {
        const created = await Workspace.query(uow.trx).insertAndFetch({
          id: newId(),
          slug,
          name: input.name.trim(),
          description: input.description ?? '',
          schemaName,
          settings: input.settings ?? {},
          createdBy: userId,
        });
        await WorkspaceMember.query(uow.trx).insert({ workspaceId: created.id, userId, role: 'owner' });
        // Same transaction: the workspace, its schema and its audit entry exist together or not at all.
        await migrateWorkspaceSchema(uow.trx, schemaName);
        await uow.audit({
          workspaceId: created.id,
          action: 'workspace.create',
          resourceType: 'workspace',
          resourceId: created.id,
          after: toWorkspaceView(created),
        });
        uow.emit('workspace.created', created.id, { workspace: toWorkspaceView(created) });
        return created;
      });
      return toWorkspaceView(workspace, 'owner');
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`A workspace with slug "${slug}" already exists`, 'slug_taken');
      throw error;
    }
  }

  async update(access: WorkspaceAccess, userId: string, input: UpdateWorkspaceInput): Promise<WorkspaceView> {
    const updated = await this.tx.run(userId, async (uow) => {
      // Re-read under a row lock: settings are merged, so two concurrent updates must not both
      // start from the row as it was when their requests were authorized.
      const before = await Workspace.query(uow.trx).findById(access.workspace.id).forUpdate();
      if (!before) throw new NotFoundError('Workspace');
      const next = await Workspace.query(uow.trx).patchAndFetchById(before.id, {
        ...(input.name !== undefined ? { name: input.name.trim() } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.settings !== undefined ? { settings: { ...before.settings, ...input.settings } } : {}),
        updatedAt: new Date(),
      });
      await uow.audit({
        workspaceId: before.id,
        action: 'workspace.update',
        resourceType: 'workspace',
        resourceId: before.id,
        before: toWorkspaceView(before),
        after: toWorkspaceView(next),
      });
      uow.emit('workspace.updated', before.id, { workspace: toWorkspaceView(next) });
      return next;
    });
    return toWorkspaceView(updated, access.role);
  }

  /** Removes the workspace, its memberships and its schema in one transaction. */
  async delete(access: WorkspaceAccess, userId: string): Promise<void> {
    if (this.tenantSlug) throw new ManagedByOperatorError();
    const { workspace } = access;
    await this.tx.run(userId, async (uow) => {
      await Workspace.query(uow.trx).deleteById(workspace.id);
      await uow.trx.raw(`DROP SCHEMA IF EXISTS ${quoteIdent(workspace.schemaName)} CASCADE`);
      await uow.audit({
        workspaceId: workspace.id,
        action: 'workspace.delete',
        resourceType: 'workspace',
        resourceId: workspace.id,
        before: toWorkspaceView(workspace),
      });
      uow.emit('workspace.deleted', workspace.id, { workspaceId: workspace.id });
    });
  }
}

/** A readable, unique-enough slug: `acme-sales-k3f9`. Only [a-z0-9-], so the schema name is safe. */
export function generateSlug(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '') // accents split off by NFKD: "Ünï" -> "Uni", not "U-ni"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/, '');
  const suffix = newId().replaceAll('-', '').slice(-6);
  return /^[a-z]/.test(base) ? `${base}-${suffix}` : `ws-${base ? base + '-' : ''}${suffix}`;
}
