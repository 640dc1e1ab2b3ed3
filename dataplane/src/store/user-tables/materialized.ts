import type { Knex } from 'knex';
import type { LogicalType } from '../../query/catalog.js';
import { quoteIdent } from '../identifiers.js';
import { materializedTablePrefix } from './names.js';

/**
 * Materialized view tables (ADR 0019): `_pos` (the row's place in the view's order) and one
 * column `o<i>` per output of the view, typed by its logical type. Names and types come from
 * this file and the ids in names.ts only; values are always bound.
 */
const SQL_TYPES: Record<LogicalType, string> = {
  text: 'text',
  integer: 'numeric',
  number: 'numeric',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamptz',
  json: 'jsonb',
  uuid: 'uuid',
  binary: 'text',
  unknown: 'jsonb',
};

/** How a materialized column reads back: binary is kept as its base64 text, unknown as JSON. */
export function materializedType(type: LogicalType): LogicalType {
  if (type === 'binary') return 'text';
  return type === 'unknown' ? 'json' : type;
}

export const materializedColumn = (index: number): string => `o${index}`;
export const MATERIALIZED_POSITION = '_pos';

export async function createMaterializedTable(
  knex: Knex,
  schema: string,
  table: string,
  types: readonly LogicalType[],
): Promise<void> {
  const columns = types.map((t, i) => `${quoteIdent(materializedColumn(i))} ${SQL_TYPES[t]}`);
  await knex.raw(
    `CREATE TABLE ${quoteIdent(schema)}.${quoteIdent(table)} (${quoteIdent(MATERIALIZED_POSITION)} bigint PRIMARY KEY${columns.map((c) => `, ${c}`).join('')})`,
  );
}

/** Inserts rows (values in column order) at positions `from`, `from + 1` … */
export async function insertMaterializedRows(
  knex: Knex,
  schema: string,
  table: string,
  types: readonly LogicalType[],
  rows: readonly unknown[][],
  from: number,
): Promise<void> {
  if (rows.length === 0) return;
  const bindings: unknown[] = [];
  const tuples = rows.map((row, r) => {
    bindings.push(from + r);
    const cells = types.map((type, i) => {
      bindings.push(cellValue(type, row[i]));
      return `?::${SQL_TYPES[type]}`;
    });
    return `(?::bigint${cells.map((c) => `, ${c}`).join('')})`;
  });
  const columns = [MATERIALIZED_POSITION, ...types.map((_, i) => materializedColumn(i))].map(quoteIdent);
  await knex.raw(
    `INSERT INTO ${quoteIdent(schema)}.${quoteIdent(table)} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`,
    bindings as Knex.RawBinding[],
  );
}

function cellValue(type: LogicalType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (SQL_TYPES[type] === 'jsonb') return JSON.stringify(value);
  return typeof value === 'object' ? JSON.stringify(value) : value;
}

export async function dropMaterializedTable(knex: Knex, schema: string, table: string): Promise<void> {
  await knex.raw(`DROP TABLE IF EXISTS ${quoteIdent(schema)}.${quoteIdent(table)}`);
}

/** Every materialization of the view, the current one and any a failed refresh left behind. */
export async function materializedTablesOf(knex: Knex, schema: string, viewId: string): Promise<string[]> {
  const rows = (await knex('pg_tables')
    .withSchema('pg_catalog')
    .where({ schemaname: schema })
    .andWhere('tablename', 'like', `${materializedTablePrefix(viewId)}%`)
    .select('tablename')) as { tablename: string }[];
  // LIKE reads `_` as any character: keep the exact prefix only.
  const prefix = materializedTablePrefix(viewId);
  return rows.map((r) => r.tablename).filter((name) => name.startsWith(prefix));
}
