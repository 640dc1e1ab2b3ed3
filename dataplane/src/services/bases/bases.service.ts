import type { Knex } from 'knex';
import { newId } from '../../platform/ids.js';
import { applyKeyset, toPage, type Page } from '../../store/keyset.js';
import { dropUserTable } from '../../store/user-tables/ddl.js';
import { Metadata, toBaseView, type BaseRow, type BaseView } from '../tables/metadata.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';

export interface BaseInput {
  name: string;
  description?: string | null;
  color?: string | null;
  icon?: string | null;
}

/** Bases of a workspace: containers of tables, each change audited in its transaction. */
export class BasesService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
  ) {}

  async list(access: WorkspaceAccess, limit: number, cursor: string | undefined): Promise<Page<BaseView>> {
    const query = this.meta(this.knex, access).bases().select('*');
    const rows = (await applyKeyset(query, [{ column: 'id', kind: 'uuid' }], cursor, limit)) as BaseRow[];
    return toPage(
      rows,
      limit,
      (r) => [r.id],
      (r) => toBaseView(r, access.workspace.id),
    );
  }

  async get(access: WorkspaceAccess, id: string): Promise<BaseView> {
    return toBaseView(await this.meta(this.knex, access).base(id), access.workspace.id);
  }

  async create(access: WorkspaceAccess, actorId: string, input: BaseInput): Promise<BaseView> {
    return this.tx.run(actorId, (uow) => this.insert(uow, access, actorId, input));
  }

  /** Inside a caller's unit of work (templates and duplicates create a base with its tables). */
  async insert(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    actorId: string,
    input: BaseInput,
  ): Promise<BaseView> {
    const id = newId();
    const workspaceId = access.workspace.id;
    const [row] = (await this.meta(uow.trx, access)
      .bases()
      .insert({
        id,
        name: input.name,
        description: input.description ?? null,
        color: input.color ?? null,
        icon: input.icon ?? null,
        created_by: actorId,
      })
      .returning('*')) as BaseRow[];
    await uow.trx('resource_directory').insert({ id, workspace_id: workspaceId, kind: 'base', base_id: id });
    const view = toBaseView(row as BaseRow, workspaceId);
    await uow.audit(
      { workspaceId, action: 'base.create', resourceType: 'base', resourceId: id, after: view },
      access.workspace.schemaName,
    );
    uow.emit('base.created', workspaceId, { base: view });
    return view;
  }

  async update(
    access: WorkspaceAccess,
    actorId: string,
    id: string,
    input: Partial<BaseInput>,
  ): Promise<BaseView> {
    return this.tx.run(actorId, async (uow) => {
      const meta = this.meta(uow.trx, access);
      const before = toBaseView(await meta.base(id, true), access.workspace.id);
      const [row] = (await meta
        .bases()
        .where({ id })
        .update({
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.color !== undefined ? { color: input.color } : {}),
          ...(input.icon !== undefined ? { icon: input.icon } : {}),
          updated_at: new Date(),
        })
        .returning('*')) as BaseRow[];
      const after = toBaseView(row as BaseRow, access.workspace.id);
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'base.update',
          resourceType: 'base',
          resourceId: id,
          before,
          after,
        },
        access.workspace.schemaName,
      );
      uow.emit('base.updated', access.workspace.id, { base: after });
      return after;
    });
  }

  /** Deletes the base, its tables' data and metadata, in one transaction. */
  async delete(access: WorkspaceAccess, actorId: string, id: string): Promise<void> {
    await this.tx.run(actorId, async (uow) => {
      const meta = this.meta(uow.trx, access);
      const before = toBaseView(await meta.base(id, true), access.workspace.id);
      const tables = (await meta.tables().where({ base_id: id }).select('id')) as { id: string }[];
      for (const table of tables) await dropUserTable(uow.trx, access.workspace.schemaName, table.id);
      await uow
        .trx('resource_directory')
        .whereIn('id', [id, ...tables.map((t) => t.id)])
        .delete();
      await meta.bases().where({ id }).delete();
      await uow.trx('base_member_roles').where({ base_id: id }).delete();
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'base.delete',
          resourceType: 'base',
          resourceId: id,
          before: { ...before, tableIds: tables.map((t) => t.id) },
        },
        access.workspace.schemaName,
      );
      uow.emit('base.deleted', access.workspace.id, { baseId: id, tableIds: tables.map((t) => t.id) });
    });
  }

  private meta(db: Knex, access: WorkspaceAccess): Metadata {
    return new Metadata(db, access.workspace.schemaName);
  }
}
