import { ValidationError, type FieldProblem } from '../../platform/errors.js';
import type { Filter, Sort } from '../../query/lqp.js';
import { GROUP_COUNT, type ViewPlan } from './view-plan.js';

/** What a caller adds to a view's own query (GET /views/:id/data, the public API). */
export interface DataRequest {
  /** An extra filter tree, ANDed with the view's (names: the view's columns). */
  filter?: Filter;
  /** Extra sorts, applied before the view's own (which stay as tiebreakers). */
  sort?: Sort[];
  /** A projection of the view's columns, in this order (default: every visible column). */
  fields?: string[];
  limit: number;
  /** A query layer cursor (already unsealed). */
  cursor?: string;
  /** `rows`: rows, with the headers of their groups; `only`: the groups alone, paged. */
  groups: 'rows' | 'only';
}

const unknown = (path: string, name: string): FieldProblem => ({
  path,
  message: `unknown field ${JSON.stringify(name)}`,
});

/**
 * The request with every name checked against the view's columns, and mini-DB column ids turned
 * into names. A name the view does not show is refused exactly like one that does not exist, so a
 * caller learns nothing of hidden columns (the query layer never sees the name).
 */
export function checkRequest(
  plan: ViewPlan,
  request: DataRequest,
  resolve: (ref: string) => string,
): DataRequest {
  const shown = new Set(plan.outputs.map((o) => o.name));
  const sortable =
    request.groups === 'only' && plan.groupBy
      ? new Set([...plan.groupBy.fields, ...plan.groupBy.aggregates.map((a) => a.as), GROUP_COUNT])
      : shown;
  const problems: FieldProblem[] = [];
  const filter =
    request.filter === undefined ? undefined : walkFilter(request.filter, 'filter', shown, resolve, problems);
  const sort = request.sort?.map((s, i) => {
    const field = resolve(s.field);
    if (!sortable.has(field)) problems.push(unknown(`sort[${i}].field`, s.field));
    return { ...s, field };
  });
  const fields = request.fields?.map((name, i) => {
    const field = resolve(name);
    if (!shown.has(field)) problems.push(unknown(`fields[${i}]`, name));
    return field;
  });
  if (problems.length > 0)
    throw new ValidationError(
      `invalid request: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  return {
    ...request,
    ...(filter !== undefined ? { filter: filter as Filter } : {}),
    ...(sort ? { sort } : {}),
    ...(fields ? { fields: [...new Set(fields)] } : {}),
  };
}

/** Renames and checks every leaf's field; the query layer checks the rest of the tree's shape. */
function walkFilter(
  node: unknown,
  path: string,
  shown: ReadonlySet<string>,
  resolve: (ref: string) => string,
  problems: FieldProblem[],
): unknown {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
  const record = node as Record<string, unknown>;
  for (const key of ['and', 'or'] as const)
    if (Array.isArray(record[key]))
      return {
        ...record,
        [key]: (record[key] as unknown[]).map((item, i) =>
          walkFilter(item, `${path}.${key}[${i}]`, shown, resolve, problems),
        ),
      };
  if ('not' in record)
    return { ...record, not: walkFilter(record.not, `${path}.not`, shown, resolve, problems) };
  if (typeof record.field !== 'string') return node;
  const field = resolve(record.field);
  if (!shown.has(field)) problems.push(unknown(`${path}.field`, record.field));
  return { ...record, field };
}

/** The view's filter and the caller's, both applying. */
export function combinedFilter(own: Filter | undefined, extra: Filter | undefined): Filter | undefined {
  if (own && extra) return { and: [own, extra] };
  return own ?? extra;
}

/**
 * A query layer problem of a request in the request's own terms: its filter (`filter.and[1]` when
 * ANDed with the view's), its sorts and its fields (`sorts` / `select` index → the request's).
 */
export function requestPath(
  path: string,
  shape: { combined: boolean; sorts: readonly number[]; select: readonly number[] },
): string {
  if (shape.combined && path.startsWith('filter.and[1]'))
    return `filter${path.slice('filter.and[1]'.length)}`;
  const indexed = /^(sorts|select)\[(\d+)\](.*)$/.exec(path);
  if (!indexed) return path;
  const [, list, digits, rest] = indexed as unknown as [string, string, string, string];
  const origin = (list === 'sorts' ? shape.sorts : shape.select)[Number(digits)] ?? -1;
  if (origin < 0) return list === 'sorts' ? 'sort' : 'fields';
  return list === 'sorts' ? `sort[${origin}]${rest}` : `fields[${origin}]${rest}`;
}
