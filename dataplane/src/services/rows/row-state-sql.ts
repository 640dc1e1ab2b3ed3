import { SYSTEM_COLUMNS, userColumnName } from '../../store/user-tables/names.js';
import { cellJsonSql, isStoredType } from '../tables/column-types.js';
import type { TableView } from '../tables/metadata.js';

/** jsonb_build_object takes at most 100 arguments: 50 fields an object, joined with `||`. */
const FIELDS_PER_OBJECT = 50;

/**
 * SQL giving a row's audited state, `{version, fields: {<column id>: value}}`, exactly as
 * `auditState(table, toRowView(table, row))` gives it, read by the database from the row it is
 * writing (ADR 0015). `ref` quotes a physical column of the row (`version`, `c_<id>`); `bind`
 * makes a statement parameter of a constant (a column id) and answers its placeholder;
 * `extraFields`, SQL of a jsonb object (a placeholder, a column), adds members (link columns'
 * row ids).
 */
export function rowStateSql(
  table: TableView,
  ref: (physical: string) => string,
  bind: (constant: string) => string,
  extraFields?: string,
): string {
  const pairs: string[] = [];
  for (const column of table.columns) {
    const json = cellJsonSql(column, ref(userColumnName(column.id)));
    if (json !== undefined) pairs.push(`${bind(column.id)}::text, ${json}`);
  }
  const objects: string[] = [];
  for (let i = 0; i < pairs.length; i += FIELDS_PER_OBJECT)
    objects.push(`jsonb_build_object(${pairs.slice(i, i + FIELDS_PER_OBJECT).join(', ')})`);
  if (objects.length === 0) objects.push(`'{}'::jsonb`);
  if (extraFields) objects.push(`(${extraFields})::jsonb`);
  return `jsonb_build_object('version', ${ref('version')}, 'fields', ${objects.join(' || ')})`;
}

/**
 * The physical columns a row write returns: the system columns and every stored column, named,
 * never `*`: a prepared statement's result must keep its row type while the table gains or
 * loses columns no metadata version tracks (a purged column's `d_<id>`).
 */
export function rowColumns(table: TableView): string[] {
  return [
    ...Object.values(SYSTEM_COLUMNS),
    ...table.columns.filter((c) => isStoredType(c.type)).map((c) => userColumnName(c.id)),
  ];
}
