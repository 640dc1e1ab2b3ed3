import { statementName } from '../../store/prepared.js';
import { userTableName } from '../../store/user-tables/names.js';
import { Placeholders, quoteIdent, type SqlRunner } from '../../store/user-tables/verbatim.js';
import type { TableView } from '../tables/metadata.js';
import type { EntryContext } from '../unit-of-work.js';
import { rowColumns, rowStateSql } from './row-state-sql.js';

type Raw = Record<string, unknown>;

export type RowUpdateOutcome =
  | { ok: true; before: Raw; after: Raw }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'locked'; holderId: string }
  | { ok: false; reason: 'stale'; current: Raw }
  | { ok: false; reason: 'schema_changed' };

const OLD = 'old_';

/**
 * One row update, and its audit entry, in one statement (ADR 0015): the table's metadata row is
 * taken FOR SHARE and must still be at `table.schemaVersion` (no schema change runs under the
 * write, and values were encoded for the columns as they are); the row is locked and read as it
 * was, refused when someone else holds a row lock or when `version` is not its current version,
 * changed, and audited with both states as the database now holds them. Atomic on its own, so it
 * needs no transaction of its own. Only a refusal costs a second statement, to say why. Values
 * are driver-ready (encoded), keyed by physical column; `links` (ids by link column, before and
 * after) join the audited states.
 */
export async function updateRowAudited(
  run: SqlRunner,
  schema: string,
  table: TableView,
  rowId: string,
  values: Raw,
  options: {
    version?: number;
    audit: EntryContext;
    links?: { before: Record<string, string[]>; after: Record<string, string[]> };
  },
): Promise<RowUpdateOutcome> {
  const s = quoteIdent(schema);
  const physical = `${s}.${quoteIdent(userTableName(table.id))}`;
  const p = new Placeholders();
  const { audit } = options;
  const columns = rowColumns(table);
  const meta = `SELECT schema_version FROM ${s}.tables WHERE id = ${p.add(table.id)} FOR SHARE`;
  const old =
    `SELECT t.*, (SELECT l.holder_id FROM ${s}.row_locks l WHERE l.table_id = ${p.add(table.id)} ` +
    `AND l.row_id = t.id AND l.expires_at > now() AND l.holder_id IS DISTINCT FROM ${p.add(audit.actorId)}) ` +
    `AS lt_locked_by FROM ${physical} t WHERE t.id = ${p.add(rowId)} FOR UPDATE OF t`;
  const set = Object.entries(values)
    .map(([column, value]) => `${quoteIdent(column)} = ${p.add(value)}, `)
    .join('');
  const update =
    `UPDATE ${physical} AS t SET ${set}version = old.version + 1, updated_at = now(), ` +
    `updated_by = ${p.add(audit.actorId)} FROM old, meta WHERE t.id = old.id AND old.lt_locked_by IS NULL ` +
    `AND meta.schema_version = ${p.add(table.schemaVersion)}` +
    (options.version !== undefined ? ` AND old.version = ${p.add(options.version)}` : '') +
    ` RETURNING ${columns.map((c) => `t.${quoteIdent(c)}`).join(', ')}, ` +
    columns.map((c) => `old.${quoteIdent(c)} AS ${quoteIdent(OLD + c)}`).join(', ');
  const links = options.links && Object.keys(options.links.after).length > 0 ? options.links : undefined;
  const before = rowStateSql(
    table,
    (c) => `upd.${quoteIdent(OLD + c)}`,
    p,
    links && p.add(JSON.stringify(links.before)),
  );
  const after = rowStateSql(
    table,
    (c) => `upd.${quoteIdent(c)}`,
    p,
    links && p.add(JSON.stringify(links.after)),
  );
  const entry =
    `INSERT INTO ${s}.audit_logs (id, workspace_id, actor_id, action, resource_type, resource_id, parent_id, ` +
    `before, after, request_id, ip) SELECT ${p.add(audit.id)}, ${p.add(audit.workspaceId)}, ` +
    `${p.add(audit.actorId)}, 'row.update', 'row', upd.id::text, ${p.add(table.id)}, ${before}, ${after}, ` +
    `${p.add(audit.requestId)}, ${p.add(audit.ip)} FROM upd`;
  const text = `WITH meta AS (${meta}), old AS (${old}), upd AS (${update}), entry AS (${entry}) SELECT * FROM upd`;
  const [row] = await run(text, p.values, statementName(text, String(table.schemaVersion)));
  if (row) {
    const beforeRow: Raw = {};
    const afterRow: Raw = {};
    for (const [key, value] of Object.entries(row)) {
      if (key.startsWith(OLD)) beforeRow[key.slice(OLD.length)] = value;
      else afterRow[key] = value;
    }
    return { ok: true, before: beforeRow, after: afterRow };
  }
  return whyRefused(run, schema, table, rowId, audit.actorId);
}

async function whyRefused(
  run: SqlRunner,
  schema: string,
  table: TableView,
  rowId: string,
  actorId: string | null,
): Promise<RowUpdateOutcome> {
  const s = quoteIdent(schema);
  const [state] = await run(
    `SELECT (SELECT schema_version FROM ${s}.tables WHERE id = $1) AS schema_version,
            (SELECT l.holder_id FROM ${s}.row_locks l WHERE l.table_id = $1 AND l.row_id = $2
               AND l.expires_at > now() AND l.holder_id IS DISTINCT FROM $3) AS holder_id,
            EXISTS (SELECT FROM ${s}.${quoteIdent(userTableName(table.id))} t WHERE t.id = $2) AS found`,
    [table.id, rowId, actorId],
  );
  if (state?.schema_version !== table.schemaVersion) return { ok: false, reason: 'schema_changed' };
  if (!state.found) return { ok: false, reason: 'not_found' };
  if (state.holder_id) return { ok: false, reason: 'locked', holderId: String(state.holder_id) };
  return { ok: false, reason: 'stale', current: await currentRow(run, schema, table, rowId) };
}

/** The row as the driver reads it (types parsed as everywhere else), for the 409's body. */
async function currentRow(run: SqlRunner, schema: string, table: TableView, rowId: string): Promise<Raw> {
  const [row] = await run(
    `SELECT * FROM ${quoteIdent(schema)}.${quoteIdent(userTableName(table.id))} WHERE id = $1`,
    [rowId],
  );
  return row as Raw;
}
