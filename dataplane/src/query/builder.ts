import type {
  AggregateFn,
  ComputedColumn,
  Filter,
  FilterOp,
  Join,
  LogicalQuery,
  Pagination,
  Sort,
} from './lqp.js';

/**
 * A fluent, immutable builder of LogicalQuery values for services:
 *
 *   query('orders').where('status', 'eq', 'open').orderBy('due', 'desc')
 *     .leftJoin('customers', 'c', 'customer_id', 'id').compute('total', '{qty} * {price}')
 *     .page({ mode: 'keyset', limit: 50 }).build()
 *
 * It only records what was asked (each call returns a new builder); `validateQuery` checks the
 * result against a catalog. Conditions given to `where`/`and` are ANDed together.
 */
export function query(table: string, schema?: string): QueryBuilder {
  return new QueryBuilder({ source: schema === undefined ? { table } : { table, schema }, conditions: [] });
}

/** A comparison: `cond('qty', 'gt', 3)`; unary operators take no value. */
export function cond(field: string, op: FilterOp, value?: unknown): Filter {
  return value === undefined ? { field, op } : { field, op, value };
}
export const and = (...filters: Filter[]): Filter => ({ and: filters });
export const or = (...filters: Filter[]): Filter => ({ or: filters });
export const not = (filter: Filter): Filter => ({ not: filter });

/** Default page when `page()` is not called. */
export const DEFAULT_PAGINATION: Pagination = { mode: 'keyset', limit: 100 };

interface State {
  source: LogicalQuery['source'];
  conditions: Filter[];
  select?: string[];
  sorts?: Sort[];
  joins?: Join[];
  computedColumns?: ComputedColumn[];
  groupBy?: NonNullable<LogicalQuery['groupBy']>;
  pagination?: Pagination;
}

export class QueryBuilder {
  constructor(private readonly state: State) {}

  private with(change: Partial<State>): QueryBuilder {
    return new QueryBuilder({ ...this.state, ...change });
  }

  /** ANDs a condition: `where('status', 'eq', 'open')` or `where(or(cond(...), cond(...)))`. */
  where(field: string | Filter, op?: FilterOp, value?: unknown): QueryBuilder {
    const filter = typeof field === 'string' ? cond(field, op ?? 'eq', value) : field;
    return this.with({ conditions: [...this.state.conditions, filter] });
  }

  and(field: string | Filter, op?: FilterOp, value?: unknown): QueryBuilder {
    return this.where(field, op, value);
  }

  /** ANDs one group whose members are ORed. */
  or(...filters: Filter[]): QueryBuilder {
    return this.where({ or: filters });
  }

  select(...fields: string[]): QueryBuilder {
    return this.with({ select: [...(this.state.select ?? []), ...fields] });
  }

  orderBy(field: string, direction: 'asc' | 'desc' = 'asc'): QueryBuilder {
    return this.with({ sorts: [...(this.state.sorts ?? []), { field, direction }] });
  }

  join(join: Join): QueryBuilder;
  join(table: string, as: string, left: string, right: string): QueryBuilder;
  join(table: string | Join, as?: string, left?: string, right?: string): QueryBuilder {
    const join: Join =
      typeof table === 'string'
        ? { table, as: as ?? table, type: 'inner', on: { left: left ?? '', right: right ?? '' } }
        : table;
    return this.with({ joins: [...(this.state.joins ?? []), join] });
  }

  leftJoin(table: string, as: string, left: string, right: string): QueryBuilder {
    return this.join({ table, as, type: 'left', on: { left, right } });
  }

  compute(name: string, formula: string): QueryBuilder {
    return this.with({ computedColumns: [...(this.state.computedColumns ?? []), { name, formula }] });
  }

  groupBy(...fields: string[]): QueryBuilder {
    const current = this.state.groupBy ?? { fields: [], aggregates: [] };
    return this.with({ groupBy: { ...current, fields: [...current.fields, ...fields] } });
  }

  /** Adds an aggregate (and makes the query grouped); `count` may omit the field. */
  aggregate(fn: AggregateFn, as: string, field?: string): QueryBuilder {
    const current = this.state.groupBy ?? { fields: [], aggregates: [] };
    const aggregate = field === undefined ? { fn, as } : { fn, field, as };
    return this.with({ groupBy: { ...current, aggregates: [...current.aggregates, aggregate] } });
  }

  page(pagination: Pagination): QueryBuilder {
    return this.with({ pagination });
  }

  build(): LogicalQuery {
    const { source, conditions, pagination, ...rest } = structuredClone(this.state);
    const filter =
      conditions.length === 0 ? undefined : conditions.length === 1 ? conditions[0] : { and: conditions };
    return {
      source,
      ...rest,
      ...(filter ? { filter } : {}),
      pagination: pagination ?? { ...DEFAULT_PAGINATION },
    };
  }
}
