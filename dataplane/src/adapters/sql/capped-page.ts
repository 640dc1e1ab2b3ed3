import type { LogicalQuery } from '../../query/lqp.js';

/** A page never exceeds the connection's row cap: the limit is lowered, the cursor still pages on. */
export function cappedPage(query: LogicalQuery, rowCap: number): LogicalQuery {
  const pagination = (query as Partial<LogicalQuery>).pagination;
  if (!pagination || typeof pagination.limit !== 'number' || pagination.limit <= rowCap) return query;
  return { ...query, pagination: { ...pagination, limit: rowCap } };
}
