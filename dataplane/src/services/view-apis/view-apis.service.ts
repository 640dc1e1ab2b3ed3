import type { Knex } from 'knex';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../store/pg-errors.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { ApiKeysService } from './api-keys.service.js';
import type { IssuedApiKey } from './api-key.js';
import type { SlugDirectory } from './slug-directory.js';
import {
  settingsColumns,
  toViewApiView,
  type ViewApiInput,
  type ViewApiRow,
  type ViewApiView,
} from './view-api.js';
import { viewApiOfView } from './view-api-lookup.js';
import type { ViewEditors, ViewRunner } from './view-runner.port.js';

export interface Published {
  api: ViewApiView;
  /** Publishing with `auth: apiKey` issues a first key; its secret is shown this once. */
  apiKey?: IssuedApiKey;
}

/**
 * Publishing a view as a public API, changing and withdrawing it. Each change is one
 * transaction with its audit entry; its `workspace.changed` (published by the unit of work)
 * makes every replica forget what it cached of the API, so a disabled or deleted API answers
 * 404 on the next request here and within a Redis round trip elsewhere (ADR 0012, 0020).
 */
export class ViewApisService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly views: ViewRunner,
    private readonly editors: ViewEditors,
    private readonly slugs: SlugDirectory,
    private readonly keys: ApiKeysService,
  ) {}

  async get(access: WorkspaceAccess, userId: string, viewId: string): Promise<ViewApiView> {
    await this.editors.assertCanEdit(access, userId, viewId);
    const row = await viewApiOfView(this.knex, access.workspace.schemaName, viewId);
    return toViewApiView(row, await this.slugs.previous(this.knex, row.id));
  }

  async create(
    access: WorkspaceAccess,
    actorId: string,
    viewId: string,
    input: ViewApiInput,
  ): Promise<Published> {
    await this.editors.assertCanEdit(access, actorId, viewId);
    await this.views.describe(access.workspace.id, viewId);
    return this.write(actorId, async (uow) => {
      const schema = access.workspace.schemaName;
      const existing = await uow.trx
        .withSchema(schema)
        .table('view_apis')
        .where({ view_id: viewId })
        .first('id');
      if (existing) throw new ConflictError('This view is published already', 'view_api_exists');
      const id = newId();
      // The directory first: a taken slug is a 409 slug_taken, whoever holds it.
      await this.slugs.claim(uow.trx, input.slug, access.workspace.id, id);
      const [row] = await uow.trx
        .withSchema(schema)
        .table('view_apis')
        .insert({ id, view_id: viewId, ...settingsColumns(input), created_by: actorId })
        .returning<ViewApiRow[]>('*');
      const api = toViewApiView(row as ViewApiRow);
      await this.audit(uow, access, 'view_api.create', viewId, { after: api });
      uow.emit('view_api.created', access.workspace.id, { viewApiId: id, viewId, slug: api.slug });
      const apiKey = input.auth === 'apiKey' ? await this.keys.issue(uow, access, id, {}) : undefined;
      return apiKey ? { api, apiKey } : { api };
    });
  }

  /** Replaces the settings; a new slug renames the API (the old one redirects for a while). */
  async update(
    access: WorkspaceAccess,
    actorId: string,
    viewId: string,
    input: ViewApiInput,
  ): Promise<ViewApiView> {
    await this.editors.assertCanEdit(access, actorId, viewId);
    const updated = await this.write(actorId, async (uow) => {
      const schema = access.workspace.schemaName;
      const before = await viewApiOfView(uow.trx, schema, viewId, true);
      if (input.slug !== before.slug)
        await this.slugs.rename(uow.trx, before.slug, input.slug, access.workspace.id, before.id);
      const [row] = await uow.trx
        .withSchema(schema)
        .table('view_apis')
        .where({ id: before.id })
        .update({ ...settingsColumns(input), version: before.version + 1, updated_at: uow.trx.fn.now() })
        .returning<ViewApiRow[]>('*');
      const after = toViewApiView(row as ViewApiRow);
      await this.audit(uow, access, 'view_api.update', viewId, { before: toViewApiView(before), after });
      uow.emit('view_api.updated', access.workspace.id, { viewApiId: before.id, viewId, slug: after.slug });
      return row as ViewApiRow;
    });
    return toViewApiView(updated, await this.slugs.previous(this.knex, updated.id));
  }

  /** Withdraws the API: its keys, usage and slugs go with it (its slugs answer 404 at once). */
  async delete(access: WorkspaceAccess, actorId: string, viewId: string): Promise<void> {
    await this.editors.assertCanEdit(access, actorId, viewId);
    await this.tx.run(actorId, async (uow) => {
      const before = await viewApiOfView(uow.trx, access.workspace.schemaName, viewId, true);
      await this.remove(uow, access, before);
    });
  }

  /**
   * In the transaction that deletes a view: withdraws its API if it has one, so no slug or key
   * outlives the view it served.
   */
  async withdraw(uow: UnitOfWork, access: WorkspaceAccess, viewId: string): Promise<void> {
    const before = (await uow.trx
      .withSchema(access.workspace.schemaName)
      .table('view_apis')
      .where({ view_id: viewId })
      .forUpdate()
      .first()) as ViewApiRow | undefined;
    if (before) await this.remove(uow, access, before);
  }

  private async remove(uow: UnitOfWork, access: WorkspaceAccess, before: ViewApiRow): Promise<void> {
    await this.slugs.release(uow.trx, before.id);
    await uow.trx
      .withSchema(access.workspace.schemaName)
      .table('view_apis')
      .where({ id: before.id })
      .delete();
    await this.audit(uow, access, 'view_api.delete', before.view_id, { before: toViewApiView(before) });
    uow.emit('view_api.deleted', access.workspace.id, { viewApiId: before.id, viewId: before.view_id });
  }

  private audit(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    action: string,
    viewId: string,
    change: { before?: ViewApiView; after?: ViewApiView },
  ): Promise<void> {
    const id = change.after?.id ?? change.before?.id ?? null;
    return uow.audit(
      {
        workspaceId: access.workspace.id,
        action,
        resourceType: 'view_api',
        resourceId: id,
        parentId: viewId,
        ...change,
      },
      access.workspace.schemaName,
    );
  }

  /** Two publishers racing for one view or one slug: the loser gets the same 409 as later. A view deleted meanwhile: 404. */
  private async write<T>(actorId: string, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    try {
      return await this.tx.run(actorId, work);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError('This view or slug is published already', 'conflict');
      // The view was deleted while it was being published.
      if (isForeignKeyViolation(error)) throw new NotFoundError('View');
      throw error;
    }
  }
}
