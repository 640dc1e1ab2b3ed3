import type { Filter, LogicalQuery, Sort } from '../../query/lqp.js';

/** The body of POST /connections/:id/query in its LQP form (DESIGN §4). */
export interface ConnectionQueryBody {
  table: string;
  schema?: string;
  filter?: Filter;
  sort?: Sort[];
  select?: string[];
  joins?: LogicalQuery['joins'];
  computedColumns?: LogicalQuery['computedColumns'];
  groupBy?: LogicalQuery['groupBy'];
  limit?: number;
  cursor?: string;
  offset?: number;
  explain?: boolean;
}

export interface RawQueryBody {
  sql?: string;
  params?: unknown[];
  pipeline?: unknown[];
  collection?: string;
}

/** Keyset pagination unless the caller asks for an offset (sources that cannot do keyset). */
export function toLogicalQuery(body: ConnectionQueryBody): LogicalQuery {
  const limit = body.limit ?? 100;
  return {
    source: { table: body.table, ...(body.schema ? { schema: body.schema } : {}) },
    ...(body.select ? { select: body.select } : {}),
    ...(body.filter ? { filter: body.filter } : {}),
    ...(body.sort ? { sorts: body.sort } : {}),
    ...(body.joins ? { joins: body.joins } : {}),
    ...(body.computedColumns ? { computedColumns: body.computedColumns } : {}),
    ...(body.groupBy ? { groupBy: body.groupBy } : {}),
    pagination:
      body.offset !== undefined
        ? { mode: 'offset', limit, offset: body.offset }
        : { mode: 'keyset', limit, ...(body.cursor ? { cursor: body.cursor } : {}) },
  };
}
