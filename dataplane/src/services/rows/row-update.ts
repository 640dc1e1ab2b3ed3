import { statementName } from '../../store/prepared.js';
import { userTableName } from '../../store/user-tables/names.js';
import { LRUCache } from 'lru-cache';
import { ParameterTemplate, quoteIdent, type SqlRunner } from '../../store/user-tables/verbatim.js';
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
  const links = options.links && Object.keys(options.links.after).length > 0 ? options.links : undefined;
  const set = Object.keys(values);
  const statement = updateStatement(schema, table, set, options.version !== undefined, links !== undefined);
  const input: UpdateInput = { table, rowId, values, version: options.version, audit: options.audit, links };
  const [row] = await run(statement.text, statement.params.values(input), statement.name);
  if (row) {
    const beforeRow: Raw = {};
    const afterRow: Raw = {};
    for (const [key, value] of Object.entries(row)) {
      if (key.startsWith(OLD)) beforeRow[key.slice(OLD.length)] = value;
      else afterRow[key] = value;
    }
    return { ok: true, before: beforeRow, after: afterRow };
  }
  return whyRefused(run, schema, table, rowId, options.audit.actorId);
}

/** What one run of an update statement binds. */
interface UpdateInput {
  table: TableView;
  rowId: string;
  values: Raw;
  version: number | undefined;
  audit: EntryContext;
  links: { before: Record<string, string[]>; after: Record<string, string[]> } | undefined;
}

interface UpdateStatement {
  text: string;
  name: string;
  params: ParameterTemplate<UpdateInput>;
}

/**
 * Update statements by shape (table and schema version, the columns set, whether a version and
 * links are given): a cell edit runs the same few shapes again and again, so the text, its name
 * and the order of its parameters are built once.
 */
const statements = new LRUCache<string, UpdateStatement>({ max: 1_000 });

function updateStatement(
  schema: string,
  table: TableView,
  set: readonly string[],
  versioned: boolean,
  withLinks: boolean,
): UpdateStatement {
  const key = `${schema}|${table.id}|${table.schemaVersion}|${set.join(',')}|${versioned}|${withLinks}`;
  let statement = statements.get(key);
  if (!statement) {
    statement = buildUpdate(schema, table, set, versioned, withLinks);
    statements.set(key, statement);
  }
  return statement;
}

function buildUpdate(
  schema: string,
  table: TableView,
  set: readonly string[],
  versioned: boolean,
  withLinks: boolean,
): UpdateStatement {
  const s = quoteIdent(schema);
  const physical = `${s}.${quoteIdent(userTableName(table.id))}`;
  const p = new ParameterTemplate<UpdateInput>();
  const bind = (constant: string) => p.constant(constant);
  const columns = rowColumns(table);
  const actor = (i: UpdateInput) => i.audit.actorId;
  const meta = `SELECT schema_version FROM ${s}.tables WHERE id = ${bind(table.id)} FOR SHARE`;
  const old =
    `SELECT t.*, (SELECT l.holder_id FROM ${s}.row_locks l WHERE l.table_id = ${bind(table.id)} ` +
    `AND l.row_id = t.id AND l.expires_at > now() AND l.holder_id IS DISTINCT FROM ${p.add(actor)}) ` +
    `AS lt_locked_by FROM ${physical} t WHERE t.id = ${p.add((i) => i.rowId)} FOR UPDATE OF t`;
  const assignments = set
    .map((column) => `${quoteIdent(column)} = ${p.add((i) => i.values[column])}, `)
    .join('');
  const update =
    `UPDATE ${physical} AS t SET ${assignments}version = old.version + 1, updated_at = now(), ` +
    `updated_by = ${p.add(actor)} FROM old, meta WHERE t.id = old.id AND old.lt_locked_by IS NULL ` +
    `AND meta.schema_version = ${p.add((i) => i.table.schemaVersion)}` +
    (versioned ? ` AND old.version = ${p.add((i) => i.version)}` : '') +
    ` RETURNING ${columns.map((c) => `t.${quoteIdent(c)}`).join(', ')}, ` +
    columns.map((c) => `old.${quoteIdent(c)} AS ${quoteIdent(OLD + c)}`).join(', ');
  const linksOf = (side: 'before' | 'after') =>
    withLinks ? p.add((i) => JSON.stringify(i.links?.[side] ?? {})) : undefined;
  const before = rowStateSql(table, (c) => `upd.${quoteIdent(OLD + c)}`, bind, linksOf('before'));
  const after = rowStateSql(table, (c) => `upd.${quoteIdent(c)}`, bind, linksOf('after'));
  const entry =
    `INSERT INTO ${s}.audit_logs (id, workspace_id, actor_id, action, resource_type, resource_id, parent_id, ` +
    `before, after, request_id, ip) SELECT ${p.add((i) => i.audit.id)}, ${p.add((i) => i.audit.workspaceId)}, ` +
    `${p.add(actor)}, 'row.update', 'row', upd.id::text, ${bind(table.id)}, ${before}, ${after}, ` +
    `${p.add((i) => i.audit.requestId)}, ${p.add((i) => i.audit.ip)} FROM upd`;
  const text = `WITH meta AS (${meta}), old AS (${old}), upd AS (${update}), entry AS (${entry}) SELECT * FROM upd`;
  return { text, name: statementName(text, String(table.schemaVersion)), params: p };
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
