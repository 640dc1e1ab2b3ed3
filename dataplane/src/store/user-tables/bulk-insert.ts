import type { Knex } from 'knex';
import { Placeholders, quoteIdent, runVerbatim } from './verbatim.js';

type Raw = Record<string, unknown>;

/** A column a bulk insert fills, with the PostgreSQL type its array is cast to. */
export interface BulkColumn {
  name: string;
  sqlType: string;
}

/**
 * `INSERT INTO table (columns) SELECT * FROM unnest($1::t[], …)`: one array parameter per column,
 * a statement of a few hundred bytes and N parameters whatever the row count, where a multi-row
 * VALUES list needs rows × columns parameters the server parses one by one. Values are
 * driver-ready; a value missing from a row is NULL.
 */
export function insertByColumnsSql(
  table: { schema: string; name: string },
  columns: readonly BulkColumn[],
  rows: readonly Raw[],
  params: Placeholders,
): string {
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  const unnest = columns
    .map((c) => `${params.add(rows.map((row) => row[c.name] ?? null))}::${c.sqlType}[]`)
    .join(', ');
  return `INSERT INTO ${quoteIdent(table.schema)}.${quoteIdent(table.name)} (${names}) SELECT * FROM unnest(${unnest})`;
}

/** `insertByColumnsSql` run on the transaction; returns the inserted rows (`RETURNING`). */
export async function insertByColumns(
  trx: Knex.Transaction,
  table: { schema: string; name: string },
  columns: readonly BulkColumn[],
  rows: readonly Raw[],
  returning: string,
): Promise<Raw[]> {
  const params = new Placeholders();
  const insert = insertByColumnsSql(table, columns, rows, params);
  return runVerbatim(trx, `${insert} RETURNING ${returning}`, params.values);
}
