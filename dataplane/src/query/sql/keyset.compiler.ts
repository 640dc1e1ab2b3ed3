import type { CursorValue } from '../keyset-cursor.js';
import type { SqlDialect } from './dialect.js';
import { FALSE_SQL, joinSql, keyword, parens, sql, type SqlFragment } from './sql-fragment.js';
import type { KeyColumn } from './terms.js';

/**
 * "Rows after the cursor" for an order whose keys may mix directions and hold NULLs, NULLs
 * sorting last in both directions. Expanded OR form (row-value comparison cannot mix
 * directions or NULLs): the row is after the cursor when, for some i, keys before i equal the
 * cursor's (NULL matching NULL) and key i is strictly after it:
 *   asc:  key > v OR key IS NULL        desc: key < v OR key IS NULL
 *   v NULL: nothing is after it on this key (NULLs are last), so that disjunct is dropped.
 */
export function afterCursor(
  keys: readonly KeyColumn[],
  values: readonly CursorValue[],
  d: SqlDialect,
): SqlFragment {
  const disjuncts: SqlFragment[] = [];
  keys.forEach((key, i) => {
    const value = values[i] ?? null;
    if (value === null) return;
    const op = keyword(key.direction === 'asc' ? '>' : '<');
    const beyond = sql`${key.key} ${op} ${d.keyValue(key.type, value)}`;
    const after = key.nullable ? sql`(${beyond} OR ${key.key} IS NULL)` : beyond;
    const equalBefore = keys.slice(0, i).map((k, j) => equal(k, values[j] ?? null, d));
    disjuncts.push(parens(joinSql([...equalBefore, after], ' AND ')));
  });
  return disjuncts.length === 0 ? FALSE_SQL : parens(joinSql(disjuncts, ' OR '));
}

function equal(key: KeyColumn, value: CursorValue, d: SqlDialect): SqlFragment {
  return value === null ? sql`${key.key} IS NULL` : sql`${key.key} = ${d.keyValue(key.type, value)}`;
}

export function orderByClause(keys: readonly KeyColumn[], d: SqlDialect): SqlFragment | undefined {
  if (keys.length === 0) return undefined;
  return sql`ORDER BY ${joinSql(
    keys.map((k) => d.orderBy(k.key, k.direction, k.nullable)),
    ', ',
  )}`;
}
