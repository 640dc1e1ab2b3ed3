import { catalogOf, type Catalog, type CatalogColumn } from '../../query/catalog.js';
import type { ComputedColumn, LogicalQuery } from '../../query/lqp.js';
import { keyword, sql, type SqlFragment } from '../../query/sql/sql-fragment.js';
import {
  linkTableName,
  SYSTEM_COLUMNS,
  userColumnName,
  userTableName,
} from '../../store/user-tables/names.js';
import type { Column } from './column.js';
import { isStoredType, logicalTypeOf } from './column-types.js';
import type { TableView } from './metadata.js';

/**
 * How the query layer sees a mini-DB table: the physical `t_<id>` with its user columns under
 * their names (`sqlName` = `c_<id>`), the system fields under reserved `@` names, and formula
 * columns as computed columns compiled to SQL. Column names never start with `@` (the columns
 * service refuses them), so the two sets cannot collide.
 */
export const SYSTEM_FIELDS = {
  id: '@id',
  version: '@version',
  createdAt: '@createdAt',
  updatedAt: '@updatedAt',
  createdBy: '@createdBy',
  updatedBy: '@updatedBy',
} as const;

const SYSTEM_CATALOG: CatalogColumn[] = [
  { name: SYSTEM_FIELDS.id, type: 'uuid', nullable: false, sqlName: SYSTEM_COLUMNS.id },
  { name: SYSTEM_FIELDS.version, type: 'integer', nullable: false, sqlName: SYSTEM_COLUMNS.version },
  { name: SYSTEM_FIELDS.createdAt, type: 'datetime', nullable: false, sqlName: SYSTEM_COLUMNS.createdAt },
  { name: SYSTEM_FIELDS.updatedAt, type: 'datetime', nullable: false, sqlName: SYSTEM_COLUMNS.updatedAt },
  { name: SYSTEM_FIELDS.createdBy, type: 'uuid', nullable: true, sqlName: SYSTEM_COLUMNS.createdBy },
  { name: SYSTEM_FIELDS.updatedBy, type: 'uuid', nullable: true, sqlName: SYSTEM_COLUMNS.updatedBy },
];

/** Column types read from a system column rather than a column of their own. */
export const SYSTEM_BACKED: Partial<Record<Column['type'], string>> = {
  createdTime: SYSTEM_COLUMNS.createdAt,
  modifiedTime: SYSTEM_COLUMNS.updatedAt,
  createdBy: SYSTEM_COLUMNS.createdBy,
  modifiedBy: SYSTEM_COLUMNS.updatedBy,
};

export interface TableSource {
  catalog: Catalog;
  source: LogicalQuery['source'];
  /** Formula columns, in column order. */
  computed: ComputedColumn[];
  /** Columns a query can select by name (stored, system-backed and formula columns). */
  readable: Column[];
}

/**
 * `targets`: the tables link columns point at (see `linkTargets`); a rollup whose linked table
 * is among them is a column of the catalog, computed in SQL, so it can be selected, filtered,
 * sorted and used in formulas like any other column.
 */
export function tableSource(
  schema: string,
  table: TableView,
  targets: ReadonlyMap<string, TableView> = new Map(),
): TableSource {
  const columns: CatalogColumn[] = [...SYSTEM_CATALOG];
  const computed: ComputedColumn[] = [];
  const readable: Column[] = [];
  for (const column of table.columns) {
    const system = SYSTEM_BACKED[column.type];
    const rollup = column.type === 'rollup' ? rollupColumn(schema, table, column, targets) : undefined;
    if (rollup) columns.push(rollup);
    else if (column.type === 'lookup') {
      // Filterable and sortable, not selected: a row's lookup values are read with its links.
      const lookup = lookupColumn(schema, table, column, targets);
      if (lookup) columns.push(lookup);
      continue;
    } else if (system)
      columns.push({ name: column.name, type: logicalTypeOf(column), nullable: true, sqlName: system });
    else if (isStoredType(column.type))
      columns.push({
        name: column.name,
        type: logicalTypeOf(column),
        nullable: true,
        sqlName: userColumnName(column.id),
      });
    else if (column.type === 'formula' && column.options.formula)
      computed.push({ name: column.name, formula: column.options.formula });
    else continue;
    readable.push(column);
  }
  const name = userTableName(table.id);
  return {
    catalog: catalogOf([{ schema, name, columns, primaryKey: [SYSTEM_FIELDS.id] }]),
    source: { schema, table: name },
    computed,
    readable,
  };
}

/** What a catalog expression may ask of the dialect: quoted names. */
type Names = Parameters<NonNullable<CatalogColumn['expression']>>[1];

/** The link a lookup or rollup reads through, the table it links to, and the field it reads there. */
function linkedField(
  table: TableView,
  column: Column,
  targets: ReadonlyMap<string, TableView>,
): { link: Column; target: TableView; field: Column } | undefined {
  const link = table.columns.find((c) => c.id === column.options.link && c.type === 'link');
  const target = link && targets.get(link.options.tableId as string);
  const field = target?.columns.find((c) => c.id === column.options.field || c.name === column.options.field);
  return link && target && field && isStoredType(field.type) ? { link, target, field } : undefined;
}

/**
 * `SELECT <aggregate> FROM <link table> JOIN <linked table> WHERE source is the row`: the
 * correlated subquery rollups and lookups compile to. `value` is the aggregate over the linked
 * field (`lt_target.c_<id>`) and the link (`lt_link`, whose `position` orders the links).
 */
function overLinks(
  schema: string,
  linked: { link: Column; target: TableView; field: Column },
  value: (field: SqlFragment, d: Names) => SqlFragment,
): CatalogColumn['expression'] {
  const { link, target, field } = linked;
  return (row, d) =>
    sql`SELECT ${value(d.identifier('lt_target', userColumnName(field.id)), d)} FROM ${d.identifier(
      schema,
      linkTableName(link.id),
    )} AS ${d.identifier('lt_link')} JOIN ${d.identifier(schema, userTableName(target.id))} AS ${d.identifier(
      'lt_target',
    )} ON ${d.identifier('lt_target', 'id')} = ${d.identifier('lt_link', 'target_id')} WHERE ${d.identifier(
      'lt_link',
      'source_id',
    )} = ${row}.${keyword('id')}`;
}

/** A rollup as a correlated aggregate over its link table and the linked table's field. */
function rollupColumn(
  schema: string,
  table: TableView,
  column: Column,
  targets: ReadonlyMap<string, TableView>,
): CatalogColumn | undefined {
  const linked = linkedField(table, column, targets);
  if (!linked) return undefined;
  const aggregate = AGGREGATES[column.options.aggregate ?? 'count'] ?? 'count';
  const type =
    aggregate === 'count' ? 'integer' : aggregate === 'avg' ? 'number' : logicalTypeOf(linked.field);
  return {
    name: column.name,
    type,
    nullable: true,
    expression: overLinks(schema, linked, (field) => sql`${keyword(aggregate)}(${field})`),
  };
}

/**
 * A lookup as text for filters and sorts: the linked rows' values of the field, in link order,
 * joined with ", " (as a spreadsheet shows them), NULL without links. `contains` finds a value
 * among them; sorting orders by that text.
 */
function lookupColumn(
  schema: string,
  table: TableView,
  column: Column,
  targets: ReadonlyMap<string, TableView>,
): CatalogColumn | undefined {
  const linked = linkedField(table, column, targets);
  if (!linked) return undefined;
  return {
    name: column.name,
    type: 'text',
    nullable: true,
    expression: overLinks(
      schema,
      linked,
      (field, d) =>
        sql`string_agg(CAST(${field} AS text), ', ' ORDER BY ${d.identifier('lt_link', 'position')})`,
    ),
  };
}

/** Rollup aggregates as SQL function names (the options codec admits only these). */
const AGGREGATES: Record<string, string> = { sum: 'sum', avg: 'avg', count: 'count', min: 'min', max: 'max' };
