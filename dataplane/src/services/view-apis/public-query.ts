import { ValidationError, type FieldProblem } from '../../platform/errors.js';
import { FILTER_OPS } from '../../query/lqp.js';
import type { ExposedColumn, PublicViewQuery } from './view-runner.port.js';

/** The public endpoint's query string, validated in shape (types, lengths) by the HTTP layer. */
export interface PublicQueryParams {
  filter?: string;
  sort?: string;
  fields?: string;
  limit: number;
  cursor?: string;
}

export interface ParsedPublicQuery {
  query: PublicViewQuery;
  /** The columns a page carries, in order: the fields asked for, else every exposed one. */
  columns: string[];
  /** One text per distinct query (keys sorted, whitespace gone): the cache key's last part. */
  normalized: string;
}

const MAX_FILTER_DEPTH = 8;
const MAX_FILTER_LEAVES = 100;
const MAX_SORTS = 8;
const OPS: ReadonlySet<string> = new Set(FILTER_OPS);

/**
 * Checks a public query against the API's exposed columns before the views engine sees it: a
 * filter, sort or field naming anything else answers exactly as a column that does not exist
 * (422 `no field "x"`), so hidden columns cannot be found by probing. Values are the engine's
 * to check (types, cursor).
 */
export function parsePublicQuery(
  params: PublicQueryParams,
  exposed: readonly ExposedColumn[],
): ParsedPublicQuery {
  const known = new Set(exposed.map((c) => c.name));
  const problems: FieldProblem[] = [];
  const filter = params.filter === undefined ? undefined : parseFilter(params.filter, known, problems);
  const sort = params.sort === undefined ? undefined : parseSort(params.sort, known, problems);
  const fields = params.fields === undefined ? undefined : parseFields(params.fields, known, problems);
  if (problems.length > 0)
    throw new ValidationError(problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  const query: PublicViewQuery = {
    limit: params.limit,
    ...(filter === undefined ? {} : { filter }),
    ...(sort ? { sort } : {}),
    ...(fields ? { fields } : {}),
    ...(params.cursor ? { cursor: params.cursor } : {}),
  };
  return { query, columns: fields ?? exposed.map((c) => c.name), normalized: canonicalJson(query) };
}

const noField = (name: string) => `no field ${JSON.stringify(name.slice(0, 100))}`;

function parseFilter(text: string, known: ReadonlySet<string>, problems: FieldProblem[]): unknown {
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch {
    problems.push({ path: 'filter', message: 'is not valid JSON' });
    return undefined;
  }
  const leaves = { count: 0 };
  checkNode(tree, 'filter', 0, known, problems, leaves);
  if (leaves.count > MAX_FILTER_LEAVES)
    problems.push({ path: 'filter', message: `has more than ${MAX_FILTER_LEAVES} conditions` });
  return tree;
}

function checkNode(
  node: unknown,
  path: string,
  depth: number,
  known: ReadonlySet<string>,
  problems: FieldProblem[],
  leaves: { count: number },
): void {
  if (depth > MAX_FILTER_DEPTH) {
    problems.push({ path, message: `is nested more than ${MAX_FILTER_DEPTH} levels deep` });
    return;
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    problems.push({ path, message: 'must be an object: {and}, {or}, {not} or {field, op, value}' });
    return;
  }
  const keys = Object.keys(node);
  const group = node as { and?: unknown; or?: unknown; not?: unknown };
  for (const join of ['and', 'or'] as const) {
    if (!keys.includes(join)) continue;
    const items = group[join];
    if (keys.length !== 1 || !Array.isArray(items) || items.length === 0) {
      problems.push({ path, message: `${join} must be the only member, a non-empty array` });
      return;
    }
    items.forEach((item, i) => checkNode(item, `${path}.${join}[${i}]`, depth + 1, known, problems, leaves));
    return;
  }
  if (keys.includes('not')) {
    if (keys.length !== 1) problems.push({ path, message: 'not must be the only member' });
    else checkNode(group.not, `${path}.not`, depth + 1, known, problems, leaves);
    return;
  }
  leaves.count++;
  const leaf = node as { field?: unknown; op?: unknown };
  const extra = keys.filter((k) => k !== 'field' && k !== 'op' && k !== 'value');
  if (extra.length > 0) problems.push({ path, message: `unknown member ${JSON.stringify(extra[0])}` });
  if (typeof leaf.field !== 'string' || !known.has(leaf.field))
    problems.push({ path: `${path}.field`, message: noField(String(leaf.field ?? '')) });
  if (typeof leaf.op !== 'string' || !OPS.has(leaf.op))
    problems.push({ path: `${path}.op`, message: `must be one of ${FILTER_OPS.join(', ')}` });
}

function parseSort(text: string, known: ReadonlySet<string>, problems: FieldProblem[]): string {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length > MAX_SORTS)
    problems.push({ path: 'sort', message: `sorts on at most ${MAX_SORTS} fields` });
  parts.forEach((part, i) => {
    const name = part.startsWith('-') ? part.slice(1) : part;
    if (!known.has(name)) problems.push({ path: `sort[${i}]`, message: noField(name) });
  });
  return parts.join(',');
}

function parseFields(text: string, known: ReadonlySet<string>, problems: FieldProblem[]): string[] {
  const names = text.split(',').map((n) => n.trim());
  names.forEach((name, i) => {
    if (!known.has(name)) problems.push({ path: `fields[${i}]`, message: noField(name) });
  });
  return [...new Set(names)];
}

/** JSON with object keys sorted at every depth: equal queries, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
