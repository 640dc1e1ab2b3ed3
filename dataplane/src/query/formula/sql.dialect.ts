import { assertNever } from './ast.js';
import { bind, sql, type Sql, type SqlBinding, type SqlDialect } from './sql.fragment.js';
import type { FormulaType, TemporalType } from './types.js';

/**
 * How formula values are represented in each SQL dialect, and the conversions between them.
 * Postgres: text, double precision, boolean, date, timestamptz. MySQL/MariaDB: utf8mb4 strings,
 * DOUBLE, 1/0 (every boolean expression here yields exactly 1, 0 or NULL), DATE, DATETIME(3) holding UTC. Every fragment returned here is atomic (a call,
 * a CAST or parenthesised), so callers can nest it without precedence surprises.
 */

export function castDouble(x: Sql, d: SqlDialect): Sql {
  return d === 'postgres' ? sql`CAST(${x} AS double precision)` : sql`CAST(${x} AS DOUBLE)`;
}

export function typedNull(type: FormulaType, d: SqlDialect): Sql {
  if (d === 'mysql') return sql`NULL`;
  switch (type) {
    case 'text':
      return sql`CAST(NULL AS text)`;
    case 'number':
      return sql`CAST(NULL AS double precision)`;
    case 'boolean':
      return sql`CAST(NULL AS boolean)`;
    case 'date':
      return sql`CAST(NULL AS date)`;
    case 'datetime':
      return sql`CAST(NULL AS timestamptz)`;
    case 'null':
      return sql`NULL`;
    default:
      return assertNever(type);
  }
}

/** A literal value as a typed bind parameter. */
export function literal(value: SqlBinding, type: 'text' | 'number' | 'boolean', d: SqlDialect): Sql {
  const pg = d === 'postgres';
  switch (type) {
    case 'text':
      return pg ? sql`CAST(${bind(value)} AS text)` : bind(value);
    case 'number':
      return castDouble(bind(value), d);
    case 'boolean':
      return pg ? sql`CAST(${bind(value)} AS boolean)` : sql`(${bind(value)} <> 0)`;
    default:
      return assertNever(type);
  }
}

/** A date or date-time literal, bound as UTC text. */
export function instant(value: Date, type: TemporalType, d: SqlDialect): Sql {
  const iso = value.toISOString();
  if (type === 'date') {
    const day = bind(iso.slice(0, 10));
    return d === 'postgres' ? sql`CAST(${day} AS date)` : sql`CAST(${day} AS DATE)`;
  }
  return d === 'postgres'
    ? sql`CAST(${bind(iso)} AS timestamptz)`
    : sql`CAST(${bind(iso.slice(0, 23).replace('T', ' '))} AS DATETIME(3))`;
}

/** A column reference (`??`) read as the formula type; Postgres casts so integers divide as doubles. */
export function column(id: Sql, type: FormulaType, d: SqlDialect): Sql {
  if (d === 'mysql') {
    if (type === 'number') return castDouble(id, d);
    if (type === 'datetime') return sql`CAST(${id} AS DATETIME(3))`;
    if (type === 'boolean') return sql`(${id} <> 0)`;
    return id;
  }
  switch (type) {
    case 'number':
      return castDouble(id, d);
    case 'text':
      return sql`CAST(${id} AS text)`;
    case 'date':
      return sql`CAST(${id} AS date)`;
    case 'datetime':
      return sql`CAST(${id} AS timestamptz)`;
    default:
      return id;
  }
}

/** Converts a value of type `from` to `to` (only the conversions `accepts` allows). */
export function coerce(x: Sql, from: FormulaType, to: FormulaType, d: SqlDialect): Sql {
  if (from === to) return x;
  if (from === 'null') return typedNull(to, d);
  if (to === 'text') return toText(x, from, d);
  if (to === 'datetime' && from === 'date') return dateToDatetime(x, d);
  throw new Error(`no conversion from ${from} to ${to}`);
}

function toText(x: Sql, from: FormulaType, d: SqlDialect): Sql {
  const pg = d === 'postgres';
  switch (from) {
    case 'number':
      return pg ? sql`CAST(${x} + 0 AS text)` : sql`CAST(${x} AS CHAR)`;
    case 'boolean':
      return pg ? sql`CAST(${x} AS text)` : sql`ELT(${x} + 1, 'false', 'true')`;
    case 'date':
      return pg ? sql`to_char(${x}, 'YYYY-MM-DD')` : sql`DATE_FORMAT(${x}, '%Y-%m-%d')`;
    case 'datetime':
      return pg
        ? sql`to_char(timezone('UTC', ${x}), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
        : sql`CONCAT(LEFT(DATE_FORMAT(${x}, '%Y-%m-%dT%H:%i:%s.%f'), 23), 'Z')`;
    default:
      throw new Error(`no conversion from ${from} to text`);
  }
}

export function dateToDatetime(x: Sql, d: SqlDialect): Sql {
  return d === 'postgres'
    ? sql`(CAST(${x} AS timestamp) AT TIME ZONE 'UTC')`
    : sql`CAST(${x} AS DATETIME(3))`;
}

/** A text value in binary (code point) order for comparisons: case- and trailing-space-sensitive. */
export function binaryText(x: Sql, d: SqlDialect): Sql {
  return d === 'postgres' ? sql`(${x} COLLATE "C")` : sql`CAST(CONVERT(${x} USING utf8mb4) AS BINARY)`;
}

/** A datetime as UTC wall-clock time (Postgres timestamp without time zone); MySQL already stores UTC. */
export function utcWallClock(x: Sql, d: SqlDialect): Sql {
  return d === 'postgres' ? sql`timezone('UTC', ${x})` : x;
}

/** NULL-safe equality (BLANK() = BLANK() is true). */
export function nullSafeEquals(a: Sql, b: Sql, d: SqlDialect): Sql {
  return d === 'postgres' ? sql`(${a} IS NOT DISTINCT FROM ${b})` : sql`(${a} <=> ${b})`;
}

/** A boolean where blank counts as false. */
export function isTrue(x: Sql, _d: SqlDialect): Sql {
  return sql`COALESCE(${x}, FALSE)`;
}
