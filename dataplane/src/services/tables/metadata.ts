import type { Knex } from 'knex';
import { NotFoundError } from '../../platform/errors.js';
import type { Column, ColumnOptions, ColumnRules, ColumnType } from './column.js';
import type { ConflictPolicy } from './conflict-policy.js';

/** Rows of the mini-DB metadata tables, as knex returns them. */
export interface BaseRow {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  icon: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface TableRow {
  id: string;
  base_id: string;
  name: string;
  description: string | null;
  position: number;
  schema_version: number;
  settings: TableSettings;
  archived_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ColumnRow {
  id: string;
  table_id: string;
  name: string;
  type: ColumnType;
  options: ColumnOptions;
  required: boolean;
  is_unique: boolean;
  default_value: { value: unknown } | null;
  rules: ColumnRules;
  position: number;
}

/** Table-level settings; column rules live on the columns. */
export interface TableSettings {
  /** Shown first in lists and used as the row's title. */
  primaryColumnId?: string;
  /** What a row write based on a stale version does; absent: `merge` (conflict-policy.ts). */
  conflictPolicy?: ConflictPolicy;
}

export interface BaseView {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  color: string | null;
  icon: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TableView {
  id: string;
  baseId: string;
  name: string;
  description: string | null;
  position: number;
  schemaVersion: number;
  settings: TableSettings;
  archivedAt: string | null;
  columns: Column[];
  createdAt: string;
  updatedAt: string;
}

export const toBaseView = (r: BaseRow, workspaceId: string): BaseView => ({
  id: r.id,
  workspaceId,
  name: r.name,
  description: r.description,
  color: r.color,
  icon: r.icon,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export const toColumn = (r: ColumnRow): Column => ({
  id: r.id,
  tableId: r.table_id,
  name: r.name,
  type: r.type,
  options: r.options,
  required: r.required,
  unique: r.is_unique,
  default: r.default_value?.value ?? null,
  rules: r.rules,
  position: r.position,
});

export const toTableView = (r: TableRow, columns: Column[]): TableView => ({
  id: r.id,
  baseId: r.base_id,
  name: r.name,
  description: r.description,
  position: r.position,
  schemaVersion: r.schema_version,
  settings: r.settings,
  archivedAt: r.archived_at?.toISOString() ?? null,
  columns,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** Metadata reads of one workspace schema; `db` is the knex or the transaction to read with. */
export class Metadata {
  constructor(
    private readonly db: Knex,
    readonly schema: string,
  ) {}

  bases(): Knex.QueryBuilder {
    return this.db.withSchema(this.schema).table('bases');
  }

  tables(): Knex.QueryBuilder {
    return this.db.withSchema(this.schema).table('tables');
  }

  columns(): Knex.QueryBuilder {
    return this.db.withSchema(this.schema).table('columns');
  }

  async base(id: string, lock = false): Promise<BaseRow> {
    const query = this.bases().where({ id });
    if (lock) void query.forUpdate();
    const row = (await query.first()) as BaseRow | undefined;
    if (!row) throw new NotFoundError('Base');
    return row;
  }

  /** `table()`, or undefined for a table that does not exist (any other failure still throws). */
  async findTable(id: string, options: { archived?: boolean } = {}): Promise<TableView | undefined> {
    try {
      return await this.table(id, options);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * A table with its columns in position order. `lock` takes the table row FOR UPDATE: schema
   * changes of one table are serialised (schema_version increments without gaps); `share` takes
   * it FOR SHARE, as row writes do, so no schema change runs under them. Columns are cached by
   * schema version: every change of a table's columns bumps it in the same transaction.
   */
  async table(
    id: string,
    options: { lock?: boolean; share?: boolean; archived?: boolean } = {},
  ): Promise<TableView> {
    const query = this.tables().where({ id });
    if (options.lock) void query.forUpdate();
    else if (options.share) void query.forShare();
    const row = (await query.first()) as TableRow | undefined;
    if (!row || (row.archived_at && !options.archived)) throw new NotFoundError('Table');
    // A transaction that may be changing this table's columns (anything but a row write's FOR
    // SHARE) reads and caches nothing: its own changes are not committed, and not yet versioned.
    const cacheable = options.share === true || !(this.db as { isTransaction?: boolean }).isTransaction;
    const key = `${this.schema}.${id}`;
    const cached = cacheable ? columnCache.get(key) : undefined;
    if (cached && cached.version === row.schema_version) return toTableView(row, cached.columns);
    const columns = (
      (await this.columns()
        .where({ table_id: id })
        .orderBy([{ column: 'position' }, { column: 'id' }])) as ColumnRow[]
    ).map(toColumn);
    if (cacheable) rememberColumns(key, row.schema_version, columns);
    return toTableView(row, columns);
  }
}

/** Columns by table and schema version, for the tables requests touch (bounded, oldest out). */
const columnCache = new Map<string, { version: number; columns: Column[] }>();
const COLUMN_CACHE_SIZE = 1_000;

function rememberColumns(key: string, version: number, columns: Column[]): void {
  columnCache.delete(key);
  columnCache.set(key, { version, columns });
  if (columnCache.size > COLUMN_CACHE_SIZE) columnCache.delete(columnCache.keys().next().value as string);
}
