import type { Knex } from 'knex';
import { NotFoundError } from '../../platform/errors.js';
import { isUuid, newId } from '../../platform/ids.js';
import { runSqlQuery } from '../../query/sql/index.js';
import { userColumnName, userTableName } from '../../store/user-tables/names.js';
import { quoteIdent, runVerbatim } from '../../store/user-tables/verbatim.js';
import type { RowsService } from '../rows/rows.service.js';
import { fromQueryRow } from '../rows/row-read.js';
import { rowListQuery } from '../rows/row-query.js';
import type { Column } from '../tables/column.js';
import { isStoredType } from '../tables/column-types.js';
import { Metadata, type BaseView, type TableView } from '../tables/metadata.js';
import type { TablesService } from '../tables/tables.service.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { BasesService } from './bases.service.js';
import { BUILT_IN_TEMPLATES, type TemplateDefinition, type TemplateSummary } from './template-definition.js';

/** Values a template cannot carry: numbers the database assigns, files that belong to their table. */
const NOT_TEMPLATED: ReadonlySet<string> = new Set(['autoNumber', 'attachment']);

/** Rows a saved template keeps per table (a template is a starting point, not a backup). */
export const TEMPLATE_ROWS = 1_000;

interface TemplateRow {
  id: string;
  name: string;
  description: string | null;
  definition: TemplateDefinition;
}

/**
 * New bases from existing ones: built-in and saved templates, duplicates (structure only or with
 * data, copied inside PostgreSQL), and saving a base as a template. Each runs in one transaction
 * through the same steps as creating a base and its tables by hand, so every piece is audited.
 */
export class BaseCopiesService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly bases: BasesService,
    private readonly tables: TablesService,
    private readonly rows: RowsService,
  ) {}

  async templates(access: WorkspaceAccess): Promise<TemplateSummary[]> {
    const saved = (await this.knex
      .withSchema(access.workspace.schemaName)
      .table('base_templates')
      .orderBy('created_at')
      .select('*')) as TemplateRow[];
    return [
      ...Object.entries(BUILT_IN_TEMPLATES).map(([id, t]) => summary(id, t, true)),
      ...saved.map((t) => ({
        ...summary(t.id, t.definition, false),
        name: t.name,
        description: t.description,
      })),
    ];
  }

  async fromTemplate(
    access: WorkspaceAccess,
    actorId: string,
    templateId: string,
    name: string | undefined,
  ): Promise<BaseView> {
    const definition = await this.definition(access, templateId);
    return this.tx.run(actorId, (uow) =>
      this.instantiate(uow, access, actorId, { ...definition, name: name ?? definition.name }),
    );
  }

  /** A copy of the base: its tables and columns, and with `withData` every row (new ids). */
  async duplicate(
    access: WorkspaceAccess,
    actorId: string,
    baseId: string,
    input: { name?: string; withData?: boolean },
  ): Promise<BaseView> {
    return this.tx.run(actorId, async (uow) => {
      const meta = new Metadata(uow.trx, access.workspace.schemaName);
      const source = await meta.base(baseId);
      const sources = await this.baseTables(meta, baseId);
      const base = await this.bases.insert(uow, access, actorId, {
        name: input.name ?? `${source.name} (copy)`,
        description: source.description,
        color: source.color,
        icon: source.icon,
      });
      let copiedRows = 0;
      for (const table of sources) {
        const copy = await this.tables.insert(uow, access, base.id, {
          name: table.name,
          description: table.description,
          columns: table.columns.map(specOf),
        });
        if (input.withData) copiedRows += await copyRows(uow.trx, access.workspace.schemaName, table, copy);
      }
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'base.duplicate',
          resourceType: 'base',
          resourceId: base.id,
          after: {
            from: baseId,
            withData: input.withData === true,
            tables: sources.length,
            rows: copiedRows,
          },
        },
        access.workspace.schemaName,
      );
      return base;
    });
  }

  async saveAsTemplate(
    access: WorkspaceAccess,
    actorId: string,
    baseId: string,
    input: { name: string; description?: string | null; withData?: boolean },
  ): Promise<TemplateSummary> {
    const meta = new Metadata(this.knex, access.workspace.schemaName);
    const base = await meta.base(baseId);
    const tables = await this.baseTables(meta, baseId);
    const definition: TemplateDefinition = {
      name: input.name,
      description: input.description ?? base.description,
      color: base.color,
      icon: base.icon,
      tables: [],
    };
    for (const table of tables) {
      const rows = input.withData ? await this.sampleRows(access, table) : undefined;
      definition.tables.push({
        name: table.name,
        description: table.description,
        columns: table.columns.map(specOf),
        ...(rows ? { rows } : {}),
      });
    }
    const id = newId();
    await this.tx.run(actorId, async (uow) => {
      await uow.trx
        .withSchema(access.workspace.schemaName)
        .table('base_templates')
        .insert({
          id,
          name: input.name,
          description: definition.description ?? null,
          definition: JSON.stringify(definition),
          created_by: actorId,
        });
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'template.create',
          resourceType: 'template',
          resourceId: id,
          after: { name: input.name, from: baseId },
        },
        access.workspace.schemaName,
      );
    });
    return { ...summary(id, definition, false), name: input.name };
  }

  private async instantiate(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    actorId: string,
    definition: TemplateDefinition,
  ): Promise<BaseView> {
    const base = await this.bases.insert(uow, access, actorId, {
      name: definition.name,
      description: definition.description ?? null,
      color: definition.color ?? null,
      icon: definition.icon ?? null,
    });
    for (const spec of definition.tables) {
      const table = await this.tables.insert(uow, access, base.id, {
        name: spec.name,
        description: spec.description ?? null,
        columns: spec.columns,
      });
      if (spec.rows?.length) await this.rows.insertRows(uow, access, table, spec.rows);
    }
    return base;
  }

  private async definition(access: WorkspaceAccess, templateId: string): Promise<TemplateDefinition> {
    const builtIn = BUILT_IN_TEMPLATES[templateId];
    if (builtIn) return builtIn;
    if (!isUuid(templateId)) throw new NotFoundError('Template');
    const row = (await this.knex
      .withSchema(access.workspace.schemaName)
      .table('base_templates')
      .where({ id: templateId })
      .first()) as TemplateRow | undefined;
    if (!row) throw new NotFoundError('Template');
    return row.definition;
  }

  private async baseTables(meta: Metadata, baseId: string): Promise<TableView[]> {
    const ids = (await meta
      .tables()
      .where({ base_id: baseId })
      .whereNull('archived_at')
      .orderBy('position')
      .select('id')) as {
      id: string;
    }[];
    const tables: TableView[] = [];
    for (const { id } of ids) tables.push(await meta.table(id));
    return tables;
  }

  /** Up to TEMPLATE_ROWS rows of stored, writable columns, by column name. */
  private async sampleRows(access: WorkspaceAccess, table: TableView) {
    const { query, source, selected } = rowListQuery(access.workspace.schemaName, table, {
      limit: TEMPLATE_ROWS,
    });
    const result = await runSqlQuery(this.knex, query, source.catalog, 'postgres');
    const writable = new Set(
      table.columns.filter((c) => isStoredType(c.type) && !NOT_TEMPLATED.has(c.type)).map((c) => c.name),
    );
    return result.rows.map((row) => {
      const { fields } = fromQueryRow(row, selected, 'name');
      return Object.fromEntries(Object.entries(fields).filter(([name]) => writable.has(name)));
    });
  }
}

function summary(id: string, t: TemplateDefinition, builtIn: boolean): TemplateSummary {
  return {
    id,
    name: t.name,
    description: t.description ?? null,
    builtIn,
    tables: t.tables.map((table) => table.name),
  };
}

function specOf(c: Column) {
  return {
    name: c.name,
    type: c.type,
    options: c.options,
    required: c.required,
    unique: c.unique,
    ...(c.default === null ? {} : { default: c.default }),
    rules: c.rules,
  };
}

/**
 * Copies every row of `from` into `to` inside PostgreSQL (INSERT … SELECT, new row ids), column
 * by column position; autoNumber sequences continue after the copied values.
 */
async function copyRows(
  trx: Knex.Transaction,
  schema: string,
  from: TableView,
  to: TableView,
): Promise<number> {
  const pairs = from.columns
    .map((c, i) => [c, to.columns[i]] as const)
    .filter((p): p is readonly [Column, Column] => p[1] !== undefined && isStoredType(p[0].type));
  const target = `${quoteIdent(schema)}.${quoteIdent(userTableName(to.id))}`;
  const source = `${quoteIdent(schema)}.${quoteIdent(userTableName(from.id))}`;
  const system = 'created_at, updated_at, created_by, updated_by';
  const into = [system, ...pairs.map(([, c]) => quoteIdent(userColumnName(c.id)))].join(', ');
  const select = [system, ...pairs.map(([c]) => quoteIdent(userColumnName(c.id)))].join(', ');
  const inserted = await runVerbatim(
    trx,
    `WITH copied AS (INSERT INTO ${target} (id, ${into}) SELECT gen_random_uuid(), ${select} FROM ${source} RETURNING 1) SELECT count(*)::int AS n FROM copied`,
  );
  for (const [, c] of pairs.filter(([c]) => c.type === 'autoNumber')) {
    const column = userColumnName(c.id);
    await runVerbatim(
      trx,
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quoteIdent(column)}) FROM ${target}), 0) + 1, false)`,
      [`${quoteIdent(schema)}.${quoteIdent(userTableName(to.id))}`, column],
    );
  }
  return Number(inserted[0]?.n ?? 0);
}
