import type { Knex } from 'knex';
import type { Catalog } from '../catalog.js';
import type { QueryResult } from '../lqp.js';
import type { SqlDialectName } from './dialect.js';
import { prepareSql, toKnexRaw } from './compile-sql.js';
import { pageReader } from './page-reader.js';

type Row = Record<string, unknown>;

/**
 * Runs an LQP on a SQL source through `knex` (a transaction too): one statement fetching
 * limit + 1 rows, read into a page by `pageReader`. The session must be in UTC (README).
 */
export async function runSqlQuery(
  knex: Knex | Knex.Transaction,
  query: unknown,
  catalog: Catalog,
  dialect: SqlDialectName,
): Promise<QueryResult> {
  const { plan } = prepareSql(query, catalog, dialect);
  const result: unknown = await toKnexRaw(knex, dialect, plan);
  const fetched = (dialect === 'postgres' ? (result as { rows: Row[] }).rows : (result as [Row[]])[0]) ?? [];
  return pageReader(plan)(fetched);
}
