import type { LogicalType } from '../catalog.js';
import type { AggregateFn } from '../lqp.js';
import { assertNever } from '../plan.js';
import { SqlDialect, UnsupportedIdentifierError } from './dialect.js';
import { keyword, param, sql, type SqlFragment } from './sql-fragment.js';

const ISO_OUT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * PostgreSQL. Text compares with the deterministic default collation for equality (so indexes
 * apply) and `COLLATE "C"` (code point order) for ordering; the session time zone is assumed to
 * be UTC (README "Time").
 */
export class PostgresDialect extends SqlDialect {
  readonly seeksRowComparisons = true;
  readonly name = 'postgres' as const;

  protected quoteName(name: string): string {
    if (name.includes('\\?')) throw new UnsupportedIdentifierError('postgres', name, 'contains \\?');
    return `"${name.replaceAll('"', '""').replaceAll('?', '\\?')}"`;
  }

  typedValue(type: LogicalType, value: unknown): SqlFragment {
    if (type === 'integer') return sql`CAST(${param(value)} AS bigint)`;
    if (type === 'number') return sql`CAST(${param(value)} AS numeric)`;
    if (type === 'binary') return sql`decode(${param(value)}, 'hex')`;
    return param(value);
  }

  key(type: LogicalType, expr: SqlFragment): SqlFragment {
    return type === 'text' ? sql`${expr} COLLATE "C"` : expr;
  }

  /** Deterministic collations group exactly; `COLLATE` would hide the column from GROUP BY matching. */
  override groupKey(_type: LogicalType, expr: SqlFragment): SqlFragment {
    return expr;
  }

  keyValue(type: LogicalType, value: unknown): SqlFragment {
    return this.typedValue(type, value);
  }

  equalsValue(type: LogicalType, expr: SqlFragment, value: unknown): SqlFragment {
    return sql`${expr} = ${this.typedValue(type, value)}`;
  }

  distinctFromValue(type: LogicalType, expr: SqlFragment, value: unknown): SqlFragment {
    return sql`${expr} IS DISTINCT FROM ${this.typedValue(type, value)}`;
  }

  inValues(type: LogicalType, expr: SqlFragment, values: readonly unknown[]): SqlFragment {
    return sql`${expr} IN ${this.list(values, (v) => this.typedValue(type, v))}`;
  }

  joinEquals(_type: LogicalType, left: SqlFragment, right: SqlFragment): SqlFragment {
    return sql`${left} = ${right}`;
  }

  likeInsensitive(expr: SqlFragment, pattern: string): SqlFragment {
    return sql`${expr} ILIKE ${param(pattern)} ESCAPE '!'`;
  }

  isEmptyText(expr: SqlFragment): SqlFragment {
    return sql`(${expr} IS NULL OR ${expr} = '')`;
  }

  now = () => keyword('now()');
  today = () => keyword('CURRENT_DATE');
  tomorrow = () => keyword('(CURRENT_DATE + 1)');

  shiftDays(type: 'date' | 'datetime', base: SqlFragment, sign: '+' | '-', days: number): SqlFragment {
    const op = keyword(sign);
    return type === 'date'
      ? sql`(${base} ${op} CAST(${param(days)} AS integer))`
      : sql`(${base} ${op} make_interval(days => CAST(${param(days)} AS integer)))`;
  }

  orderBy(key: SqlFragment, direction: 'asc' | 'desc', nullable: boolean): SqlFragment {
    return sql`${key} ${keyword(direction === 'asc' ? 'ASC' : 'DESC')}${keyword(nullable ? ' NULLS LAST' : '')}`;
  }

  output(type: LogicalType, expr: SqlFragment): SqlFragment {
    if (type === 'date') return sql`to_char(${expr}, 'YYYY-MM-DD')`;
    if (type === 'datetime') return sql`to_char(${expr}, ${keyword(ISO_OUT)})`;
    return expr;
  }

  keyOutput(type: LogicalType, key: SqlFragment): SqlFragment {
    if (type === 'binary') return sql`encode(${key}, 'hex')`;
    return this.output(type, key);
  }

  aggregate(fn: AggregateFn, fieldType: LogicalType | undefined, expr: SqlFragment | undefined): SqlFragment {
    const e = expr ?? keyword('*');
    switch (fn) {
      case 'count':
        return sql`count(${e})`;
      case 'countDistinct':
        return sql`count(DISTINCT ${this.key(fieldType ?? 'unknown', e)})`;
      case 'sum':
        return sql`sum(${e})`;
      case 'avg':
        return sql`round(CAST(sum(${e}) AS numeric) / NULLIF(count(${e}), 0), 10)`;
      case 'min':
      case 'max':
        return sql`${keyword(fn)}(${this.key(fieldType ?? 'unknown', e)})`;
      default:
        return assertNever(fn);
    }
  }

  aggregateKey(type: LogicalType, aggregate: SqlFragment): SqlFragment {
    return this.key(type, aggregate);
  }
}
