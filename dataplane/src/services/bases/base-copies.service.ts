import type { Knex } from 'knex';
import { NotFoundError } from '../../platform/errors.js';
import { isUuid, newId } from '../../platform/ids.js';
import { runSqlQuery } from '../../query/sql/index.js';
import {
  renamesFor,
  type AttachmentCopier,
  type AttachmentCopies,
  type CopyOwner,
} from '../attachments/attachment-copies.js';
import { attachmentIdsInRows, attachmentIdsInTable, renameCellsInRows } from '../attachments/copied-cells.js';
import type { RowsService } from '../rows/rows.service.js';
import type { FieldsInput } from '../rows/row-values.js';
import { fromQueryRow } from '../rows/row-read.js';
import { rowListQuery } from '../rows/row-query.js';
import type { Column } from '../tables/column.js';
import { isStoredType } from '../tables/column-types.js';
import { Metadata, type BaseView, type TableView } from '../tables/metadata.js';
import type { TablesService } from '../tables/tables.service.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { BasesService } from './bases.service.js';
import { columnPairs, copyRows } from './table-data-copy.js';
import { BUILT_IN_TEMPLATES, type TemplateDefinition, type TemplateSummary } from './template-definition.js';

/** Values a template cannot carry: numbers the database assigns. */
const NOT_TEMPLATED: ReadonlySet<string> = new Set(['autoNumber']);

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
 * Files of attachment cells are copied with the rows (ADR 0014): a duplicate's tables and a
 * saved template own their copies, and a base made from a template gets copies of the template's.
 */
export class BaseCopiesService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly bases: BasesService,
    private readonly tables: TablesService,
    private readonly rows: RowsService,
    private readonly files: AttachmentCopier,
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
    return this.files.withCopies(access, (copies) =>
      this.tx.run(actorId, (uow) =>
        this.instantiate(uow, access, actorId, { ...definition, name: name ?? definition.name }, copies),
      ),
    );
  }

  /**
   * A copy of the base: its tables and columns, and with `withData` every row (new ids) and the
   * files its attachment cells name (new attachment ids, the cells naming them).
   */
  async duplicate(
    access: WorkspaceAccess,
    actorId: string,
    baseId: string,
    input: { name?: string; withData?: boolean },
  ): Promise<BaseView> {
    return this.files.withCopies(access, (copies) =>
      this.tx.run(actorId, (uow) => this.duplicateIn(uow, access, copies, actorId, baseId, input)),
    );
  }

  private async duplicateIn(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    copies: AttachmentCopies,
    actorId: string,
    baseId: string,
    input: { name?: string; withData?: boolean },
  ): Promise<BaseView> {
    const schema = access.workspace.schemaName;
    const meta = new Metadata(uow.trx, schema);
    const source = await meta.base(baseId);
    const sources = await this.baseTables(meta, baseId);
    const base = await this.bases.insert(uow, access, actorId, {
      name: input.name ?? `${source.name} (copy)`,
      description: source.description,
      color: source.color,
      icon: source.icon,
    });
    let copiedRows = 0;
    let copiedFiles = 0;
    for (const table of sources) {
      const policy = table.settings.conflictPolicy;
      const copy = await this.tables.insert(uow, access, base.id, {
        name: table.name,
        description: table.description,
        columns: table.columns.map(specOf),
        // Column ids change in a copy; the conflict policy names none, so it is kept.
        ...(policy ? { settings: { conflictPolicy: policy } } : {}),
      });
      if (!input.withData) continue;
      const files = renamesFor(await attachmentIdsInTable(uow.trx, schema, table));
      const renames = await copies.copy(uow, files, {
        tableId: copy.id,
        baseId: base.id,
        columnIds: new Map(columnPairs(table, copy).map(([c, d]) => [c.id, d.id])),
      });
      copiedRows += await copyRows(uow.trx, schema, table, copy, renames);
      copiedFiles += renames.size;
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
          attachments: copiedFiles,
        },
      },
      schema,
    );
    return base;
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
    await this.files.withCopies(access, (copies) =>
      this.tx.run(actorId, async (uow) => {
        // The template keeps its own copies of the files its rows name (the row comes after them).
        let files = 0;
        for (const table of definition.tables) {
          if (!table.rows) continue;
          const copied = await this.copyRowFiles(uow, copies, table.columns, table.rows, { templateId: id });
          table.rows = copied.rows;
          files += copied.files;
        }
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
            after: { name: input.name, from: baseId, attachments: files },
          },
          access.workspace.schemaName,
        );
      }),
    );
    return { ...summary(id, definition, false), name: input.name };
  }

  private async instantiate(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    actorId: string,
    definition: TemplateDefinition,
    copies: AttachmentCopies,
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
      if (!spec.rows?.length) continue;
      const owner = { tableId: table.id, baseId: base.id };
      const { rows } = await this.copyRowFiles(uow, copies, spec.columns, spec.rows, owner);
      await this.rows.insertRows(uow, access, table, rows);
    }
    return base;
  }

  /** Copies the files attachment cells of `rows` name, for `owner`; the rows naming the copies. */
  private async copyRowFiles(
    uow: UnitOfWork,
    copies: AttachmentCopies,
    columns: readonly { name: string; type: string }[],
    rows: FieldsInput[],
    owner: CopyOwner,
  ): Promise<{ rows: FieldsInput[]; files: number }> {
    const names = columns.filter((c) => c.type === 'attachment').map((c) => c.name);
    if (names.length === 0) return { rows, files: 0 };
    const renames = await copies.copy(uow, renamesFor(attachmentIdsInRows(rows, names)), owner);
    return { rows: renameCellsInRows(rows, names, renames), files: renames.size };
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
