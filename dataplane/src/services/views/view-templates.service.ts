import type { Knex } from 'knex';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { isUuid, newId } from '../../platform/ids.js';
import type { Column } from '../tables/column.js';
import type { TableCache } from '../tables/table-cache.js';
import type { TransactionRunner } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { isInternal, type ViewAccessInput, type ViewSource } from './view-definition.js';
import type { ViewGate } from './view-gate.js';
import { BUILT_IN_TEMPLATES, type BuiltInTemplate, type TemplateDefinition } from './view-templates.js';
import type { ViewView } from './view-view.js';
import type { ViewsService } from './views.service.js';

export interface TemplateView {
  id: string;
  name: string;
  description: string | null;
  builtIn: boolean;
  /** Built-in templates: the column types their `column` may have. */
  columnTypes: string[] | null;
  /** Saved templates: the definition they apply (without a source). */
  definition: TemplateDefinition | null;
  createdAt: string | null;
}

export interface ApplyTemplateInput {
  templateId: string;
  source: ViewSource;
  name?: string;
  /** Built-in templates: the column (name or id) they are built around. */
  column?: string;
  access?: ViewAccessInput;
}

interface TemplateRecord {
  id: string;
  name: string;
  description: string | null;
  definition: TemplateDefinition;
  created_by: string | null;
  created_at: Date;
}

/** Built-in templates (parameterized by a table's columns) and templates saved from views. */
export class ViewTemplatesService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly views: ViewsService,
    private readonly tables: TableCache,
    private readonly gate: ViewGate,
  ) {}

  async list(access: WorkspaceAccess): Promise<{ data: TemplateView[]; nextCursor: null }> {
    const saved = (await this.table(this.knex, access).orderBy('id').select('*')) as TemplateRecord[];
    return { data: [...BUILT_IN_TEMPLATES.map(builtInView), ...saved.map(savedView)], nextCursor: null };
  }

  /** A new view from a template, validated like any view. */
  async apply(access: WorkspaceAccess, actorId: string, input: ApplyTemplateInput): Promise<ViewView> {
    const builtIn = BUILT_IN_TEMPLATES.find((t) => t.id === input.templateId);
    const template = builtIn ? undefined : await this.saved(this.knex, access, input.templateId);
    const definition = builtIn
      ? await this.build(access, builtIn, input)
      : (template as TemplateRecord).definition;
    return this.views.create(access, actorId, {
      ...definition,
      source: input.source,
      name: input.name ?? (builtIn ?? (template as TemplateRecord)).name,
      ...(input.access ? { access: input.access } : {}),
    });
  }

  /** Saves a view's definition (not its source) as a template of the workspace. */
  async save(
    access: WorkspaceAccess,
    actorId: string,
    viewId: string,
    input: { name: string; description?: string | null },
  ): Promise<TemplateView> {
    const { record } = await this.gate.readable(access, actorId, viewId);
    const { source: _source, ...definition } = record.definition;
    return this.tx.run(actorId, async (uow) => {
      const [row] = (await this.table(uow.trx, access)
        .insert({
          id: newId(),
          name: input.name,
          description: input.description ?? null,
          definition: JSON.stringify(definition),
          created_by: actorId,
        })
        .returning('*')) as TemplateRecord[];
      const view = savedView(row as TemplateRecord);
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'view_template.create',
          resourceType: 'view_template',
          resourceId: view.id,
          after: { ...view, fromView: viewId },
        },
        access.workspace.schemaName,
      );
      return view;
    });
  }

  async delete(access: WorkspaceAccess, actorId: string, templateId: string): Promise<void> {
    await this.tx.run(actorId, async (uow) => {
      const before = await this.saved(uow.trx, access, templateId);
      await this.table(uow.trx, access).where({ id: templateId }).delete();
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'view_template.delete',
          resourceType: 'view_template',
          resourceId: templateId,
          before: savedView(before),
        },
        access.workspace.schemaName,
      );
    });
  }

  /** A built-in template's definition for the source table and the column it names (or the first that fits). */
  private async build(
    access: WorkspaceAccess,
    template: BuiltInTemplate,
    input: ApplyTemplateInput,
  ): Promise<TemplateDefinition> {
    if (!isInternal(input.source))
      throw new ValidationError('built-in templates apply to mini-DB tables', [
        { path: 'source', message: 'built-in templates apply to mini-DB tables (source.tableId)' },
      ]);
    const table = await this.tables.readModel(access, input.source.tableId).catch((error: unknown) => {
      if (error instanceof NotFoundError)
        throw new ValidationError('no such table', [{ path: 'source.tableId', message: 'no such table' }]);
      throw error;
    });
    const fits = (c: Column) => template.columnTypes.includes(c.type);
    const column =
      input.column === undefined
        ? table.table.columns.find(fits)
        : table.table.columns.find((c) => (c.id === input.column || c.name === input.column) && fits(c));
    if (!column)
      throw new ValidationError('no column fits the template', [
        {
          path: 'column',
          message: `the table has no ${input.column === undefined ? '' : `${JSON.stringify(input.column)} `}column of type ${template.columnTypes.join(' or ')}`,
        },
      ]);
    return template.build(table.table, column);
  }

  private async saved(db: Knex, access: WorkspaceAccess, id: string): Promise<TemplateRecord> {
    const row = isUuid(id)
      ? ((await this.table(db, access).where({ id }).first()) as TemplateRecord | undefined)
      : undefined;
    if (!row) throw new NotFoundError('View template');
    return row;
  }

  private table(db: Knex, access: WorkspaceAccess) {
    return db.withSchema(access.workspace.schemaName).table('view_templates');
  }
}

const builtInView = (t: BuiltInTemplate): TemplateView => ({
  id: t.id,
  name: t.name,
  description: t.description,
  builtIn: true,
  columnTypes: [...t.columnTypes],
  definition: null,
  createdAt: null,
});

const savedView = (r: TemplateRecord): TemplateView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  builtIn: false,
  columnTypes: null,
  definition: r.definition,
  createdAt: r.created_at.toISOString(),
});
