import type { Knex } from 'knex';
import { SYSTEM_COLUMNS, userColumnName, userTableName } from '../../store/user-tables/names.js';
import { isStoredType } from '../tables/column-types.js';
import type { TableView } from '../tables/metadata.js';

type Raw = Record<string, unknown>;

export type RowUpdateOutcome =
  | { ok: true; before: Raw; after: Raw }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'locked'; holderId: string }
  | { ok: false; reason: 'stale'; current: Raw };

const OLD = 'old_';

/**
 * One row update in one statement: the row is locked and read as it was (`old`), refused when
 * someone else holds a row lock or when `version` is not its current version, and changed —
 * returning both states. Only a refusal costs a second statement, to say why. Values are
 * driver-ready (encoded), keyed by physical column.
 */
export async function updateRowReturningBefore(
  trx: Knex.Transaction,
  schema: string,
  table: TableView,
  rowId: string,
  values: Raw,
  options: { version?: number; actorId: string | null },
): Promise<RowUpdateOutcome> {
  const physical = userTableName(table.id);
  const columns = [
    ...Object.values(SYSTEM_COLUMNS),
    ...table.columns.filter((c) => isStoredType(c.type)).map((c) => userColumnName(c.id)),
  ];
  const set = Object.entries(values);
  const bindings: unknown[] = [schema, table.id, options.actorId, schema, physical, rowId, schema, physical];
  for (const [column, value] of set) bindings.push(column, value);
  bindings.push(options.actorId);
  if (options.version !== undefined) bindings.push(options.version);
  for (const column of columns) bindings.push(column, `${OLD}${column}`);
  const result = (await trx.raw(
    `WITH old AS (
       SELECT t.*, (SELECT l.holder_id FROM ??.row_locks l
                    WHERE l.table_id = ? AND l.row_id = t.id AND l.expires_at > now()
                      AND l.holder_id IS DISTINCT FROM ?) AS lt_locked_by
       FROM ??.?? t WHERE t.id = ? FOR UPDATE OF t)
     UPDATE ??.?? AS t SET ${set.map(() => '?? = ?, ').join('')}version = old.version + 1, updated_at = now(), updated_by = ?
     FROM old WHERE t.id = old.id AND old.lt_locked_by IS NULL${options.version !== undefined ? ' AND old.version = ?' : ''}
     RETURNING t.*, ${columns.map(() => 'old.?? AS ??').join(', ')}`,
    bindings as Knex.RawBinding[],
  )) as { rows: Raw[] };
  const [row] = result.rows;
  if (row) {
    const before: Raw = {};
    const after: Raw = {};
    for (const [key, value] of Object.entries(row)) {
      if (key.startsWith(OLD)) before[key.slice(OLD.length)] = value;
      else after[key] = value;
    }
    return { ok: true, before, after };
  }
  return whyRefused(trx, schema, table, rowId, options.actorId);
}

async function whyRefused(
  trx: Knex.Transaction,
  schema: string,
  table: TableView,
  rowId: string,
  actorId: string | null,
): Promise<RowUpdateOutcome> {
  const current = (await trx
    .withSchema(schema)
    .table(userTableName(table.id))
    .where({ id: rowId })
    .first()) as Raw | undefined;
  if (!current) return { ok: false, reason: 'not_found' };
  const lock = (await trx
    .withSchema(schema)
    .table('row_locks')
    .where({ table_id: table.id, row_id: rowId })
    .where('expires_at', '>', trx.fn.now())
    .whereRaw('holder_id IS DISTINCT FROM ?', [actorId])
    .first('holder_id')) as { holder_id: string } | undefined;
  if (lock) return { ok: false, reason: 'locked', holderId: lock.holder_id };
  return { ok: false, reason: 'stale', current };
}
