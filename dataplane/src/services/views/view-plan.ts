import { ValidationError, type FieldProblem } from '../../platform/errors.js';
import type { Catalog, LogicalType } from '../../query/catalog.js';
import type { GroupBy, LogicalQuery, Sort } from '../../query/lqp.js';
import { termType } from '../../query/plan.js';
import type { StatementCache } from '../../query/sql/index.js';
import { analyzeQuery } from '../../query/validate.js';
import type { Column } from '../tables/column.js';
import type { TableReadModel } from '../tables/table-cache.js';

/** One column a view shows: what rows, filters, sorts and CSV headers call it, and its type. */
export interface ViewOutput {
  /** A column's current name, `<alias>.<column>`, or a computed column's name. */
  name: string;
  type: LogicalType;
  /** A link or lookup column of the source table: read with the rows' linked values. */
  linked?: Column;
}

/** What the query layer runs for a view, against the schema as it is now. */
export interface ViewPlan {
  kind: 'internal' | 'external' | 'materialized';
  /** The LQP's source, joins, computed columns and the view's own filter (names resolved). */
  base: Pick<LogicalQuery, 'source' | 'joins' | 'computedColumns' | 'filter'>;
  /** The view's sorts, names resolved. */
  sorts: Sort[];
  groupBy?: GroupBy;
  outputs: ViewOutput[];
  /** A caller's field name as the plan names it (mini-DB column ids become names). */
  resolve: (ref: string) => string;
  catalog: Catalog;
  /** Mini-DB tables it reads (joins, links and rollup targets included): their changes are its changes. */
  sourceTables: string[];
  /** The bases of those tables (base roles narrow who may use the view). */
  baseIds: string[];
  /** Table id → schema version the plan was built against. */
  schemaVersions: Record<string, number>;
  internal?: { schema: string; source: TableReadModel; statements: StatementCache };
  connectionId?: string;
  materialized?: { table: string; statements: StatementCache };
}

export type PlanOutcome =
  | { ok: true; plan: ViewPlan }
  | {
      ok: false;
      problems: FieldProblem[];
      /** The source could not be asked (a connection down). */ unavailable?: boolean;
    };

/** The output the row LQP yields for row ids: a mini-DB row's id. */
export const ROW_ID = '@id';

/** The implicit aggregate every group carries: its number of rows. */
export const GROUP_COUNT = '@count';

/** Where a problem of the LQP a view compiles to lives in the view's own definition. */
export interface PathMap {
  /** LQP join index → the view's join index (a link join is two LQP joins). */
  joins: number[];
  /** How many computed columns the LQP carries ahead of the view's own (a table's formulas). */
  computedOffset: number;
  /** LQP select index → the index in the view's visibleColumns (absent: the same). */
  select?: number[];
}

/** `sorts[1].field` → `sort[1].field`, `select[2]` → `visibleColumns[2]`, joins and formulas re-indexed. */
export function viewPath(path: string, map: PathMap): string {
  const indexed = /^(sorts|select|joins|computedColumns)\[(\d+)\](.*)$/.exec(path);
  if (path === 'source.table') return 'source';
  if (!indexed) return path;
  const [, list, digits, rest] = indexed as unknown as [string, string, string, string];
  const index = Number(digits);
  switch (list) {
    case 'sorts':
      return `sort[${index}]${rest}`;
    case 'select':
      return `visibleColumns[${map.select?.[index] ?? index}]${rest}`;
    case 'joins':
      return `joins[${map.joins[index] ?? index}]${rest}`;
    default:
      return index < map.computedOffset ? 'source' : `computedColumns[${index - map.computedOffset}]${rest}`;
  }
}

/**
 * Checks the view's row query (and its grouped query) with the query layer against the catalog:
 * the problems under the view's own paths, or the types of the selected outputs.
 */
export function checkQueries(
  queries: { rows: unknown; groups?: unknown },
  catalog: Catalog,
  map: PathMap,
): { problems: FieldProblem[]; types: Map<string, LogicalType> } {
  const problems: FieldProblem[] = [];
  const types = new Map<string, LogicalType>();
  for (const query of [queries.rows, queries.groups]) {
    if (query === undefined) continue;
    try {
      const analyzed = analyzeQuery(query, catalog);
      if (query === queries.rows) for (const o of analyzed.outputs) types.set(o.name, termType(o.term));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const p of error.errors) {
        const path = viewPath(p.path, map);
        if (!problems.some((q) => q.path === path && q.message === p.message))
          problems.push({ path, message: p.message });
      }
    }
  }
  return { problems, types };
}

/**
 * Group fields and aggregated fields must be columns the view shows: a group header or an
 * aggregate must never reveal a column the view hides (the public API relies on it).
 */
export function hiddenGroupProblems(
  groupBy: GroupBy | undefined,
  visible: readonly string[] | undefined,
  resolve: (ref: string) => string,
): FieldProblem[] {
  const reserved = (groupBy?.aggregates ?? []).flatMap((agg, i) =>
    agg.as.startsWith('@')
      ? [{ path: `groupBy.aggregates[${i}].as`, message: 'names starting with @ are reserved' }]
      : [],
  );
  if (!groupBy || !visible) return reserved;
  const shown = new Set(visible.map(resolve));
  return [
    ...reserved,
    ...groupBy.fields.flatMap((ref, i) =>
      shown.has(resolve(ref))
        ? []
        : [{ path: `groupBy.fields[${i}]`, message: `${JSON.stringify(ref)} is not a visible column` }],
    ),
    ...groupBy.aggregates.flatMap((agg, i) =>
      agg.field === undefined || shown.has(resolve(agg.field))
        ? []
        : [
            {
              path: `groupBy.aggregates[${i}].field`,
              message: `${JSON.stringify(agg.field)} is not a visible column`,
            },
          ],
    ),
  ];
}

/** The grouped form of a view's query: its groups, their aggregates and their row counts. */
export function groupedQuery(
  base: ViewPlan['base'],
  groupBy: GroupBy,
  pagination: LogicalQuery['pagination'],
  extra: { filter?: LogicalQuery['filter']; sorts?: Sort[] } = {},
): LogicalQuery {
  return {
    ...base,
    ...(extra.filter ? { filter: extra.filter } : {}),
    ...(extra.sorts?.length ? { sorts: extra.sorts } : {}),
    groupBy: {
      fields: groupBy.fields,
      aggregates: [...groupBy.aggregates, { fn: 'count', as: GROUP_COUNT }],
    },
    pagination,
  };
}

/** A resolver over a group-by: every field reference through `resolve`. */
export function resolveGroupBy(groupBy: GroupBy, resolve: (ref: string) => string): GroupBy {
  return {
    fields: groupBy.fields.map(resolve),
    aggregates: groupBy.aggregates.map((a) =>
      a.field === undefined ? a : { ...a, field: resolve(a.field) },
    ),
  };
}
