import type { Knex } from 'knex';
import { setOwn } from '../../platform/own-property.js';
import { linkTableName, userColumnName, userTableName } from '../../store/user-tables/names.js';
import type { Column } from '../tables/column.js';
import { decodeCell, isStoredType } from '../tables/column-types.js';
import { Metadata, type TableView } from '../tables/metadata.js';
import type { FieldKey } from './row-view.js';

/** Column types whose values come from link tables after the page query. */
export const LINKED_TYPES: ReadonlySet<Column['type']> = new Set(['link', 'lookup']);

export const hasLinkedColumns = (table: TableView): boolean =>
  table.columns.some((c) => LINKED_TYPES.has(c.type));

type Values = Map<string, Record<string, unknown>>;

/**
 * Values of link and lookup columns for a page of rows: one grouped query per column over
 * its junction (and the linked table), never one per row. Links are the linked row ids in link
 * order; lookups the linked rows' values of a field, in link order. (Rollups are SQL columns of
 * the table's catalog: see tables/table-catalog.ts.)
 */
export async function readLinkedValues(
  db: Knex,
  schema: string,
  table: TableView,
  rowIds: readonly string[],
  fieldKey: FieldKey,
  /** Only these columns' values (a projection); default every linked column. */
  only?: ReadonlySet<string>,
): Promise<Values> {
  const values: Values = new Map(rowIds.map((id) => [id, {}]));
  if (rowIds.length === 0) return values;
  const meta = new Metadata(db, schema);
  const targets = new Map<string, TableView>();
  const targetOf = async (link: Column): Promise<TableView | undefined> => {
    const id = link.options.tableId as string;
    if (!targets.has(id)) {
      // A deleted target leaves its links empty rather than failing the read.
      const target = await meta.findTable(id, { archived: true });
      if (target) targets.set(id, target);
    }
    return targets.get(id);
  };
  const put = (rowId: string, column: Column, value: unknown) => {
    const fields = values.get(rowId);
    if (fields) setOwn(fields, fieldKey === 'id' ? column.id : column.name, value);
  };
  for (const column of table.columns) {
    if (!LINKED_TYPES.has(column.type) || (only && !only.has(column.id))) continue;
    const link = column.type === 'link' ? column : table.columns.find((c) => c.id === column.options.link);
    for (const id of rowIds) put(id, column, []);
    if (!link || link.type !== 'link') continue;
    const junction = db
      .withSchema(schema)
      .table(`${linkTableName(link.id)} as l`)
      .whereIn('l.source_id', rowIds)
      .groupBy('l.source_id');
    if (column.type === 'link') {
      const rows = (await junction.select(
        'l.source_id',
        db.raw('array_agg(l.target_id ORDER BY l.position) AS v'),
      )) as { source_id: string; v: string[] }[];
      for (const r of rows) put(r.source_id, column, r.v);
      continue;
    }
    const target = await targetOf(link);
    const field = target?.columns.find(
      (c) => c.id === column.options.field || c.name === column.options.field,
    );
    if (!target || !field || !isStoredType(field.type)) continue;
    const joined = junction.join(`${userTableName(target.id)} as t`, 't.id', 'l.target_id');
    const cell = `t.${userColumnName(field.id)}`;
    const rows = (await joined.select(
      'l.source_id',
      db.raw('array_agg(?? ORDER BY l.position) AS v', [cell]),
    )) as { source_id: string; v: unknown[] }[];
    for (const r of rows)
      put(
        r.source_id,
        column,
        r.v.map((v) => decodeCell(field, v)),
      );
  }
  return values;
}

/** Adds the linked values to rows already shaped for the API (fields keyed as `fieldKey` says). */
export function mergeLinked<T extends { id: string; fields: Record<string, unknown> }>(
  rows: T[],
  values: Values,
): T[] {
  for (const row of rows)
    for (const [key, value] of Object.entries(values.get(row.id) ?? {})) setOwn(row.fields, key, value);
  return rows;
}
