import { assertNever, type FilterNode } from '../plan.js';
import { FALSE_SQL, joinSql, keyword, parens, sql, TRUE_SQL, type SqlFragment } from './sql-fragment.js';
import type { Terms } from './terms.js';

/** `%`, `_` and the escape character itself are matched literally in LIKE patterns. */
export const escapeLike = (text: string): string => text.replace(/[!%_]/g, '!$&');

const COMPARE = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/**
 * Compiles a filter tree to a predicate. NULL semantics: a comparison with a NULL field is
 * false; `neq`, `nin` and `ncontains` keep NULL rows (they mean "is not"); `not` is the exact
 * complement of its operand (NULL counts as false before negation).
 */
export function compileFilter(node: FilterNode, terms: Terms): SqlFragment {
  const d = terms.dialect;
  switch (node.kind) {
    case 'and':
    case 'or':
      if (node.items.length === 0) return node.kind === 'and' ? TRUE_SQL : FALSE_SQL;
      return parens(
        joinSql(
          node.items.map((item) => compileFilter(item, terms)),
          node.kind === 'and' ? ' AND ' : ' OR ',
        ),
      );
    case 'not':
      return sql`NOT COALESCE(${compileFilter(node.item, terms)}, FALSE)`;
    case 'compare': {
      const { field, op, value } = node;
      const expr = terms.field(field);
      if (op === 'eq') return parens(d.equalsValue(field.type, expr, value));
      if (op === 'neq') return parens(d.distinctFromValue(field.type, expr, value));
      return parens(sql`${d.key(field.type, expr)} ${keyword(COMPARE[op])} ${d.keyValue(field.type, value)}`);
    }
    case 'list': {
      const expr = terms.field(node.field);
      if (node.values.length === 0) return node.op === 'in' ? FALSE_SQL : TRUE_SQL;
      const member = d.inValues(node.field.type, expr, node.values);
      return node.op === 'in' ? parens(member) : sql`(${expr} IS NULL OR NOT (${member}))`;
    }
    case 'text': {
      const expr = terms.field(node.field);
      const text = escapeLike(node.value);
      const pattern =
        node.op === 'startsWith' ? `${text}%` : node.op === 'endsWith' ? `%${text}` : `%${text}%`;
      const like = d.likeInsensitive(expr, pattern);
      return node.op === 'ncontains' ? sql`(${expr} IS NULL OR NOT (${like}))` : parens(like);
    }
    case 'empty': {
      const expr = terms.field(node.field);
      const empty = node.field.type === 'text' ? d.isEmptyText(expr) : sql`(${expr} IS NULL)`;
      return node.op === 'isEmpty' ? empty : sql`NOT ${empty}`;
    }
    case 'range': {
      const { field, low, high } = node;
      const key = d.key(field.type, terms.field(field));
      return sql`(${key} BETWEEN ${d.keyValue(field.type, low)} AND ${d.keyValue(field.type, high)})`;
    }
    case 'relativeDate':
      return relativeDate(node, terms);
    case 'days':
      return days(node, terms);
    default:
      return assertNever(node);
  }
}

function relativeDate(node: Extract<FilterNode, { kind: 'relativeDate' }>, terms: Terms): SqlFragment {
  const d = terms.dialect;
  const expr = terms.field(node.field);
  const dateOnly = node.field.type === 'date';
  switch (node.op) {
    case 'isToday':
      return dateOnly
        ? sql`(${expr} = ${d.today()})`
        : sql`(${expr} >= ${d.today()} AND ${expr} < ${d.tomorrow()})`;
    case 'isPast':
      return sql`(${expr} < ${dateOnly ? d.today() : d.now()})`;
    case 'isFuture':
      return sql`(${expr} > ${dateOnly ? d.today() : d.now()})`;
    default:
      return assertNever(node.op);
  }
}

/** `inLastDays n`: from n days ago up to now (today for dates); `inNextDays n`: now to n days ahead. */
function days(node: Extract<FilterNode, { kind: 'days' }>, terms: Terms): SqlFragment {
  const d = terms.dialect;
  const expr = terms.field(node.field);
  const type = node.field.type === 'date' ? 'date' : 'datetime';
  const base = type === 'date' ? d.today() : d.now();
  switch (node.op) {
    case 'inLastDays':
      return sql`(${expr} >= ${d.shiftDays(type, base, '-', node.days)} AND ${expr} <= ${base})`;
    case 'inNextDays':
      return sql`(${expr} >= ${base} AND ${expr} <= ${d.shiftDays(type, base, '+', node.days)})`;
    default:
      return assertNever(node.op);
  }
}
