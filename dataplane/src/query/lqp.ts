import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';

/**
 * The logical query plan (LQP): what every table, view and explorer screen asks of a source.
 * One JSON shape for all sources; compilers turn it into SQL (Postgres, MySQL) or a MongoDB
 * pipeline. These TypeBox schemas are the structural validation, the TS types and (through
 * the HTTP layer) the OpenAPI description; `validateQuery` adds the checks that need the catalog.
 *
 * Field references are column names of the source table, or `<alias>.<column>` for a joined table.
 */
export const COMPARISON_OPS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte'] as const;
export const LIST_OPS = ['in', 'nin'] as const;
export const TEXT_OPS = ['contains', 'ncontains', 'startsWith', 'endsWith'] as const;
export const UNARY_OPS = ['isEmpty', 'isNotEmpty', 'isToday', 'isPast', 'isFuture'] as const;
export const RANGE_OPS = ['between'] as const;
/** Date helpers with a day count: `{field, op: 'inLastDays', value: 7}`. */
export const DAYS_OPS = ['inLastDays', 'inNextDays'] as const;
export const FILTER_OPS = [
  ...COMPARISON_OPS,
  ...LIST_OPS,
  ...TEXT_OPS,
  ...UNARY_OPS,
  ...RANGE_OPS,
  ...DAYS_OPS,
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** A union of string literals whose static type keeps the literals (`'asc' | 'desc'`, not `string`). */
const literals = <T extends readonly string[]>(values: T) =>
  Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<TLiteral<T[number]>[]>;

export const FieldRef = Type.String({
  minLength: 1,
  maxLength: 300,
  description: 'column name, or <joinAlias>.<column>',
});

export const FilterLeaf = Type.Object(
  { field: FieldRef, op: literals(FILTER_OPS), value: Type.Optional(Type.Unknown()) },
  { additionalProperties: false },
);
export type FilterLeaf = Static<typeof FilterLeaf>;

export type Filter = { and: Filter[] } | { or: Filter[] } | { not: Filter } | FilterLeaf;

/** Recursive schema; depth is bounded by the validator (MAX_FILTER_DEPTH). */
export const FilterSchema = Type.Recursive(
  (This) =>
    Type.Union([
      Type.Object({ and: Type.Array(This, { maxItems: 200 }) }, { additionalProperties: false }),
      Type.Object({ or: Type.Array(This, { maxItems: 200 }) }, { additionalProperties: false }),
      Type.Object({ not: This }, { additionalProperties: false }),
      FilterLeaf,
    ]),
  { $id: 'Filter' },
);

export const SortSchema = Type.Object(
  { field: FieldRef, direction: Type.Optional(literals(['asc', 'desc'] as const)) },
  { additionalProperties: false },
);
export type Sort = Static<typeof SortSchema>;

export const JoinSchema = Type.Object(
  {
    table: Type.String({ minLength: 1, maxLength: 300 }),
    schema: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    as: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$' }),
    type: Type.Optional(literals(['inner', 'left'] as const)),
    /** `left` names a field of the source or of an earlier join; `right` a column of this table. */
    on: Type.Object(
      { left: FieldRef, right: Type.String({ minLength: 1, maxLength: 300 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type Join = Static<typeof JoinSchema>;

export const ComputedColumnSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    formula: Type.String({ minLength: 1, maxLength: 10_000 }),
  },
  { additionalProperties: false },
);
export type ComputedColumn = Static<typeof ComputedColumnSchema>;

export const AGGREGATE_FNS = ['count', 'countDistinct', 'sum', 'avg', 'min', 'max'] as const;
export type AggregateFn = (typeof AGGREGATE_FNS)[number];

export const AggregateSchema = Type.Object(
  {
    fn: literals(AGGREGATE_FNS),
    field: Type.Optional(FieldRef),
    as: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export type Aggregate = Static<typeof AggregateSchema>;

export const GroupBySchema = Type.Object(
  {
    fields: Type.Array(FieldRef, { maxItems: 20 }),
    aggregates: Type.Array(AggregateSchema, { maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type GroupBy = Static<typeof GroupBySchema>;

export const PaginationSchema = Type.Union([
  Type.Object(
    {
      mode: Type.Literal('keyset'),
      limit: Type.Integer({ minimum: 1, maximum: 1000 }),
      cursor: Type.Optional(Type.String({ maxLength: 4000 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      mode: Type.Literal('offset'),
      limit: Type.Integer({ minimum: 1, maximum: 1000 }),
      offset: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
    },
    { additionalProperties: false },
  ),
]);
export type Pagination = Static<typeof PaginationSchema>;

export const LogicalQuerySchema = Type.Object(
  {
    source: Type.Object(
      {
        table: Type.String({ minLength: 1, maxLength: 300 }),
        schema: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
      },
      { additionalProperties: false },
    ),
    select: Type.Optional(Type.Array(FieldRef, { maxItems: 500 })),
    filter: Type.Optional(FilterSchema),
    sorts: Type.Optional(Type.Array(SortSchema, { maxItems: 20 })),
    joins: Type.Optional(Type.Array(JoinSchema, { maxItems: 10 })),
    computedColumns: Type.Optional(Type.Array(ComputedColumnSchema, { maxItems: 50 })),
    groupBy: Type.Optional(GroupBySchema),
    pagination: PaginationSchema,
  },
  { additionalProperties: false },
);

export type LogicalQuery = Omit<Static<typeof LogicalQuerySchema>, 'filter'> & { filter?: Filter };

/** One result page. Rows are keyed by output name: column, `alias.column`, computed or aggregate name. */
export interface QueryResult {
  rows: Record<string, unknown>[];
  nextCursor: string | null;
  /** Whether rows follow this page (both pagination modes; optional for older producers). */
  hasMore?: boolean;
}

/** What `explain` reports: the compiled query, and which parts ran in the source vs in process. */
export interface QueryExplanation {
  target: 'postgres' | 'mysql' | 'mongodb';
  /** SQL text with placeholders, or the aggregation pipeline. */
  compiled: string | unknown[];
  bindings: unknown[];
  pushedDown: string[];
  inProcess: string[];
}
