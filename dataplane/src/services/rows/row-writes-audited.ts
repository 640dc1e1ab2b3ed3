import { statementName } from '../../store/prepared.js';
import type { BulkColumn } from '../../store/user-tables/bulk-insert.js';
import { userTableName } from '../../store/user-tables/names.js';
import { Placeholders, quoteIdent, type SqlRunner } from '../../store/user-tables/verbatim.js';
import type { TableView } from '../tables/metadata.js';
import type { EntryContext } from '../unit-of-work.js';
import { rowColumns, rowStateSql } from './row-state-sql.js';

type Raw = Record<string, unknown>;

/** Who writes the entries, one id each (`entryIds[i]` for row i), and any link ids per row. */
export interface RowEntries extends Omit<EntryContext, 'id'> {
  entryIds: readonly string[];
  links?: readonly Record<string, string[]>[];
}

/**
 * Inserts rows and their `row.create` audit entries in one statement (ADR 0015): each entry's
 * state is read by the database from the row it has just written. The rows travel as one JSON
 * parameter (`json_to_recordset`), each with its entry's id and any link ids (joined to its
 * state): serialised natively, where arrays per column cost the driver a call per value.
 * `values[i].id` is row i's id. Returns the rows in the order given.
 */
export async function insertRowsAudited(
  run: SqlRunner,
  schema: string,
  table: TableView,
  columns: readonly BulkColumn[],
  values: readonly Raw[],
  entries: RowEntries,
): Promise<Raw[]> {
  const p = new Placeholders();
  const hasLinks = entries.links?.some((l) => Object.keys(l).length > 0) ?? false;
  const records = values.map((v, i) => ({
    ...v,
    [ENTRY]: entries.entryIds[i],
    ...(hasLinks ? { [LINKS]: entries.links?.[i] ?? {} } : {}),
  }));
  // jsonb cells arrive encoded as JSON text: read as text, then cast.
  const shape = [
    ...columns.map((c) => `${quoteIdent(c.name)} ${c.sqlType === 'jsonb' ? 'text' : c.sqlType}`),
    `${ENTRY} uuid`,
    ...(hasLinks ? [`${LINKS} jsonb`] : []),
  ];
  const source = `SELECT * FROM json_to_recordset(${p.add(JSON.stringify(records))}::json) AS r(${shape.join(', ')})`;
  const names = columns.map((c) => quoteIdent(c.name));
  const selected = columns.map((c) => `r.${quoteIdent(c.name)}${c.sqlType === 'jsonb' ? '::jsonb' : ''}`);
  const physical = `${quoteIdent(schema)}.${quoteIdent(userTableName(table.id))}`;
  const insert =
    `INSERT INTO ${physical} (${names.join(', ')}) SELECT ${selected.join(', ')} FROM r ` +
    `RETURNING ${returned(table)}`;
  const state = rowStateSql(
    table,
    (c) => `w.${quoteIdent(c)}`,
    (v) => p.add(v),
    hasLinks ? `r.${LINKS}` : undefined,
  );
  const audited =
    `INSERT INTO ${quoteIdent(schema)}.audit_logs (id, workspace_id, actor_id, action, resource_type, ` +
    `resource_id, parent_id, after, request_id, ip) SELECT r.${ENTRY}, ${p.add(entries.workspaceId)}, ` +
    `${p.add(entries.actorId)}, 'row.create', 'row', w.id::text, ${p.add(table.id)}, ${state}, ` +
    `${p.add(entries.requestId)}, ${p.add(entries.ip)} FROM w JOIN r ON r.id = w.id`;
  const text = `WITH r AS MATERIALIZED (${source}), w AS (${insert}), entries AS (${audited}) SELECT * FROM w`;
  const rows = await run(text, p.values, statementName(text, String(table.schemaVersion)));
  return inOrder(
    rows,
    values.map((v) => String(v.id)),
  );
}

/** Members of a JSON record that are not columns: the entry's id and the row's link ids. */
const ENTRY = 'lt_entry_id';
const LINKS = 'lt_links';

/** Deletes rows by id and writes their `row.delete` entries (the state each had) in one statement. */
export async function deleteRowsAudited(
  run: SqlRunner,
  schema: string,
  table: TableView,
  ids: readonly string[],
  entries: RowEntries,
): Promise<Raw[]> {
  const p = new Placeholders();
  const physical = `${quoteIdent(schema)}.${quoteIdent(userTableName(table.id))}`;
  const remove = `DELETE FROM ${physical} WHERE id = ANY(${p.add(ids)}::uuid[]) RETURNING ${returned(table)}`;
  const audited = entriesSql(schema, table, 'row.delete', ids, entries, p);
  const text = `WITH w AS (${remove}), entries AS (${audited}) SELECT * FROM w`;
  const rows = await run(text, p.values, statementName(text, String(table.schemaVersion)));
  return inOrder(rows, ids);
}

/** The entries of the rows `w` wrote: `after` a create, `before` a delete. */
function entriesSql(
  schema: string,
  table: TableView,
  action: 'row.create' | 'row.delete',
  ids: readonly string[],
  entries: RowEntries,
  p: Placeholders,
): string {
  const rowIds = p.add(ids);
  const entryIds = p.add(entries.entryIds);
  const links = entries.links?.some((l) => Object.keys(l).length > 0)
    ? p.add(entries.links.map((l) => JSON.stringify(l)))
    : undefined;
  const state = rowStateSql(
    table,
    (c) => `w.${quoteIdent(c)}`,
    (v) => p.add(v),
    links && 'e.links',
  );
  const column = action === 'row.create' ? 'after' : 'before';
  return (
    `INSERT INTO ${quoteIdent(schema)}.audit_logs (id, workspace_id, actor_id, action, resource_type, ` +
    `resource_id, parent_id, ${column}, request_id, ip) SELECT e.id, ${p.add(entries.workspaceId)}, ` +
    `${p.add(entries.actorId)}, '${action}', 'row', w.id::text, ${p.add(table.id)}, ${state}, ` +
    `${p.add(entries.requestId)}, ${p.add(entries.ip)} FROM w JOIN unnest(${rowIds}::uuid[], ` +
    `${entryIds}::uuid[]${links ? `, ${links}::jsonb[]` : ''}) AS e(row_id, id${links ? ', links' : ''}) ` +
    'ON e.row_id = w.id'
  );
}

const returned = (table: TableView): string => rowColumns(table).map(quoteIdent).join(', ');

function inOrder(rows: readonly Raw[], ids: readonly string[]): Raw[] {
  const byId = new Map(rows.map((row) => [String(row.id), row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [row] : [];
  });
}
