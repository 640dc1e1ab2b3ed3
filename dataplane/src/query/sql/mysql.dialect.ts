import type { LogicalType } from '../catalog.js';
import type { AggregateFn } from '../lqp.js';
import { assertNever } from '../plan.js';
import { isTextLike, SqlDialect, UnsupportedIdentifierError } from './dialect.js';
import { keyword, param, sql, type SqlFragment } from './sql-fragment.js';

const ISO_OUT = `'%Y-%m-%dT%H:%i:%s.%fZ'`;

/** Column collations (case- and accent-insensitive, PAD SPACE) are bypassed: bytes of utf8mb4. */
const binary = (expr: SqlFragment) => sql`CAST(CONVERT(${expr} USING utf8mb4) AS BINARY)`;

/**
 * MySQL and MariaDB. Text keys are the utf8mb4 bytes (code point order, case- and
 * trailing-space-sensitive, like PostgreSQL's "C"); equality keeps a plain `=` in front so an
 * index on the column still narrows the rows. Booleans are `expr <> 0` (TINYINT(1) may hold any
 * integer). The session time zone is assumed to be UTC (README "Time").
 */
export class MysqlDialect extends SqlDialect {
  readonly seeksRowComparisons = false;
  readonly name = 'mysql' as const;

  protected quoteName(name: string): string {
    // mysql2 expands every `?` of the statement text, even inside a quoted identifier.
    if (name.includes('?')) throw new UnsupportedIdentifierError('mysql', name, 'contains ?');
    return `\`${name.replaceAll('`', '``')}\``;
  }

  typedValue(type: LogicalType, value: unknown): SqlFragment {
    switch (type) {
      case 'integer':
      case 'number':
        return typeof value === 'string' ? sql`CAST(${param(value)} AS DECIMAL(65, 30))` : param(value);
      case 'date':
        return sql`CAST(${param(value)} AS DATE)`;
      case 'datetime':
        return sql`CAST(${param(String(value).replace('T', ' ').replace(/Z$/, ''))} AS DATETIME(6))`;
      case 'binary':
        return sql`UNHEX(${param(value)})`;
      default:
        return param(value);
    }
  }

  key(type: LogicalType, expr: SqlFragment): SqlFragment {
    if (isTextLike(type)) return binary(expr);
    return type === 'boolean' ? sql`(${expr} <> 0)` : expr;
  }

  keyValue(type: LogicalType, value: unknown): SqlFragment {
    return this.key(type, this.typedValue(type, value));
  }

  equalsValue(type: LogicalType, expr: SqlFragment, value: unknown): SqlFragment {
    const exact = sql`${this.key(type, expr)} = ${this.keyValue(type, value)}`;
    return isTextLike(type) ? sql`(${expr} = ${param(value)} AND ${exact})` : exact;
  }

  distinctFromValue(type: LogicalType, expr: SqlFragment, value: unknown): SqlFragment {
    return sql`NOT (${this.key(type, expr)} <=> ${this.keyValue(type, value)})`;
  }

  inValues(type: LogicalType, expr: SqlFragment, values: readonly unknown[]): SqlFragment {
    const exact = sql`${this.key(type, expr)} IN ${this.list(values, (v) => this.keyValue(type, v))}`;
    return isTextLike(type) ? sql`(${expr} IN ${this.list(values, param)} AND ${exact})` : exact;
  }

  joinEquals(type: LogicalType, left: SqlFragment, right: SqlFragment): SqlFragment {
    const exact = sql`${this.key(type, left)} = ${this.key(type, right)}`;
    return isTextLike(type) ? sql`(${left} = ${right} AND ${exact})` : exact;
  }

  likeInsensitive(expr: SqlFragment, pattern: string): SqlFragment {
    const lower = (e: SqlFragment) => sql`LOWER(CONVERT(${e} USING utf8mb4)) COLLATE utf8mb4_bin`;
    return sql`${lower(expr)} LIKE ${lower(param(pattern))} ESCAPE '!'`;
  }

  isEmptyText(expr: SqlFragment): SqlFragment {
    return sql`(${expr} IS NULL OR CHAR_LENGTH(${expr}) = 0)`;
  }

  now = () => keyword('NOW(6)');
  today = () => keyword('CURRENT_DATE');
  tomorrow = () => keyword('(CURRENT_DATE + INTERVAL 1 DAY)');

  shiftDays(_type: 'date' | 'datetime', base: SqlFragment, sign: '+' | '-', days: number): SqlFragment {
    return sql`(${base} ${keyword(sign)} INTERVAL ${param(days)} DAY)`;
  }

  orderBy(key: SqlFragment, direction: 'asc' | 'desc', nullable: boolean): SqlFragment {
    const order = sql`${key} ${keyword(direction === 'asc' ? 'ASC' : 'DESC')}`;
    return nullable ? sql`${key} IS NULL, ${order}` : order;
  }

  output(type: LogicalType, expr: SqlFragment): SqlFragment {
    if (type === 'date') return sql`DATE_FORMAT(${expr}, '%Y-%m-%d')`;
    if (type === 'datetime') return sql`DATE_FORMAT(${expr}, ${keyword(ISO_OUT)})`;
    return expr;
  }

  keyOutput(type: LogicalType, key: SqlFragment): SqlFragment {
    if (type === 'binary') return sql`LOWER(HEX(${key}))`;
    return this.output(type, key);
  }

  aggregate(fn: AggregateFn, fieldType: LogicalType | undefined, expr: SqlFragment | undefined): SqlFragment {
    const e = expr ?? keyword('*');
    switch (fn) {
      case 'count':
        return sql`COUNT(${e})`;
      case 'countDistinct':
        return sql`COUNT(DISTINCT ${this.key(fieldType ?? 'unknown', e)})`;
      case 'sum':
        return sql`SUM(${e})`;
      case 'avg':
        return sql`ROUND(CAST(SUM(${e}) AS DECIMAL(65, 20)) / NULLIF(COUNT(${e}), 0), 10)`;
      case 'min':
      case 'max':
        return sql`${keyword(fn.toUpperCase())}(${this.key(fieldType ?? 'unknown', e)})`;
      default:
        return assertNever(fn);
    }
  }

  /** Aggregates already yield key form (MIN/MAX over text keys are bytes). */
  aggregateKey(_type: LogicalType, aggregate: SqlFragment): SqlFragment {
    return aggregate;
  }
}
