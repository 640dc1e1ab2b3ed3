import type { FieldProblem } from '../platform/errors.js';
import type { FieldScope } from './field-scope.js';
import type { LogicalQuery } from './lqp.js';
import type { AnalyzedJoin, Output, ResolvedField, SortKey, Term } from './plan.js';
import { aggregateType, KEYABLE, SORTABLE } from './validate-values.js';

/** What the query yields and in which order: outputs, sort keys and their tiebreakers. */
export interface QueryShape {
  grouped: boolean;
  groupFields: ResolvedField[];
  outputs: Output[];
  orderKeys: SortKey[];
  userSortCount: number;
  uniqueOrder: boolean;
}

type Problems = FieldProblem[];

export function sameField(a: ResolvedField, b: ResolvedField): boolean {
  if (a.target.kind === 'column' && b.target.kind === 'column')
    return a.target.table === b.target.table && a.target.column.name === b.target.column.name;
  return a.target.kind === 'computed' && b.target.kind === 'computed' && a.target.index === b.target.index;
}

export function analyzeShape(
  query: LogicalQuery,
  scope: FieldScope,
  joins: readonly AnalyzedJoin[],
  problems: Problems,
): QueryShape {
  const before = problems.length;
  const shape = query.groupBy
    ? groupedShape(query, scope, problems)
    : rowShape(query, scope, joins, problems);
  checkLists(query, problems);
  if (problems.length === before && query.pagination.mode === 'keyset' && !shape.uniqueOrder) {
    const message = 'keyset pagination needs a primary key on every table; use offset pagination';
    problems.push({ path: 'pagination.mode', message });
  }
  return shape;
}

function rowShape(
  query: LogicalQuery,
  scope: FieldScope,
  joins: readonly AnalyzedJoin[],
  problems: Problems,
) {
  const defaults = [...scope.source.columns.map((c) => c.name), ...scope.computed.map((c) => c.name)];
  if (!query.select && defaults.length === 0)
    problems.push({
      path: 'select',
      message: 'the source shows no columns this connection can read; name a field',
    });
  const outputs: Output[] = [];
  (query.select ?? defaults).forEach((ref, i) => {
    const field = scope.resolve(ref);
    if (field) outputs.push({ name: ref, term: { kind: 'field', field } });
    else problems.push({ path: `select[${i}]`, message: `unknown field ${JSON.stringify(ref)}` });
  });
  const sorts: SortKey[] = [];
  (query.sorts ?? []).forEach((sort, i) => {
    const field = scope.resolve(sort.field);
    if (!field)
      return problems.push({
        path: `sorts[${i}].field`,
        message: `unknown field ${JSON.stringify(sort.field)}`,
      });
    if (!SORTABLE.has(field.type))
      return problems.push({ path: `sorts[${i}].field`, message: `${field.type} fields cannot be sorted` });
    sorts.push({ term: { kind: 'field', field }, direction: sort.direction ?? 'asc' });
  });
  const { keys, unique } = primaryKeyTiebreak(scope, joins, sorts);
  return {
    grouped: false,
    groupFields: [],
    outputs,
    orderKeys: [...sorts, ...keys],
    userSortCount: sorts.length,
    uniqueOrder: unique,
  };
}

/**
 * Every primary-key column of the source and of each join that can repeat a row, unless already
 * sorted by. A join on the joined table's whole primary key matches at most one row, so its key
 * adds nothing to uniqueness and is left out (it would only stop an index from giving the order).
 */
function primaryKeyTiebreak(scope: FieldScope, joins: readonly AnalyzedJoin[], sorts: SortKey[]) {
  const keys: SortKey[] = [];
  let unique = true;
  const tables = [
    { table: scope.source, prefix: '' },
    ...joins.filter((j) => !joinsOnWholeKey(j)).map((j) => ({ table: j.table, prefix: `${j.alias}.` })),
  ];
  for (const { table, prefix } of tables) {
    if (table.primaryKey.length === 0) unique = false;
    for (const name of table.primaryKey) {
      const field = scope.column(prefix + name);
      if (!field || !KEYABLE.has(field.type)) {
        unique = false;
        continue;
      }
      const sorted = sorts.some((s) => s.term.kind === 'field' && sameField(s.term.field, field));
      if (!sorted) keys.push({ term: { kind: 'field', field }, direction: 'asc' });
    }
  }
  return { keys, unique };
}

const joinsOnWholeKey = (join: AnalyzedJoin): boolean =>
  join.table.primaryKey.length === 1 && join.table.primaryKey[0] === join.right.name;

function groupedShape(query: LogicalQuery, scope: FieldScope, problems: Problems) {
  const groupBy = query.groupBy ?? { fields: [], aggregates: [] };
  const named = new Map<string, Term>();
  const groupFields: ResolvedField[] = [];
  groupBy.fields.forEach((ref, i) => {
    const field = scope.resolve(ref);
    const path = `groupBy.fields[${i}]`;
    if (!field) return problems.push({ path, message: `unknown field ${JSON.stringify(ref)}` });
    if (!SORTABLE.has(field.type))
      return problems.push({ path, message: `cannot group by ${field.type} fields` });
    if (named.has(ref))
      return problems.push({ path, message: `duplicate group field ${JSON.stringify(ref)}` });
    groupFields.push(field);
    named.set(ref, { kind: 'field', field });
  });
  groupBy.aggregates.forEach((agg, i) => {
    const path = `groupBy.aggregates[${i}]`;
    const field = agg.field === undefined ? undefined : scope.resolve(agg.field);
    if (agg.field !== undefined && !field)
      return problems.push({ path: `${path}.field`, message: `unknown field ${JSON.stringify(agg.field)}` });
    const check = aggregateType(agg.fn, field?.type);
    if (!check.ok) return problems.push({ path: `${path}.field`, message: check.message });
    if (named.has(agg.as))
      return problems.push({ path: `${path}.as`, message: `duplicate output ${JSON.stringify(agg.as)}` });
    const nullable = agg.fn !== 'count' && agg.fn !== 'countDistinct';
    named.set(agg.as, {
      kind: 'aggregate',
      fn: agg.fn,
      ...(field ? { field } : {}),
      type: check.type,
      nullable,
    });
  });
  if (named.size === 0 && problems.length === 0)
    problems.push({ path: 'groupBy', message: 'needs at least one field or aggregate' });
  const outputs: Output[] = [];
  (query.select ?? [...named.keys()]).forEach((name, i) => {
    const term = named.get(name);
    if (term) outputs.push({ name, term });
    else
      problems.push({
        path: `select[${i}]`,
        message: `${JSON.stringify(name)} is not a group field or an aggregate`,
      });
  });
  const sorts: SortKey[] = [];
  (query.sorts ?? []).forEach((sort, i) => {
    const term = named.get(sort.field);
    if (term) sorts.push({ term, direction: sort.direction ?? 'asc' });
    else {
      const message = `${JSON.stringify(sort.field)} is not a group field or an aggregate`;
      problems.push({ path: `sorts[${i}].field`, message });
    }
  });
  const sortedBy = new Set((query.sorts ?? []).map((s) => s.field));
  const keys: SortKey[] = groupBy.fields
    .filter((ref) => !sortedBy.has(ref))
    .flatMap((ref) => {
      const term = named.get(ref);
      return term ? [{ term, direction: 'asc' as const }] : [];
    });
  return {
    grouped: true,
    groupFields,
    outputs,
    orderKeys: [...sorts, ...keys],
    userSortCount: sorts.length,
    uniqueOrder: true,
  };
}

function checkLists(query: LogicalQuery, problems: Problems) {
  if (query.select?.length === 0) problems.push({ path: 'select', message: 'must name at least one field' });
  const seen = new Set<string>();
  (query.select ?? []).forEach((name, i) => {
    if (seen.has(name))
      problems.push({ path: `select[${i}]`, message: `duplicate output ${JSON.stringify(name)}` });
    seen.add(name);
  });
  const sorted = new Set<string>();
  (query.sorts ?? []).forEach((sort, i) => {
    if (sorted.has(sort.field))
      problems.push({
        path: `sorts[${i}].field`,
        message: `already sorted by ${JSON.stringify(sort.field)}`,
      });
    sorted.add(sort.field);
  });
}
