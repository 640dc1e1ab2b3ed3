import type { ComputedColumn, Filter, GroupBy, Sort } from '../../query/lqp.js';
import type { Role } from '../../store/roles.js';

/** What a view reads: a mini-DB table, or a table (collection) of an external connection. */
export type ViewSource = InternalSource | ExternalSource;
export interface InternalSource {
  tableId: string;
}
export interface ExternalSource {
  connectionId: string;
  table: string;
  schema?: string;
}

export const isInternal = (source: ViewSource): source is InternalSource => 'tableId' in source;

/**
 * A join of a view. External sources: the LQP's join (a table of the same connection, `on` a
 * field of the source or an earlier join = a column of this table). Internal sources: `table` is
 * a table id of the workspace joined `on` fields the same way, or `link` names a link column of
 * the source table and the join follows it (through its junction) to the linked table.
 */
export interface ViewJoin {
  table?: string;
  schema?: string;
  as: string;
  type?: 'inner' | 'left';
  on?: { left: string; right: string };
  link?: string;
}

/** Materialization of a view over an external source (ADR 0019). */
export interface MaterializeOptions {
  refreshSeconds: number;
}

/**
 * A view's definition (DESIGN §4). Field names are column names (or, for mini-DB tables, column
 * ids, which survive renames), `<joinAlias>.<column>` and computed-column names, as rows use.
 */
export interface ViewDefinition {
  source: ViewSource;
  filter?: Filter;
  sort?: Sort[];
  joins?: ViewJoin[];
  computedColumns?: ComputedColumn[];
  /** The columns the view shows, in order; default every source column, then the computed ones. */
  visibleColumns?: string[];
  groupBy?: GroupBy;
  materialize?: MaterializeOptions;
  /** How long a page of an external view is cached (default 30 s; 0 = never). */
  cacheTtlSeconds?: number;
}

/** Who may see (read) or change (edit) a view: members of at least `minRole`, or those named. */
export interface ViewAccessRule {
  minRole: Role;
  members: string[];
}

export interface ViewAccessRules {
  read: ViewAccessRule;
  edit: ViewAccessRule;
}

export type ViewAccessInput = { [K in keyof ViewAccessRules]?: Partial<ViewAccessRule> };

/** Everyone sees a view; editors and above change it (what the role matrix alone would say). */
export const DEFAULT_ACCESS: ViewAccessRules = {
  read: { minRole: 'viewer', members: [] },
  edit: { minRole: 'editor', members: [] },
};

export function accessRules(input: ViewAccessInput | undefined, base = DEFAULT_ACCESS): ViewAccessRules {
  const rule = (key: keyof ViewAccessRules): ViewAccessRule => ({
    minRole: input?.[key]?.minRole ?? base[key].minRole,
    members: [...new Set(input?.[key]?.members ?? base[key].members)],
  });
  return { read: rule('read'), edit: rule('edit') };
}

/** The definition with only the members that are set, in a stable order (versions compare as JSON). */
export function normalizeDefinition(input: ViewDefinition): ViewDefinition {
  const source = isInternal(input.source)
    ? { tableId: input.source.tableId }
    : {
        connectionId: input.source.connectionId,
        table: input.source.table,
        ...(input.source.schema !== undefined ? { schema: input.source.schema } : {}),
      };
  return {
    source,
    ...(input.filter !== undefined ? { filter: input.filter } : {}),
    ...(input.sort?.length ? { sort: input.sort } : {}),
    ...(input.joins?.length ? { joins: input.joins } : {}),
    ...(input.computedColumns?.length ? { computedColumns: input.computedColumns } : {}),
    ...(input.visibleColumns !== undefined ? { visibleColumns: input.visibleColumns } : {}),
    ...(input.groupBy !== undefined ? { groupBy: input.groupBy } : {}),
    ...(input.materialize ? { materialize: input.materialize } : {}),
    ...(input.cacheTtlSeconds !== undefined ? { cacheTtlSeconds: input.cacheTtlSeconds } : {}),
  };
}

/** Whether two JSON values are equal whatever the order of object keys (jsonb reorders them). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
