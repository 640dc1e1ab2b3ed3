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

/**
 * "Rows after the cursor" as mutually exclusive branches a B-tree can seek, for a cursor whose
 * first value is not NULL: the first key strictly after its value (a range on the index's
 * leading column), the first key NULL (NULLs sort last), and the first key equal to its value
 * with the remaining keys after theirs. Each branch reads at most a page from an index on the
 * keys wherever the cursor points, where the single OR form above makes PostgreSQL walk every
 * row before the cursor. Undefined when the first value is NULL (the OR form is then a seek).
 *
 * When every key after the first is NOT NULL and runs the first's direction (the usual
 * `ORDER BY field, id`), and the engine seeks row values, the first and last branches are one:
 * `(k0, k1, …) > (v0, v1, …)` (`<` descending), a single range on the index, beside the NULL branch.
 */
export function afterCursorBranches(
  keys: readonly KeyColumn[],
  values: readonly CursorValue[],
  d: SqlDialect,
): SqlFragment[] | undefined {
  const [first, ...rest] = keys;
  const value = values[0] ?? null;
  if (!first || value === null) return undefined;
  const op = keyword(first.direction === 'asc' ? '>' : '<');
  const nulls = first.nullable ? [sql`${first.key} IS NULL`] : [];
  if (
    d.seeksRowComparisons &&
    rest.length > 0 &&
    rest.every((k) => !k.nullable && k.direction === first.direction)
  ) {
    const row = (items: SqlFragment[]) => sql`ROW(${joinSql(items, ', ')})`;
    const cursorRow = keys.map((k, i) => d.keyValue(k.type, values[i] ?? null));
    return [sql`${row(keys.map((k) => k.key))} ${op} ${row(cursorRow)}`, ...nulls];
  }
  const branches = [sql`${first.key} ${op} ${d.keyValue(first.type, value)}`, ...nulls];
  if (rest.length > 0)
    branches.push(
      sql`${first.key} = ${d.keyValue(first.type, value)} AND ${afterCursor(rest, values.slice(1), d)}`,
    );
  return branches;
}
