import type { Knex } from 'knex';
import { isUuid } from '../../platform/ids.js';
import { userColumnName, userTableName } from '../../store/user-tables/names.js';
import { trashedColumnName } from '../../store/user-tables/trash.js';
import { quoteIdent } from '../../store/user-tables/verbatim.js';
import type { TableView } from '../tables/metadata.js';
import { cellDescriptorsSql } from './attachment-cell-sql.js';

/**
 * Everything that can name a file of one table (ADR 0014): the cells of its attachment columns,
 * those of its deleted attachment columns kept under `d_<id>` until the trash purge (a revert
 * restores them), and the row audit entries within the retention (a row revert writes their
 * cells back). Cells hold only their own table's files, so no other table is looked at.
 */
export interface ReferenceSources {
  schema: string;
  tableId: string;
  /** Physical columns of `t_<table id>` holding attachment cells. */
  columns: string[];
  /** Row entries from this instant on can still be reverted. */
  auditSince: Date;
}

interface DeletedColumn {
  id: string | null;
}

export async function referenceSources(
  db: Knex,
  schema: string,
  table: TableView,
  auditSince: Date,
): Promise<ReferenceSources> {
  const live = table.columns.filter((c) => c.type === 'attachment');
  const deleted = (await db
    .withSchema(schema)
    .table('table_changes')
    .where({ table_id: table.id, action: 'column.delete' })
    .whereNull('purged_at')
    .whereRaw("detail -> 'before' ->> 'type' = 'attachment'")
    .distinct(db.raw("detail ->> 'resourceId' AS id"))) as DeletedColumn[];
  const trashed = deleted
    .flatMap((d) =>
      d.id && isUuid(d.id) && !live.some((c) => c.id === d.id) ? [trashedColumnName(d.id)] : [],
    )
    .filter((name, i, all) => all.indexOf(name) === i);
  // A column deleted and restored more than once has several entries; only what exists counts.
  const present = trashed.length
    ? ((await db('information_schema.columns')
        .where({ table_schema: schema, table_name: userTableName(table.id) })
        .whereIn('column_name', trashed)
        .select('column_name')) as { column_name: string }[])
    : [];
  return {
    schema,
    tableId: table.id,
    columns: [...live.map((c) => userColumnName(c.id)), ...present.map((c) => c.column_name)],
    auditSince,
  };
}

/**
 * A condition on attachment rows aliased `a`: true when no source names the file. Each part is
 * an anti-join PostgreSQL runs as one hash over the table's cells, not a scan per file.
 */
export function unreferenced(sources: ReferenceSources): { sql: string; bindings: Knex.RawBinding[] } {
  const table = userTableName(sources.tableId);
  const cells = sources.columns.map(
    (c) => `NOT EXISTS (SELECT 1 FROM ??.?? r, ${cellDescriptorsSql(`r.${quoteIdent(c)}`)} e
      WHERE e ->> 'id' = a.id::text)`,
  );
  const audit = `NOT EXISTS (SELECT 1 FROM ??.audit_logs l,
      jsonb_path_query(jsonb_build_array(l.before, l.after), 'lax $[*].fields.*[*].id') v(id)
      WHERE l.parent_id = ? AND l.resource_type = 'row' AND l.created_at >= ? AND v.id #>> '{}' = a.id::text)`;
  return {
    sql: [...cells, audit].join(' AND '),
    bindings: [
      ...sources.columns.flatMap(() => [sources.schema, table]),
      sources.schema,
      sources.tableId,
      sources.auditSince,
    ],
  };
}
