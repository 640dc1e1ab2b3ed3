import { NotFoundError, type FieldProblem } from '../../platform/errors.js';
import { catalogOf, type CatalogTable } from '../../query/catalog.js';
import type { Filter, Join, LogicalQuery } from '../../query/lqp.js';
import { StatementCache } from '../../query/sql/index.js';
import { linkTableName } from '../../store/user-tables/names.js';
import { LINKED_TYPES } from '../rows/linked-values.js';
import { renameFilterFields } from '../rows/row-query.js';
import type { TableView } from '../tables/metadata.js';
import type { TableCache, TableReadModel } from '../tables/table-cache.js';
import { SYSTEM_FIELDS } from '../tables/table-catalog.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import type { InternalSource, ViewDefinition, ViewJoin } from './view-definition.js';
import {
  checkQueries,
  groupedQuery,
  hiddenGroupProblems,
  resolveGroupBy,
  ROW_ID,
  type PathMap,
  type PlanOutcome,
  type ViewOutput,
  type ViewPlan,
} from './view-plan.js';

type Definition = ViewDefinition & { source: InternalSource };

interface JoinedTable {
  alias: string;
  model: TableReadModel;
}

/**
 * A view over a mini-DB table as the query layer sees it: one catalog holding the source table,
 * every table it joins (each as table-catalog.ts describes it: rollups and lookups included) and
 * the junctions of the link columns it follows. Joins are either on fields (`on`) or along a
 * link column of the source (`link`: source → junction → linked table, one row per link).
 */
export class InternalViewPlanner {
  constructor(private readonly tables: TableCache) {}

  async plan(access: WorkspaceAccess, definition: Definition): Promise<PlanOutcome> {
    const source = await this.model(access, definition.source.tableId);
    if (!source) return missing('source.tableId', 'no such table in this workspace (deleted or archived)');
    const schema = access.workspace.schemaName;
    const problems: FieldProblem[] = [];
    const joined: JoinedTable[] = [];
    const catalogTables: CatalogTable[] = [catalogTable(source)];
    const joins: Join[] = [];
    const map: PathMap = { joins: [], computedOffset: source.source.computed.length };
    const resolve = resolver(source.table, joined);
    for (const [i, join] of (definition.joins ?? []).entries()) {
      const built = await this.join(access, source, join, i, resolve);
      if ('problem' in built) {
        problems.push(built.problem);
        continue;
      }
      joined.push({ alias: join.as, model: built.model });
      catalogTables.push(...built.tables);
      joins.push(...built.joins);
      for (const _ of built.joins) map.joins.push(i);
    }
    if (problems.length > 0) return { ok: false, problems };

    const base: ViewPlan['base'] = {
      source: source.source.source,
      ...(joins.length ? { joins } : {}),
      computedColumns: [...source.source.computed, ...(definition.computedColumns ?? [])],
      ...(definition.filter ? { filter: renameFilterFields(definition.filter, resolve) as Filter } : {}),
    };
    if (base.computedColumns?.length === 0) delete base.computedColumns;
    const sorts = (definition.sort ?? []).map((s) => ({ ...s, field: resolve(s.field) }));
    const groupBy = definition.groupBy && resolveGroupBy(definition.groupBy, resolve);
    const visible = definition.visibleColumns?.map(resolve) ?? defaultColumns(source, definition);
    const linked = new Map(
      source.table.columns.filter((c) => LINKED_TYPES.has(c.type)).map((c) => [c.name, c]),
    );
    const selected = visible.flatMap((name, i) => (linked.has(name) || name === ROW_ID ? [] : [{ name, i }]));
    map.select = [visible.indexOf(ROW_ID), ...selected.map((s) => s.i)];
    const rows: LogicalQuery = {
      ...base,
      select: [ROW_ID, ...selected.map((s) => s.name)],
      ...(sorts.length ? { sorts } : {}),
      pagination: { mode: 'keyset', limit: 1 },
    };
    const catalog = catalogOf(catalogTables);
    const checked = checkQueries(
      { rows, ...(groupBy ? { groups: groupedQuery(base, groupBy, { mode: 'keyset', limit: 1 }) } : {}) },
      catalog,
      map,
    );
    problems.push(...checked.problems, ...duplicateLinked(visible, linked));
    problems.push(...hiddenGroupProblems(definition.groupBy, definition.visibleColumns, resolve));
    (groupBy?.fields ?? []).forEach((field, i) => {
      if (linked.has(field))
        problems.push({
          path: `groupBy.fields[${i}]`,
          message: 'link and lookup columns cannot group a view',
        });
    });
    if (problems.length > 0) return { ok: false, problems };

    const outputs: ViewOutput[] = visible.map((name) => {
      const column = linked.get(name);
      if (column) return { name, type: 'json', linked: column };
      return { name, type: name === ROW_ID ? 'uuid' : (checked.types.get(name) ?? 'unknown') };
    });
    const models = [source, ...joined.map((j) => j.model)];
    return {
      ok: true,
      plan: {
        kind: 'internal',
        base,
        sorts,
        ...(groupBy ? { groupBy } : {}),
        outputs,
        resolve,
        catalog,
        sourceTables: tablesRead(models),
        baseIds: [...new Set(models.map((m) => m.table.baseId))],
        schemaVersions: Object.fromEntries(models.map((m) => [m.table.id, m.table.schemaVersion])),
        internal: { schema, source, statements: new StatementCache('postgres') },
      },
    };
  }

  private async join(
    access: WorkspaceAccess,
    source: TableReadModel,
    join: ViewJoin,
    i: number,
    resolve: (ref: string) => string,
  ): Promise<{ model: TableReadModel; tables: CatalogTable[]; joins: Join[] } | { problem: FieldProblem }> {
    const path = `joins[${i}]`;
    const type = join.type ?? 'inner';
    const schema = access.workspace.schemaName;
    if (join.link !== undefined) {
      const link = source.table.columns.find(
        (c) => c.type === 'link' && (c.id === join.link || c.name === join.link),
      );
      if (!link)
        return { problem: { path: `${path}.link`, message: `no link column ${JSON.stringify(join.link)}` } };
      const targetId = link.options.tableId as string;
      if (join.table !== undefined && join.table !== targetId)
        return { problem: { path: `${path}.table`, message: 'is not the table the link column links to' } };
      const model = await this.model(access, targetId);
      if (!model) return { problem: { path: `${path}.link`, message: 'the linked table no longer exists' } };
      const junction = `_lk${i}`;
      return {
        model,
        tables: [junctionTable(schema, linkTableName(link.id)), catalogTable(model)],
        joins: [
          {
            table: linkTableName(link.id),
            schema,
            as: junction,
            type,
            on: { left: ROW_ID, right: 'source_id' },
          },
          {
            table: model.source.source.table,
            schema,
            as: join.as,
            type,
            on: { left: `${junction}.target_id`, right: SYSTEM_FIELDS.id },
          },
        ],
      };
    }
    if (join.table === undefined || join.on === undefined)
      return { problem: { path, message: 'names a table and its join condition (on), or a link column' } };
    const model = await this.model(access, join.table);
    if (!model) return { problem: { path: `${path}.table`, message: 'no such table in this workspace' } };
    const right = model.table.columns.find((c) => c.id === join.on?.right)?.name ?? join.on.right;
    return {
      model,
      tables: [catalogTable(model)],
      joins: [
        {
          table: model.source.source.table,
          schema,
          as: join.as,
          type,
          on: { left: resolve(join.on.left), right },
        },
      ],
    };
  }

  private async model(access: WorkspaceAccess, tableId: string): Promise<TableReadModel | undefined> {
    try {
      return await this.tables.readModel(access, tableId);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }
}

const missing = (path: string, message: string): PlanOutcome => ({
  ok: false,
  problems: [{ path, message }],
});

function catalogTable(model: TableReadModel): CatalogTable {
  const { source } = model.source;
  return model.source.catalog.table(source.table, source.schema) as CatalogTable;
}

/** A link column's junction as a table of the catalog (only the planner names its columns). */
function junctionTable(schema: string, name: string): CatalogTable {
  return {
    schema,
    name,
    columns: [
      { name: 'source_id', type: 'uuid', nullable: false },
      { name: 'target_id', type: 'uuid', nullable: false },
      { name: 'position', type: 'integer', nullable: false },
    ],
    primaryKey: ['source_id', 'target_id'],
  };
}

/**
 * Field references by column id become the column's current name (`<alias>.<id>` too), so a view
 * written with ids survives renames; anything else is left for the query layer to judge.
 */
function resolver(source: TableView, joined: readonly JoinedTable[]): (ref: string) => string {
  return (ref) => {
    const own = source.columns.find((c) => c.id === ref);
    if (own) return own.name;
    const dot = ref.indexOf('.');
    const join = dot > 0 ? joined.find((j) => j.alias === ref.slice(0, dot)) : undefined;
    const column = join?.model.table.columns.find((c) => c.id === ref.slice(dot + 1));
    return join && column ? `${join.alias}.${column.name}` : ref;
  };
}

/** Every column a row list shows (links and lookups included), in column order, then the view's formulas. */
function defaultColumns(source: TableReadModel, definition: Definition): string[] {
  const readable = new Set(source.source.readable.map((c) => c.id));
  return [
    ...source.table.columns.filter((c) => readable.has(c.id) || LINKED_TYPES.has(c.type)).map((c) => c.name),
    ...(definition.computedColumns ?? []).map((c) => c.name),
  ];
}

function duplicateLinked(visible: readonly string[], linked: ReadonlyMap<string, unknown>): FieldProblem[] {
  return visible.flatMap((name, i) =>
    linked.has(name) && visible.indexOf(name) !== i
      ? [{ path: `visibleColumns[${i}]`, message: `duplicate output ${JSON.stringify(name)}` }]
      : [],
  );
}

/** The tables whose changes change the view: those it reads and those their links point at. */
function tablesRead(models: readonly TableReadModel[]): string[] {
  const ids = new Set<string>();
  for (const model of models) {
    ids.add(model.table.id);
    for (const id of model.targets.keys()) ids.add(id);
    for (const c of model.table.columns)
      if (c.type === 'link' && c.options.tableId) ids.add(c.options.tableId);
  }
  return [...ids];
}
