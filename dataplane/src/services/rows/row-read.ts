import type { Knex } from 'knex';
import { setOwn } from '../../platform/own-property.js';
import { runSqlQuery } from '../../query/sql/index.js';
import { linkTargets } from '../tables/link-targets.js';
import { Metadata, type TableView } from '../tables/metadata.js';
import { SYSTEM_FIELDS, tableSource, type TableSource } from '../tables/table-catalog.js';
import { hasLinkedColumns, mergeLinked, readLinkedValues } from './linked-values.js';
import type { FieldKey, RowView } from './row-view.js';

/** Rows by id through the query layer (formulas included), in the order asked. */
export async function readRows(
  db: Knex,
  schema: string,
  table: TableView,
  ids: readonly string[],
  fieldKey: FieldKey,
  /** The table's catalog when already built (see TableCache). */
  known?: TableSource,
): Promise<RowView[]> {
  if (ids.length === 0) return [];
  const source = known ?? tableSource(schema, table, await linkTargets(new Metadata(db, schema), table));
  const query = {
    source: source.source,
    select: [
      SYSTEM_FIELDS.id,
      SYSTEM_FIELDS.version,
      SYSTEM_FIELDS.createdAt,
      SYSTEM_FIELDS.updatedAt,
      ...source.readable.map((c) => c.name),
    ],
    filter: { field: SYSTEM_FIELDS.id, op: 'in' as const, value: [...ids] },
    ...(source.computed.length > 0 ? { computedColumns: source.computed } : {}),
    pagination: { mode: 'keyset' as const, limit: Math.min(1000, ids.length) },
  };
  const result = await runSqlQuery(db, query, source.catalog, 'postgres');
  const views = result.rows.map((row) => fromQueryRow(row, source.readable, fieldKey));
  if (hasLinkedColumns(table))
    mergeLinked(
      views,
      await readLinkedValues(
        db,
        schema,
        table,
        views.map((v) => v.id),
        fieldKey,
      ),
    );
  const byId = new Map(views.map((view) => [view.id, view]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** A query-layer row (system fields under `@` names) in API form. */
export function fromQueryRow(
  row: Record<string, unknown>,
  selected: readonly { id: string; name: string }[],
  fieldKey: FieldKey,
): RowView {
  const fields: Record<string, unknown> = {};
  for (const column of selected)
    setOwn(fields, fieldKey === 'id' ? column.id : column.name, row[column.name] ?? null);
  return {
    id: String(row[SYSTEM_FIELDS.id]),
    version: Number(row[SYSTEM_FIELDS.version]),
    createdAt: String(row[SYSTEM_FIELDS.createdAt]),
    updatedAt: String(row[SYSTEM_FIELDS.updatedAt]),
    fields,
  };
}
