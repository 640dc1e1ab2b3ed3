import { catalogOf, type Catalog, type CatalogColumn } from '../../query/catalog.js';
import type { ComputedColumn, LogicalQuery } from '../../query/lqp.js';
import { SYSTEM_COLUMNS, userColumnName, userTableName } from '../../store/user-tables/names.js';
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
const SYSTEM_BACKED: Partial<Record<Column['type'], string>> = {
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

export function tableSource(schema: string, table: TableView): TableSource {
  const columns: CatalogColumn[] = [...SYSTEM_CATALOG];
  const computed: ComputedColumn[] = [];
  const readable: Column[] = [];
  for (const column of table.columns) {
    const system = SYSTEM_BACKED[column.type];
    if (system)
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
