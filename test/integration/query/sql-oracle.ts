import type { FilterNode, ResolvedField, Scalar, Term } from '../../../dataplane/src/query/plan.js';
import { analyzeQuery } from '../../../dataplane/src/query/validate.js';
import { CATALOG, dateOnly, type Row, type Seed } from './sql-fixtures.js';

/**
 * A slow, obvious in-memory evaluation of ungrouped LQPs over the seed, with the semantics the
 * README documents: NULL fails comparisons, neq/nin/ncontains keep NULLs, text compares by code
 * point, text matching is case-insensitive, NULLs sort last. Used as the expected answer.
 */
type Joined = Record<string, Row | null>;

const tableRows = (seed: Seed, name: string): Row[] =>
  ({
    countries: seed.countries,
    customers: seed.customers,
    orders: seed.orders,
    events: seed.events,
    tokens: seed.tokens,
    'odd "table"': seed.odd,
  })[name] ?? [];

function valueOf(row: Joined, field: ResolvedField): Scalar | null {
  if (field.target.kind !== 'column') throw new Error('the oracle does not evaluate formulas');
  return row[`t${field.target.table}`]?.[field.target.column.name] ?? null;
}

/** Seed instants carry microseconds; filter values are ISO with milliseconds. */
const micros = (iso: string) => iso.replace(/\.(\d{3})Z$/, '.$1000Z');

/** UTF-16 units reordered so surrogates sort above U+FFFF: code point order, as UTF-8 bytes. */
const unit = (c: number) => (c < 0xd800 ? c : c >= 0xe000 ? c - 0x800 : c + 0x2000);

function compare(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const [x, y] = [String(a), String(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = unit(x.charCodeAt(i)) - unit(y.charCodeAt(i));
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function normalizeFilterValue(field: ResolvedField, v: Scalar): Scalar {
  return field.type === 'datetime' ? micros(String(v)) : v;
}

function matches(node: FilterNode, row: Joined, now: number): boolean {
  switch (node.kind) {
    case 'and':
      return node.items.every((i) => matches(i, row, now));
    case 'or':
      return node.items.some((i) => matches(i, row, now));
    case 'not':
      return !matches(node.item, row, now);
    default:
      return leaf(node, row, now);
  }
}

function leaf(node: Exclude<FilterNode, { kind: 'and' | 'or' | 'not' }>, row: Joined, now: number): boolean {
  const v = valueOf(row, node.field);
  const eq = (x: Scalar) => v !== null && compare(v, normalizeFilterValue(node.field, x)) === 0;
  const lower = (s: Scalar | null) => String(s).toLowerCase();
  switch (node.kind) {
    case 'compare': {
      if (node.op === 'eq') return eq(node.value);
      if (node.op === 'neq') return !eq(node.value);
      if (v === null) return false;
      const c = compare(v, normalizeFilterValue(node.field, node.value));
      return { lt: c < 0, lte: c <= 0, gt: c > 0, gte: c >= 0 }[node.op];
    }
    case 'list':
      return node.op === 'in' ? node.values.some(eq) : !node.values.some(eq);
    case 'text': {
      const t = lower(node.value);
      const hit =
        v !== null &&
        (node.op === 'startsWith'
          ? lower(v).startsWith(t)
          : node.op === 'endsWith'
            ? lower(v).endsWith(t)
            : lower(v).includes(t));
      return node.op === 'ncontains' ? !hit : hit;
    }
    case 'empty': {
      const empty = v === null || v === '';
      return node.op === 'isEmpty' ? empty : !empty;
    }
    case 'range':
      return (
        v !== null &&
        compare(v, normalizeFilterValue(node.field, node.low)) >= 0 &&
        compare(v, normalizeFilterValue(node.field, node.high)) <= 0
      );
    case 'relativeDate':
    case 'days':
      return v !== null && relative(node, String(v), now);
  }
}

function relative(
  node: Extract<FilterNode, { kind: 'relativeDate' | 'days' }>,
  v: string,
  now: number,
): boolean {
  const dateField = node.field.type === 'date';
  const today = dateOnly(now);
  const shift = (days: number) =>
    dateField ? dateOnly(now + days * 86_400_000) : micros(new Date(now + days * 86_400_000).toISOString());
  const current = dateField ? today : micros(new Date(now).toISOString());
  switch (node.op) {
    case 'isToday':
      return v.slice(0, 10) === today;
    case 'isPast':
      return v < current;
    case 'isFuture':
      return v > current;
    case 'inLastDays':
      return v >= shift(-node.days) && v <= current;
    case 'inNextDays':
      return v >= current && v <= shift(node.days);
  }
}

function termValue(term: Term, row: Joined): Scalar | null {
  if (term.kind !== 'field') throw new Error('the oracle does not aggregate');
  return valueOf(row, term.field);
}

/** Every row of the query (pagination ignored), in order, keyed by output name. */
export function oracle(query: unknown, seed: Seed, now = Date.now()): Row[] {
  const plan = analyzeQuery(query, CATALOG);
  let rows: Joined[] = tableRows(seed, plan.source.name).map((r) => ({ t0: r }));
  for (const join of plan.joins) {
    const targets = tableRows(seed, join.table.name);
    rows = rows.flatMap((row) => {
      const left = valueOf(row, join.left);
      const hits = left === null ? [] : targets.filter((t) => t[join.right.name] === left);
      if (hits.length === 0) return join.type === 'left' ? [{ ...row, [`t${join.index}`]: null }] : [];
      return hits.map((hit) => ({ ...row, [`t${join.index}`]: hit }));
    });
  }
  if (plan.filter) rows = rows.filter((r) => matches(plan.filter!, r, now));
  rows.sort((a, b) => {
    for (const key of plan.orderKeys) {
      const [x, y] = [termValue(key.term, a), termValue(key.term, b)];
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
        continue;
      }
      const c = compare(x, y);
      if (c !== 0) return key.direction === 'asc' ? c : -c;
    }
    return 0;
  });
  return rows.map((r) =>
    Object.fromEntries(
      plan.outputs.map((o) => {
        const v = termValue(o.term, r);
        const type = o.term.kind === 'field' ? o.term.field.type : o.term.type;
        if (typeof v !== 'string') return [o.name, v];
        if (type === 'datetime') return [o.name, new Date(v).toISOString()];
        return [o.name, type === 'binary' ? Buffer.from(v, 'hex').toString('base64') : v];
      }),
    ),
  );
}
