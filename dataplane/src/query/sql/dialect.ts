import { ValidationError } from '../../platform/errors.js';
import type { LogicalType } from '../catalog.js';
import type { AggregateFn } from '../lqp.js';
import { joinSql, keyword, param, parens, sql, type SqlFragment } from './sql-fragment.js';

export type SqlDialectName = 'postgres' | 'mysql';

const MAX_QUOTED_NAMES = 10_000;

/**
 * What differs between SQL engines. The compiler speaks only through this; a dialect overrides
 * the clauses that differ. Conventions every dialect keeps (README "Semantics"):
 * - `key(type, e)` is the canonical comparable form of `e`: ordering, grouping, DISTINCT, exact
 *   equality and keyset comparisons all use it, so text orders by code point in every engine.
 * - `keyValue(type, v)` is a bound value in that same form; compare `key(e)` only with it.
 * - predicates never yield NULL where the caller relies on two-valued logic (see filter compiler).
 */
export abstract class SqlDialect {
  abstract readonly name: SqlDialectName;
  /**
   * Whether a row-value comparison `(a, b) > (x, y)` is an index range on `(a, b)`: PostgreSQL's
   * B-trees seek it; MySQL and MariaDB do not reliably, so they keep the expanded form.
   */
  abstract readonly seeksRowComparisons: boolean;

  /** The engine's quoted form of one identifier (already knex-raw safe). */
  protected abstract quoteName(name: string): string;

  /** Quoted names by name: a catalog's few names are quoted once, not in every statement. */
  private readonly quoted = new Map<string, string>();

  /** `t0`, or `"schema"."table"`; names come from the catalog or the compiler, never from input. */
  identifier(...names: string[]): SqlFragment {
    return keyword(names.map((n) => this.quote(n)).join('.'));
  }

  private quote(name: string): string {
    let quoted = this.quoted.get(name);
    if (quoted === undefined) {
      quoted = this.quoteName(name);
      if (this.quoted.size >= MAX_QUOTED_NAMES) this.quoted.clear();
      this.quoted.set(name, quoted);
    }
    return quoted;
  }

  /** A filter value as a bind parameter typed for comparison with a `type` expression. */
  abstract typedValue(type: LogicalType, value: unknown): SqlFragment;
  abstract key(type: LogicalType, expr: SqlFragment): SqlFragment;
  /** What GROUP BY (and a grouped SELECT) names: groups of equal keys, spelled so engines match it. */
  groupKey(type: LogicalType, expr: SqlFragment): SqlFragment {
    return this.key(type, expr);
  }
  abstract keyValue(type: LogicalType, value: unknown): SqlFragment;

  /** `expr = v` (two-valued for a non-null expr). */
  abstract equalsValue(type: LogicalType, expr: SqlFragment, value: unknown): SqlFragment;
  /** `expr IS DISTINCT FROM v`: true when expr is NULL. */
  abstract distinctFromValue(type: LogicalType, expr: SqlFragment, value: unknown): SqlFragment;
  abstract inValues(type: LogicalType, expr: SqlFragment, values: readonly unknown[]): SqlFragment;
  /** Join condition between two columns of the same family. */
  abstract joinEquals(type: LogicalType, left: SqlFragment, right: SqlFragment): SqlFragment;

  /** Case-insensitive LIKE with `!` as the escape character; the pattern is a bound value. */
  abstract likeInsensitive(expr: SqlFragment, pattern: string): SqlFragment;
  /** NULL or the empty string. */
  abstract isEmptyText(expr: SqlFragment): SqlFragment;

  abstract now(): SqlFragment;
  abstract today(): SqlFragment;
  abstract tomorrow(): SqlFragment;
  abstract shiftDays(
    type: 'date' | 'datetime',
    base: SqlFragment,
    sign: '+' | '-',
    days: number,
  ): SqlFragment;

  /** One ORDER BY item; NULLs always sort last, in both directions (said only when `nullable`). */
  abstract orderBy(key: SqlFragment, direction: 'asc' | 'desc', nullable: boolean): SqlFragment;
  /** How a value is selected for the result rows (dates as ISO text, so no driver time zones). */
  abstract output(type: LogicalType, expr: SqlFragment): SqlFragment;
  /** How a key is selected for a keyset cursor: lossless text for times, hex for binary. */
  abstract keyOutput(type: LogicalType, key: SqlFragment): SqlFragment;
  /** An aggregate in comparable form; `fieldType` is the aggregated field's type. */
  abstract aggregate(
    fn: AggregateFn,
    fieldType: LogicalType | undefined,
    expr: SqlFragment | undefined,
  ): SqlFragment;
  /** An aggregate's value in `key` form, for ORDER BY and keyset conditions. */
  abstract aggregateKey(type: LogicalType, aggregate: SqlFragment): SqlFragment;

  limit(limit: number, offset: number | undefined): SqlFragment {
    return offset ? sql`LIMIT ${param(limit)} OFFSET ${param(offset)}` : sql`LIMIT ${param(limit)}`;
  }

  protected list(values: readonly unknown[], item: (v: unknown) => SqlFragment): SqlFragment {
    return parens(joinSql(values.map(item), ', '));
  }
}

/** A catalog name the engine's driver cannot carry safely (see README "Identifiers"). */
export class UnsupportedIdentifierError extends ValidationError {
  constructor(dialect: SqlDialectName, name: string, reason: string) {
    const message = `${dialect} cannot name ${JSON.stringify(name)}: ${reason}`;
    super(message, [{ path: 'query', message }]);
  }
}

/** Text-like types compare exactly by code point via `key`, never by the column's collation. */
export const isTextLike = (type: LogicalType): boolean => type === 'text' || type === 'uuid';
