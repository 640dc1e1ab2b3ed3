import pg from 'pg';
import type { LogicalType } from '../../query/catalog.js';

const LOGICAL_BY_TYPNAME: Record<string, LogicalType> = {
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  oid: 'integer',
  numeric: 'number',
  float4: 'number',
  float8: 'number',
  money: 'number',
  bool: 'boolean',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  char: 'text',
  name: 'text',
  citext: 'text',
  inet: 'text',
  cidr: 'text',
  macaddr: 'text',
  interval: 'text',
  time: 'text',
  timetz: 'text',
  xml: 'text',
  date: 'date',
  timestamp: 'datetime',
  timestamptz: 'datetime',
  json: 'json',
  jsonb: 'json',
  uuid: 'uuid',
  bytea: 'binary',
};

/**
 * A column's logical type from its type name (a domain's base type already substituted) and
 * pg_type.typcategory: arrays read as JSON (pg returns JS arrays), enums as text.
 */
export function logicalTypeOf(typname: string, category: string): LogicalType {
  if (category === 'A') return 'json';
  if (category === 'E') return 'text';
  return LOGICAL_BY_TYPNAME[typname] ?? 'unknown';
}

const { builtins } = pg.types;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * How values of an external database come back: bigint as a number while it is exact (a
 * string beyond 2^53), `date` as its 'YYYY-MM-DD' text (no time zone shift), `timestamp`
 * without zone read as UTC; everything else as pg parses it.
 */
export const externalTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === 'binary') return pg.types.getTypeParser(oid, 'binary');
    switch (oid) {
      case builtins.INT8:
        return (v: string) => {
          if (v.length < 16) return Number(v); // at most 15 digits: always exact
          const big = BigInt(v);
          return big <= MAX_SAFE && big >= -MAX_SAFE ? Number(v) : v;
        };
      case builtins.DATE:
        return (v: string) => v;
      case builtins.TIMESTAMP:
        return (v: string) => (/^\d{4}-/.test(v) ? new Date(`${v.replace(' ', 'T')}Z`) : v);
      default:
        return pg.types.getTypeParser(oid, 'text');
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};
