import type { Knex } from 'knex';
import type { Catalog } from '../../query/catalog.js';
import { explain } from '../../query/explain.js';
import type { LogicalQuery } from '../../query/lqp.js';
import { runSqlQuery, type SqlDialectName } from '../../query/sql/index.js';
import type { LogicalQueryResult } from '../adapter.js';

export interface LogicalRunOptions {
  rowCap: number;
  readOnly: boolean;
  explain: boolean;
}

/** A page never exceeds the connection's row cap: the limit is lowered, the cursor still pages on. */
function capped(query: LogicalQuery, rowCap: number): LogicalQuery {
  const pagination = (query as Partial<LogicalQuery>).pagination;
  if (!pagination || typeof pagination.limit !== 'number' || pagination.limit <= rowCap) return query;
  return { ...query, pagination: { ...pagination, limit: rowCap } };
}

/**
 * An LQP on a SQL source, through the query layer's compiler and runner (validation 422,
 * cursor 400, one parameterised statement). `knex` runs on the adapter's own pool; a read-only
 * connection runs it inside a READ ONLY transaction.
 */
export async function runLogicalQuery(
  knex: Knex,
  query: LogicalQuery,
  catalog: Catalog,
  dialect: SqlDialectName,
  options: LogicalRunOptions,
): Promise<LogicalQueryResult> {
  const page = capped(query, options.rowCap);
  const result = options.readOnly
    ? await knex.transaction((trx) => runSqlQuery(trx, page, catalog, dialect), { readOnly: true })
    : await runSqlQuery(knex, page, catalog, dialect);
  return options.explain ? { ...result, explain: explain(page, catalog, dialect) } : result;
}
