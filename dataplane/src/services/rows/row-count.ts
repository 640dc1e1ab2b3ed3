import type { Knex } from 'knex';
import type { Catalog } from '../../query/catalog.js';
import type { LogicalQuery } from '../../query/lqp.js';
import { prepareSql } from '../../query/sql/compile-sql.js';

interface PlanNode {
  'Plan Rows'?: number;
  'Node Type'?: string;
  Plans?: PlanNode[];
}

/**
 * The planner's estimate of the rows a list's filter matches, from EXPLAIN of the same statement
 * without its page limit: instant at any table size, as good as the table's statistics.
 */
export async function explainRowCount(knex: Knex, query: LogicalQuery, catalog: Catalog): Promise<number> {
  const { plan } = prepareSql(
    { ...query, sorts: undefined, pagination: { mode: 'offset', limit: 1, offset: 0 } },
    catalog,
    'postgres',
  );
  const result = (await knex.raw(
    `EXPLAIN (FORMAT JSON) ${plan.statement.sql}`,
    plan.statement.bindings as never,
  )) as {
    rows: { 'QUERY PLAN': { Plan: PlanNode }[] }[];
  };
  const root = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
  // The Limit node says 2 (limit + 1); what it reads from is the filtered scan.
  const scan = root?.['Node Type'] === 'Limit' ? root.Plans?.[0] : root;
  return Math.max(0, Math.round(scan?.['Plan Rows'] ?? 0));
}
