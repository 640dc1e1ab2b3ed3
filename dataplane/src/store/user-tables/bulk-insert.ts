import type { Knex } from 'knex';
import { quoteIdent, runVerbatim } from './verbatim.js';

type Raw = Record<string, unknown>;

/** A column a bulk insert fills, with the PostgreSQL type its array is cast to. */
export interface BulkColumn {
  name: string;
  sqlType: string;
}

/**
 * Inserts many rows with one array parameter per column (`INSERT … SELECT * FROM unnest($1::t[],
 * …)`): a statement of a few hundred bytes and N parameters whatever the row count, where a
 * multi-row VALUES list needs rows × columns parameters the server parses one by one. Values
 * are driver-ready; a value missing from a row is NULL. Returns the inserted rows (`RETURNING`).
 */
export async function insertByColumns(
  trx: Knex.Transaction,
  table: { schema: string; name: string },
  columns: readonly BulkColumn[],
  rows: readonly Raw[],
  returning: string,
): Promise<Raw[]> {
  const arrays = columns.map((c) => rows.map((row) => row[c.name] ?? null));
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  const unnest = columns.map((c, i) => `$${i + 1}::${c.sqlType}[]`).join(', ');
  return runVerbatim(
    trx,
    `INSERT INTO ${quoteIdent(table.schema)}.${quoteIdent(table.name)} (${names}) SELECT * FROM unnest(${unnest}) RETURNING ${returning}`,
    arrays,
  );
}
