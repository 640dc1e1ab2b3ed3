import type { FieldProblem } from '../platform/errors.js';
import type { FieldScope } from './field-scope.js';
import { FILTER_OPS, type FilterOp } from './lqp.js';
import { assertNever, type FilterNode, type ResolvedField, type Scalar } from './plan.js';
import { checkValue, OPS_BY_TYPE } from './validate-values.js';

/** Filters nest at most this deep (`and`/`or`/`not` levels), and hold at most this many nodes. */
export const MAX_FILTER_DEPTH = 32;
export const MAX_FILTER_NODES = 1000;
export const MAX_LIST_VALUES = 1000;
export const MAX_DAYS = 36_500;

const LEAF_KEYS = new Set(['field', 'op', 'value']);
const OPS: ReadonlySet<string> = new Set(FILTER_OPS);

type Problems = FieldProblem[];
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a filter tree (structure, names, operators, values) and returns its analysed form, or
 * undefined after recording problems whose paths read like `filter.and[2].value`.
 */
export function analyzeFilter(raw: unknown, scope: FieldScope, problems: Problems): FilterNode | undefined {
  const budget = { nodes: 0 };
  const node = walk(raw, 'filter', 1, scope, problems, budget);
  return problems.length === 0 ? node : undefined;
}

function walk(
  raw: unknown,
  path: string,
  depth: number,
  scope: FieldScope,
  problems: Problems,
  budget: { nodes: number },
): FilterNode | undefined {
  if (++budget.nodes > MAX_FILTER_NODES) {
    if (budget.nodes === MAX_FILTER_NODES + 1)
      problems.push({ path, message: `filter has more than ${MAX_FILTER_NODES} conditions` });
    return undefined;
  }
  if (!isObject(raw)) return void problems.push({ path, message: 'expected a filter object' });
  const keys = Object.keys(raw);
  const group = keys.find((k) => k === 'and' || k === 'or' || k === 'not');
  if (group === undefined) return leaf(raw, path, scope, problems);
  if (keys.length !== 1)
    return void problems.push({ path, message: `"${group}" must be the only key of its object` });
  if (depth >= MAX_FILTER_DEPTH)
    return void problems.push({
      path,
      message: `filter is nested more than ${MAX_FILTER_DEPTH} levels deep`,
    });
  if (group === 'not') {
    const item = walk(raw.not, `${path}.not`, depth + 1, scope, problems, budget);
    return item && { kind: 'not', item };
  }
  const list = raw[group];
  if (!Array.isArray(list))
    return void problems.push({ path: `${path}.${group}`, message: 'expected an array' });
  if (list.length > 200)
    return void problems.push({ path: `${path}.${group}`, message: 'must have at most 200 items' });
  const items = list.map((item, i) =>
    walk(item, `${path}.${group}[${i}]`, depth + 1, scope, problems, budget),
  );
  return items.every((i) => i !== undefined) ? { kind: group, items: items as FilterNode[] } : undefined;
}

function leaf(raw: Record<string, unknown>, path: string, scope: FieldScope, problems: Problems) {
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!LEAF_KEYS.has(key)) problems.push({ path: `${path}.${key}`, message: 'is not an accepted field' });
  }
  const { field: ref, op } = raw;
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > 300)
    problems.push({ path: `${path}.field`, message: 'expected a field name' });
  if (typeof op !== 'string' || !OPS.has(op))
    problems.push({ path: `${path}.op`, message: `expected one of ${FILTER_OPS.join(', ')}` });
  if (problems.length > before) return undefined;
  const field = scope.resolve(ref as string);
  if (!field)
    return void problems.push({ path: `${path}.field`, message: `unknown field ${JSON.stringify(ref)}` });
  if (!OPS_BY_TYPE[field.type].includes(op as FilterOp)) {
    const message = `operator ${String(op)} is not available for ${field.type} fields`;
    return void problems.push({ path: `${path}.op`, message });
  }
  return leafNode(op as FilterOp, field, raw.value, `${path}.value`, problems);
}

function leafNode(
  op: FilterOp,
  field: ResolvedField,
  value: unknown,
  path: string,
  problems: Problems,
): FilterNode | undefined {
  const scalar = (v: unknown, at: string): Scalar | undefined => {
    const check = checkValue(field.type, v);
    return check.ok ? check.value : void problems.push({ path: at, message: check.message });
  };
  const noValue = () => value === undefined || void problems.push({ path, message: `${op} takes no value` });
  switch (op) {
    case 'eq':
    case 'neq':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const v = scalar(value, path);
      return v === undefined ? undefined : { kind: 'compare', op, field, value: v };
    }
    case 'in':
    case 'nin': {
      if (!Array.isArray(value) || value.length > MAX_LIST_VALUES)
        return void problems.push({
          path,
          message: `expected an array of at most ${MAX_LIST_VALUES} values`,
        });
      const values = value.map((v, i) => scalar(v, `${path}[${i}]`));
      return values.every((v) => v !== undefined)
        ? { kind: 'list', op, field, values: values as Scalar[] }
        : undefined;
    }
    case 'contains':
    case 'ncontains':
    case 'startsWith':
    case 'endsWith': {
      const v = scalar(value, path);
      return v === undefined ? undefined : { kind: 'text', op, field, value: v as string };
    }
    case 'isEmpty':
    case 'isNotEmpty':
      return noValue() ? { kind: 'empty', op, field } : undefined;
    case 'isToday':
    case 'isPast':
    case 'isFuture':
      return noValue() ? { kind: 'relativeDate', op, field } : undefined;
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2)
        return void problems.push({ path, message: 'expected [low, high]' });
      const [low, high] = [scalar(value[0], `${path}[0]`), scalar(value[1], `${path}[1]`)];
      return low === undefined || high === undefined ? undefined : { kind: 'range', field, low, high };
    }
    case 'inLastDays':
    case 'inNextDays':
      if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_DAYS)
        return void problems.push({ path, message: `expected an integer number of days (0..${MAX_DAYS})` });
      return { kind: 'days', op, field, days: value as number };
    default:
      return assertNever(op);
  }
}
