import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { createEqualityIndex, createSortIndex, dropSortIndex } from '../../store/user-tables/ddl.js';
import { equalityIndexName, sortIndexName, userTableName } from '../../store/user-tables/names.js';
import type { TransactionRunner } from '../unit-of-work.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { Column } from './column.js';
import { isStoredType, logicalTypeOf } from './column-types.js';
import { Metadata } from './metadata.js';

export type SortDirection = 'asc' | 'desc';

export interface IndexView {
  name: string;
  columnId: string | null;
  kind: 'sort' | 'filter' | 'unique' | 'primary' | 'other';
  direction: SortDirection | null;
  definition: string;
}

export interface IndexAdvisorOptions {
  /** Sorted list requests on one column before an index is built for it. */
  usesBeforeIndex: number;
  /** Tables smaller than this (planner estimate) are read fast enough without one. */
  minRows: number;
}

/**
 * Indexes of user tables: on demand (an admin asks for one), and automatic for columns that lists
 * keep sorting by on big tables. Indexes are built CONCURRENTLY, outside transactions, so writers
 * carry on while they build; an automatic one is built once per process and column, in the
 * background, and a failure is logged, never surfaced to the request that triggered it.
 */
export class IndexesService {
  private readonly uses = new Map<string, number>();
  private readonly building = new Set<string>();

  constructor(
    private readonly knex: Knex,
    private readonly tx: TransactionRunner,
    private readonly log: Logger,
    private readonly advisor: IndexAdvisorOptions = { usesBeforeIndex: 3, minRows: 10_000 },
  ) {}

  async list(access: WorkspaceAccess, tableId: string): Promise<IndexView[]> {
    const schema = access.workspace.schemaName;
    const table = await new Metadata(this.knex, schema).table(tableId);
    const rows = (await this.knex('pg_indexes')
      .where({ schemaname: schema, tablename: userTableName(tableId) })
      .orderBy('indexname')
      .select('indexname', 'indexdef')) as { indexname: string; indexdef: string }[];
    return rows.map((r) => describe(r.indexname, r.indexdef, table.columns));
  }

  /** Builds a sort index for one column and direction (idempotent), and audits it. */
  async create(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    columnId: string,
    direction: SortDirection,
  ): Promise<IndexView> {
    const schema = access.workspace.schemaName;
    const table = await new Metadata(this.knex, schema).table(tableId);
    const column = indexable(table.columns, columnId);
    const name = await createSortIndex(this.knex, schema, tableId, columnId, direction, isText(column));
    await this.tx.run(actorId, (uow) =>
      uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'index.create',
          resourceType: 'table',
          resourceId: tableId,
          parentId: tableId,
          after: { name, columnId, direction },
        },
        schema,
      ),
    );
    const [view] = (await this.list(access, tableId)).filter((i) => i.name === name);
    if (!view) throw new Error(`index ${name} was not created`);
    return view;
  }

  async drop(
    access: WorkspaceAccess,
    actorId: string,
    tableId: string,
    columnId: string,
    direction: SortDirection,
  ): Promise<void> {
    const schema = access.workspace.schemaName;
    const table = await new Metadata(this.knex, schema).table(tableId);
    if (!table.columns.some((c) => c.id === columnId)) throw new NotFoundError('Column');
    const name = sortIndexName(columnId, direction);
    const existing = await this.knex('pg_indexes')
      .where({ schemaname: schema, indexname: name })
      .first('indexname');
    if (!existing) throw new NotFoundError('Index');
    await dropSortIndex(this.knex, schema, columnId, direction);
    await this.tx.run(actorId, (uow) =>
      uow.audit(
        {
          workspaceId: access.workspace.id,
          action: 'index.drop',
          resourceType: 'table',
          resourceId: tableId,
          parentId: tableId,
          before: { name, columnId, direction },
        },
        schema,
      ),
    );
  }

  /**
   * Told about every sorted list: after a few sorts by the same column of a big table, builds the
   * index that serves that order. Returns at once; the build runs in the background.
   */
  noteSort(schema: string, tableId: string, column: Column, direction: SortDirection): void {
    if (!isStoredType(column.type)) return;
    this.note(schema, tableId, sortIndexName(column.id, direction), () =>
      createSortIndex(this.knex, schema, tableId, column.id, direction, isText(column)),
    );
  }

  /**
   * Told about every filtered list: a column filtered on often gets an index too: the ascending
   * sort index serves equality and ranges on numbers and dates; text equality, compared in the
   * column's own collation, gets an equality index.
   */
  noteFilter(schema: string, tableId: string, column: Column): void {
    if (!isStoredType(column.type) || ['json', 'unknown'].includes(logicalTypeOf(column))) return;
    if (!isText(column)) return this.noteSort(schema, tableId, column, 'asc');
    this.note(schema, tableId, equalityIndexName(column.id), () =>
      createEqualityIndex(this.knex, schema, tableId, column.id),
    );
  }

  private note(schema: string, tableId: string, name: string, build: () => Promise<string>): void {
    const key = `${schema}.${name}`;
    if (this.building.has(key)) return;
    const uses = (this.uses.get(key) ?? 0) + 1;
    this.uses.set(key, uses);
    if (uses < this.advisor.usesBeforeIndex) return;
    this.building.add(key);
    this.uses.delete(key);
    void this.buildIfBig(schema, tableId, build).catch((error: unknown) => {
      this.building.delete(key); // let a later request try again
      this.log.warn({ err: error, index: key }, 'automatic index not built');
    });
  }

  private async buildIfBig(schema: string, tableId: string, build: () => Promise<string>): Promise<void> {
    const estimate = (await this.knex('pg_class as c')
      .join('pg_namespace as n', 'n.oid', 'c.relnamespace')
      .where({ 'n.nspname': schema, 'c.relname': userTableName(tableId) })
      .first('c.reltuples')) as { reltuples: number } | undefined;
    if (!estimate || Number(estimate.reltuples) < this.advisor.minRows) return;
    const name = await build();
    this.log.info({ index: name, schema, tableId }, 'automatic index built');
  }
}

function indexable(columns: readonly Column[], columnId: string): Column {
  const column = columns.find((c) => c.id === columnId);
  if (!column) throw new NotFoundError('Column');
  if (!isStoredType(column.type) || ['json', 'unknown'].includes(logicalTypeOf(column)))
    throw new ValidationError('column cannot be indexed', [
      { path: 'columnId', message: `${column.type} columns are not indexed for sorting` },
    ]);
  return column;
}

const isText = (column: Column): boolean => logicalTypeOf(column) === 'text';

function describe(name: string, definition: string, columns: readonly Column[]): IndexView {
  const match = /^([iup])_([0-9a-f]{32})(?:_([ade]))?$/.exec(name);
  const column = match ? columns.find((c) => c.id.replaceAll('-', '') === match[2]) : undefined;
  const kind = name.endsWith('_pkey')
    ? 'primary'
    : match?.[3] === 'e'
      ? 'filter'
      : match?.[1] === 'i'
        ? 'sort'
        : match?.[1] === 'u'
          ? 'unique'
          : 'other';
  return {
    name,
    columnId: column?.id ?? null,
    kind,
    direction: match?.[3] === 'a' ? 'asc' : match?.[3] === 'd' ? 'desc' : null,
    definition,
  };
}
