import { ValidationError } from '../../platform/errors.js';
import { setOwn } from '../../platform/own-property.js';
import type { Filter, LogicalQuery, Sort } from '../../query/lqp.js';
import type { Column } from '../tables/column.js';
import type { TableView } from '../tables/metadata.js';
import { SYSTEM_FIELDS, tableSource, type TableSource } from '../tables/table-catalog.js';
import { LINKED_TYPES } from './linked-values.js';
import { columnLookup } from './row-values.js';

/** `GET /tables/:id/rows` query parameters (already validated by the route schema). */
export interface RowListParams {
  limit: number;
  cursor?: string;
  /** URL-decoded JSON filter tree (DESIGN §4); `field` is a column name or id. */
  filter?: string;
  /** `-due,priority`: comma-separated names or ids, `-` for descending. */
  sort?: string;
  /** Comma-separated names or ids to return (default: every column). */
  fields?: string;
  /** Case-insensitive text search across text and select columns. */
  search?: string;
}

const SEARCHABLE: ReadonlySet<Column['type']> = new Set(['text', 'longText', 'singleSelect']);
const SYSTEM_SELECT = [
  SYSTEM_FIELDS.id,
  SYSTEM_FIELDS.version,
  SYSTEM_FIELDS.createdAt,
  SYSTEM_FIELDS.updatedAt,
];

export interface RowQuery {
  query: LogicalQuery;
  source: TableSource;
  /** The columns whose values the query selects, in order. */
  selected: Column[];
}

/**
 * The LQP a row list runs: the table's catalog, its formulas, the caller's filter, sort and page.
 * `source`: the table's catalog when already built (with its rollups' targets: see `linkTargets`).
 */
export function rowListQuery(
  schema: string,
  table: TableView,
  params: RowListParams,
  source: TableSource = tableSource(schema, table),
): RowQuery {
  const lookup = columnLookup(table);
  const readable = new Set(source.readable.map((c) => c.id));
  const linked = new Set(table.columns.filter((c) => LINKED_TYPES.has(c.type)).map((c) => c.id));
  const selected = params.fields
    ? pickFields(params.fields, lookup, new Set([...readable, ...linked]))
    : source.readable;
  const filters = [
    params.filter ? parseFilter(params.filter, lookup) : undefined,
    searchFilter(table, params.search),
  ];
  const filter = filters.filter((f): f is Filter => f !== undefined);
  const query: LogicalQuery = {
    source: source.source,
    select: [...SYSTEM_SELECT, ...selected.filter((c) => readable.has(c.id)).map((c) => c.name)],
    ...(filter.length === 1 ? { filter: filter[0] } : filter.length > 1 ? { filter: { and: filter } } : {}),
    ...(params.sort ? { sorts: parseSort(params.sort, lookup) } : {}),
    ...(source.computed.length > 0 ? { computedColumns: source.computed } : {}),
    pagination: { mode: 'keyset', limit: params.limit, ...(params.cursor ? { cursor: params.cursor } : {}) },
  };
  return { query, source, selected };
}

function pickFields(
  fields: string,
  lookup: (key: string) => Column | undefined,
  readable: ReadonlySet<string>,
): Column[] {
  const picked: Column[] = [];
  const problems = fields.split(',').flatMap((key, i) => {
    const column = lookup(key.trim());
    if (!column || !readable.has(column.id))
      return [{ path: `fields[${i}]`, message: `no readable column "${key.trim().slice(0, 100)}"` }];
    if (!picked.includes(column)) picked.push(column);
    return [];
  });
  if (problems.length > 0) throw new ValidationError('invalid fields', problems);
  return picked;
}

/** Parses `?filter=` and names every field by column name (ids accepted); `@` system fields pass. */
function parseFilter(text: string, lookup: (key: string) => Column | undefined): Filter {
  return renameFilterFields(parseFilterText(text), (field) =>
    field.startsWith('@') ? field : (lookup(field)?.name ?? field),
  ) as Filter;
}

function parseSort(
  text: string,
  lookup: (key: string) => Column | undefined,
): NonNullable<LogicalQuery['sorts']> {
  return parseSortText(text, (key) => (key.startsWith('@') ? key : (lookup(key)?.name ?? key)));
}

/** A `?filter=` text as its JSON tree (DESIGN §4); 422 when it is not JSON. */
export function parseFilterText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('invalid filter', [{ path: 'filter', message: 'is not valid JSON' }]);
  }
}

/** The tree with every leaf's `field` through `rename` (`and`, `or`, `not` walked); the rest as is. */
export function renameFilterFields(node: unknown, rename: (field: string) => string): unknown {
  if (Array.isArray(node)) return node.map((item) => renameFilterFields(item, rename));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const renamed =
      key === 'field' && typeof value === 'string'
        ? rename(value)
        : key === 'and' || key === 'or' || key === 'not'
          ? renameFilterFields(value, rename)
          : value;
    setOwn(out, key, renamed);
  }
  return out;
}

/** `-due,priority` (DESIGN §4): comma-separated fields, `-` for descending, each through `rename`. */
export function parseSortText(text: string, rename: (field: string) => string): Sort[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part) => {
      const descending = part.startsWith('-');
      const field = rename(descending ? part.slice(1) : part);
      return { field, direction: descending ? ('desc' as const) : ('asc' as const) };
    });
}

function searchFilter(table: TableView, search: string | undefined): Filter | undefined {
  if (!search) return undefined;
  const columns = table.columns.filter((c) => SEARCHABLE.has(c.type));
  if (columns.length === 0) return { and: [{ field: SYSTEM_FIELDS.id, op: 'isEmpty' }] };
  return { or: columns.map((c) => ({ field: c.name, op: 'contains' as const, value: search })) };
}

/** Operators a B-tree index answers. */
const INDEXABLE_OPS = new Set(['eq', 'in', 'lt', 'lte', 'gt', 'gte', 'between']);

/** Fields a filter compares with an index-friendly operator, anywhere in its tree. */
export function filteredFields(filter: unknown): string[] {
  if (typeof filter !== 'object' || filter === null) return [];
  const node = filter as { and?: unknown[]; or?: unknown[]; not?: unknown; field?: unknown; op?: unknown };
  if (Array.isArray(node.and)) return node.and.flatMap(filteredFields);
  if (Array.isArray(node.or)) return node.or.flatMap(filteredFields);
  if (node.not !== undefined) return [];
  return typeof node.field === 'string' && INDEXABLE_OPS.has(String(node.op)) ? [node.field] : [];
}
