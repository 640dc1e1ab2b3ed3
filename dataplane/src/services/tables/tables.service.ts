import type { Knex } from 'knex';
import { ConflictError, ValidationError, type FieldProblem } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { applyKeyset, toPage, type Page } from '../../store/keyset.js';
import { isUniqueViolation } from '../../store/pg-errors.js';
import {
  createUserTable,
  dropUserTable,
  setPatternCheck,
  setUniqueIndex,
} from '../../store/user-tables/ddl.js';
import type { TransactionRunner, UnitOfWork } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { Column } from './column.js';
import { columnFromSpec, physicalColumnOf, type ColumnSpec } from './column-spec.js';
import { checkFormulas } from './formula-check.js';
import { checkLinkedColumns, createLinkStorage } from './linked-columns.js';
import {
  Metadata,
  toColumn,
  toTableView,
  type ColumnRow,
  type TableRow,
  type TableSettings,
  type TableView,
} from './metadata.js';
import { recordSchemaChange } from './schema-change.js';

export interface TableInput {
  name: string;
  description?: string | null;
  columns?: ColumnSpec[];
  settings?: TableSettings;
}

export interface TableUpdate {
  name?: string;
  description?: string | null;
  settings?: TableSettings;
}

/**
 * Tables of a base. Each is a real PostgreSQL table `t_<id>` in the workspace schema, created,
 * altered and dropped in the same transaction as its metadata, its audit entry and its schema
 * change-log entry.
 */
export class TablesService {
  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
  ) {}

  async list(
    access: WorkspaceAccess,
    baseId: string,
    limit: number,
    cursor: string | undefined,
    archived = false,
  ): Promise<Page<TableView>> {
    const meta = this.meta(this.knex, access);
    await meta.base(baseId);
    const query = meta.tables().where({ base_id: baseId }).select('*');
    if (archived) void query.whereNotNull('archived_at');
    else void query.whereNull('archived_at');
    const rows = (await applyKeyset(query, [{ column: 'id', kind: 'uuid' }], cursor, limit)) as TableRow[];
    const columns = rows.length
      ? (
          (await meta
            .columns()
            .whereIn(
              'table_id',
              rows.map((r) => r.id),
            )
            .orderBy([{ column: 'position' }, { column: 'id' }])) as ColumnRow[]
        ).map(toColumn)
      : [];
    return toPage(
      rows,
      limit,
      (r) => [r.id],
      (r) =>
        toTableView(
          r,
          columns.filter((c) => c.tableId === r.id),
        ),
    );
  }

  async get(access: WorkspaceAccess, id: string): Promise<TableView> {
    return this.meta(this.knex, access).table(id);
  }

  /** The table's schema change log: one entry per schema version, oldest first. */
  async changes(
    access: WorkspaceAccess,
    id: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<SchemaChangeView>> {
    await this.meta(this.knex, access).table(id, { archived: true });
    const query = this.knex
      .withSchema(access.workspace.schemaName)
      .table('table_changes')
      .where({ table_id: id })
      .select('*');
    const rows = (await applyKeyset(
      query,
      [{ column: 'version', kind: 'integer' }],
      cursor,
      limit,
    )) as ChangeRow[];
    return toPage(rows, limit, (r) => [r.version], toSchemaChangeView);
  }

  async create(
    access: WorkspaceAccess,
    actorId: string,
    baseId: string,
    input: TableInput,
  ): Promise<TableView> {
    return this.tx.run(actorId, (uow) => this.insert(uow, access, baseId, input));
  }

  /** Inside a caller's unit of work (templates and duplicates create several tables). */
  async insert(
    uow: UnitOfWork,
    access: WorkspaceAccess,
    baseId: string,
    input: TableInput,
  ): Promise<TableView> {
    const schema = access.workspace.schemaName;
    const meta = this.meta(uow.trx, access);
    await meta.base(baseId, true);
    const id = newId();
    const columns = columnsFromSpecs(input.columns ?? [], id);
    assertDistinctNames(columns);
    const { max } = (await meta.tables().where({ base_id: baseId }).max('position as max').first()) as {
      max: number | null;
    };
    const [row] = (await this.guardName(() =>
      meta
        .tables()
        .insert({
          id,
          base_id: baseId,
          name: input.name.trim(),
          description: input.description ?? null,
          position: (max ?? -1) + 1,
          schema_version: 0,
          settings: JSON.stringify(input.settings ?? {}),
          created_by: uow.actorId,
        })
        .returning('*'),
    )) as TableRow[];
    if (columns.length > 0) await meta.columns().insert(columns.map(columnRow));
    const view = toTableView(row as TableRow, columns);
    await checkFormulas(meta, view, (name) => `columns[${columns.findIndex((c) => c.name === name)}]`);
    await createUserTable(
      uow.trx,
      schema,
      id,
      columns.flatMap((c) => physicalColumnOf(c) ?? []),
    );
    for (const column of columns) await applyConstraints(uow.trx, schema, column);
    await checkLinkedColumns(meta, view, columns, (c) => `columns[${columns.indexOf(c)}]`);
    for (const column of columns) await createLinkStorage(uow.trx, schema, column);
    await uow
      .trx('resource_directory')
      .insert({ id, workspace_id: access.workspace.id, kind: 'table', base_id: baseId });
    const version = await recordSchemaChange(uow, access, {
      tableId: id,
      action: 'table.create',
      resourceType: 'table',
      resourceId: id,
      after: view,
    });
    return { ...view, schemaVersion: version };
  }

  async update(access: WorkspaceAccess, actorId: string, id: string, input: TableUpdate): Promise<TableView> {
    return this.tx.run(actorId, async (uow) => {
      const meta = this.meta(uow.trx, access);
      const before = await meta.table(id, { lock: true });
      if (
        input.settings?.primaryColumnId &&
        !before.columns.some((c) => c.id === input.settings?.primaryColumnId)
      )
        throw new ValidationError('invalid table settings', [
          { path: 'settings.primaryColumnId', message: 'is not a column of this table' },
        ]);
      await this.guardName(() =>
        meta
          .tables()
          .where({ id })
          .update({
            ...(input.name !== undefined ? { name: input.name.trim() } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
            // Merged, as workspace settings are: setting the conflict policy keeps the primary column.
            ...(input.settings !== undefined
              ? { settings: JSON.stringify({ ...before.settings, ...input.settings }) }
              : {}),
          }),
      );
      const after = await meta.table(id);
      const version = await recordSchemaChange(uow, access, {
        tableId: id,
        action: 'table.update',
        resourceType: 'table',
        resourceId: id,
        before: withoutColumns(before),
        after: withoutColumns(after),
      });
      return { ...after, schemaVersion: version };
    });
  }

  /** Archive (soft delete, restorable) or restore. An archived table answers 404 to data routes. */
  async setArchived(
    access: WorkspaceAccess,
    actorId: string,
    id: string,
    archived: boolean,
  ): Promise<TableView> {
    return this.tx.run(actorId, async (uow) => {
      const meta = this.meta(uow.trx, access);
      const before = await meta.table(id, { lock: true, archived: true });
      if ((before.archivedAt !== null) === archived) return before;
      await this.guardName(() =>
        meta
          .tables()
          .where({ id })
          .update({ archived_at: archived ? new Date() : null }),
      );
      const after = await meta.table(id, { archived: true });
      const version = await recordSchemaChange(uow, access, {
        tableId: id,
        action: archived ? 'table.archive' : 'table.restore',
        resourceType: 'table',
        resourceId: id,
        before: withoutColumns(before),
        after: withoutColumns(after),
      });
      return { ...after, schemaVersion: version };
    });
  }

  /** Hard delete: the physical table, its metadata and directory entry, in one transaction. */
  async delete(access: WorkspaceAccess, actorId: string, id: string): Promise<void> {
    await this.tx.run(actorId, async (uow) => {
      const meta = this.meta(uow.trx, access);
      const before = await meta.table(id, { lock: true, archived: true });
      await dropUserTable(uow.trx, access.workspace.schemaName, id);
      await meta.tables().where({ id }).delete();
      await uow.trx('resource_directory').where({ id }).delete();
      await uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'table.delete',
          resourceType: 'table',
          resourceId: id,
          parentId: id,
          before,
        },
        access.workspace.schemaName,
      );
      uow.emit('schema.changed', access.workspace.id, { tableId: id, action: 'table.delete' });
    });
  }

  private async guardName<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError('A table with this name exists in the base', 'name_taken');
      throw error;
    }
  }

  private meta(db: Knex, access: WorkspaceAccess): Metadata {
    return new Metadata(db, access.workspace.schemaName);
  }
}

interface ChangeRow {
  version: number;
  action: string;
  detail: { resourceId?: string; before?: unknown; after?: unknown };
  actor_id: string | null;
  created_at: Date;
  purged_at: Date | null;
}

export interface SchemaChangeView {
  version: number;
  action: string;
  resourceId: string | null;
  before: unknown;
  after: unknown;
  actorId: string | null;
  createdAt: string;
  /** column.delete: when the column's kept data was dropped for good (no revert after that). */
  purgedAt: string | null;
}

const toSchemaChangeView = (r: ChangeRow): SchemaChangeView => ({
  version: r.version,
  action: r.action,
  resourceId: r.detail.resourceId ?? null,
  before: r.detail.before ?? null,
  after: r.detail.after ?? null,
  actorId: r.actor_id,
  createdAt: r.created_at.toISOString(),
  purgedAt: r.purged_at?.toISOString() ?? null,
});

/** The metadata row of a column, as inserted. */
export function columnRow(c: Column): Record<string, unknown> {
  return {
    id: c.id,
    table_id: c.tableId,
    name: c.name,
    type: c.type,
    options: JSON.stringify(c.options),
    required: c.required,
    is_unique: c.unique,
    default_value: c.default === null ? null : JSON.stringify({ value: c.default }),
    rules: JSON.stringify(c.rules),
    position: c.position,
  };
}

/** Unique index and pattern CHECK of a stored column. */
export async function applyConstraints(trx: Knex.Transaction, schema: string, column: Column): Promise<void> {
  if (!physicalColumnOf(column)) return;
  if (column.unique) await setUniqueIndex(trx, schema, column.tableId, column.id, true);
  if (column.rules.pattern !== undefined)
    await setPatternCheck(trx, schema, column.tableId, column.id, column.rules.pattern);
}

/** Every spec checked, every problem of every column reported at once. */
function columnsFromSpecs(specs: readonly ColumnSpec[], tableId: string): Column[] {
  const problems: FieldProblem[] = [];
  const columns = specs.flatMap((spec, i) => {
    try {
      return [columnFromSpec(spec, tableId, i, `columns[${i}]`)];
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.errors);
      return [];
    }
  });
  if (problems.length > 0) throw new ValidationError('invalid columns', problems);
  return columns;
}

export function assertDistinctNames(columns: readonly Column[]): void {
  const seen = new Map<string, number>();
  const problems = columns.flatMap((c, i) => {
    const key = c.name.toLowerCase();
    const first = seen.get(key);
    seen.set(key, first ?? i);
    return first === undefined
      ? []
      : [{ path: `columns[${i}].name`, message: `duplicate column name "${c.name}"` }];
  });
  if (problems.length > 0) throw new ValidationError('invalid columns', problems);
}

const withoutColumns = (t: TableView): Omit<TableView, 'columns'> => {
  const { columns: _columns, ...rest } = t;
  return rest;
};
