import { Ajv, type ErrorObject } from 'ajv';
import { Type } from '@sinclair/typebox';
import { ValidationError, type FieldProblem } from '../platform/errors.js';
import type { Catalog } from './catalog.js';
import { analyzeComputed } from './computed-columns.js';
import { FieldScope, findColumn } from './field-scope.js';
import { LogicalQuerySchema, PaginationSchema, type LogicalQuery } from './lqp.js';
import type { AnalyzedJoin, AnalyzedQuery } from './plan.js';
import { analyzeFilter } from './validate-filter.js';
import { analyzeShape } from './validate-shape.js';
import { joinFamily } from './validate-values.js';

/**
 * validateQuery: the LQP's structural checks (TypeBox schema through Ajv), then the checks that
 * need the catalog. Every problem names its path (`filter.and[2].value: expected number`); all
 * of them are reported at once as one ValidationError (422 validation_failed).
 */
export function validateQuery(query: unknown, catalog: Catalog): LogicalQuery {
  return analyzeQuery(query, catalog).query;
}

/** validateQuery, returning the analysed plan the compilers walk. */
export function analyzeQuery(input: unknown, catalog: Catalog): AnalyzedQuery {
  const problems = structuralProblems(input);
  if (problems.length > 0) throw invalid(problems);
  const query = input as LogicalQuery;
  const source = catalog.table(query.source.table, query.source.schema);
  if (!source)
    throw invalid([{ path: 'source.table', message: `unknown table ${JSON.stringify(query.source.table)}` }]);
  const joins = analyzeJoins(query, catalog, new FieldScope(source), problems);
  const computed = analyzeComputed(query, new FieldScope(source, joins), problems);
  const scope = new FieldScope(source, joins, computed);
  const filter = query.filter === undefined ? undefined : analyzeFilter(query.filter, scope, problems);
  const shape = analyzeShape(query, scope, joins, problems);
  if (problems.length > 0) throw invalid(problems);
  return {
    query,
    source,
    joins,
    computed,
    ...(filter ? { filter } : {}),
    ...shape,
    pagination: query.pagination,
  };
}

/** At most this many problems are reported (a 1000-condition filter can fail everywhere). */
const MAX_PROBLEMS = 50;
const MAX_IN_DETAIL = 10;

function invalid(problems: FieldProblem[]): ValidationError {
  const more = problems.length > MAX_IN_DETAIL ? `; and ${problems.length - MAX_IN_DETAIL} more` : '';
  const detail = problems
    .slice(0, MAX_IN_DETAIL)
    .map((p) => `${p.path}: ${p.message}`)
    .join('; ');
  return new ValidationError(`invalid query: ${detail}${more}`, problems.slice(0, MAX_PROBLEMS));
}

function analyzeJoins(
  query: LogicalQuery,
  catalog: Catalog,
  sourceScope: FieldScope,
  problems: FieldProblem[],
) {
  const joins: AnalyzedJoin[] = [];
  (query.joins ?? []).forEach((join, i) => {
    const path = `joins[${i}]`;
    const table = catalog.table(join.table, join.schema);
    const scope = new FieldScope(sourceScope.source, joins);
    const left = scope.column(join.on.left);
    const right = table && findColumn(table, join.on.right);
    if (!table)
      return problems.push({ path: `${path}.table`, message: `unknown table ${JSON.stringify(join.table)}` });
    if (joins.some((j) => j.alias === join.as))
      return problems.push({
        path: `${path}.as`,
        message: `duplicate join alias ${JSON.stringify(join.as)}`,
      });
    if (!left)
      return problems.push({
        path: `${path}.on.left`,
        message: `unknown field ${JSON.stringify(join.on.left)}`,
      });
    if (!right)
      return problems.push({
        path: `${path}.on.right`,
        message: `unknown column ${JSON.stringify(join.on.right)}`,
      });
    const family = joinFamily(left.type);
    if (!family || family !== joinFamily(right.type))
      return problems.push({ path: `${path}.on`, message: `cannot join ${left.type} to ${right.type}` });
    joins.push({ index: joins.length + 1, alias: join.as, table, type: join.type ?? 'inner', left, right });
  });
  return joins;
}

// ---- structure --------------------------------------------------------------------------------

const ajv = new Ajv({ allErrors: true, strict: false });
const shell = Type.Object(
  { ...LogicalQuerySchema.properties, filter: Type.Optional(Type.Unknown()), pagination: Type.Unknown() },
  { additionalProperties: false },
);
const validateShell = ajv.compile(shell);
const [keysetSchema, offsetSchema] = PaginationSchema.anyOf;
const validatePagination = { keyset: ajv.compile(keysetSchema!), offset: ajv.compile(offsetSchema!) };

/** The schema without `filter` (walked by analyzeFilter for exact paths) and with pagination by mode. */
function structuralProblems(input: unknown): FieldProblem[] {
  const textual = textProblems(input);
  if (textual.length > 0) return textual;
  const shell = validateShell(input) ? [] : ajvProblems(validateShell.errors ?? [], '');
  if (typeof input !== 'object' || input === null || !('pagination' in input)) return shell;
  const { pagination } = input;
  const mode = (pagination as { mode?: unknown } | null)?.mode;
  if (mode !== 'keyset' && mode !== 'offset')
    return [...shell, { path: 'pagination.mode', message: 'expected keyset or offset' }];
  const check = validatePagination[mode];
  return check(pagination) ? shell : [...shell, ...ajvProblems(check.errors ?? [], 'pagination')];
}

/** Ajv's errors as problems; a union of literals reads `expected one of asc, desc`, once. */
function ajvProblems(errors: ErrorObject[], prefix: string): FieldProblem[] {
  const allowed = new Map<string, unknown[]>();
  for (const e of errors.filter((e) => e.keyword === 'const'))
    allowed.set(e.instancePath, [...(allowed.get(e.instancePath) ?? []), e.params.allowedValue]);
  const problems = errors
    .filter((e) => e.keyword !== 'const' || !allowed.has(e.instancePath))
    .map((e) =>
      e.keyword === 'anyOf' && allowed.has(e.instancePath)
        ? {
            path: toPath(prefix, e.instancePath),
            message: `expected one of ${allowed.get(e.instancePath)!.join(', ')}`,
          }
        : toProblem(e, prefix),
    );
  return problems.filter(
    (p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i,
  );
}

/** Ajv's `/sorts/0/field` as `sorts[0].field`. */
function toPath(prefix: string, pointer: string): string {
  const parts = pointer.split('/').slice(1);
  let path = prefix;
  for (const part of parts) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(key) ? `[${key}]` : path ? `.${key}` : key;
  }
  return path || 'query';
}

function toProblem(error: ErrorObject, prefix: string): FieldProblem {
  const params = error.params as Record<string, unknown>;
  const at = (name: unknown) =>
    toPath(prefix, `${error.instancePath}/${String(name).replaceAll('~', '~0').replaceAll('/', '~1')}`);
  if (error.keyword === 'required') return { path: at(params.missingProperty), message: 'is required' };
  if (error.keyword === 'additionalProperties')
    return { path: at(params.additionalProperty), message: 'is not an accepted field' };
  return { path: toPath(prefix, error.instancePath), message: error.message ?? 'is invalid' };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_INPUT_DEPTH = 80;

/**
 * Text no engine can keep or compare (NUL, lone surrogates) anywhere in the query, and nesting
 * deeper than any valid query. Iterative, so a hostile input cannot overflow the stack.
 */
function textProblems(root: unknown): FieldProblem[] {
  const stack: [unknown, string, number][] = [[root, '', 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [value, path, depth] = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000'))
        return [{ path: path || 'query', message: 'must not contain NUL (\\u0000)' }];
      if (LONE_SURROGATE.test(value))
        return [{ path: path || 'query', message: 'must be well-formed Unicode' }];
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_INPUT_DEPTH) return [{ path: path || 'query', message: 'is nested too deeply' }];
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
    for (const [key, item] of entries) {
      const at = typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (typeof key === 'string' && (key.includes('\u0000') || LONE_SURROGATE.test(key)))
        return [{ path: path || 'query', message: 'has an invalid key' }];
      stack.push([item, at, depth + 1]);
    }
  }
  return [];
}
