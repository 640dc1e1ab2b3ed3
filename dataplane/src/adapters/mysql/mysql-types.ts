import type { LogicalType } from '../../query/catalog.js';

const LOGICAL_BY_DATA_TYPE: Record<string, LogicalType> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'integer',
  year: 'integer',
  decimal: 'number',
  numeric: 'number',
  float: 'number',
  double: 'number',
  real: 'number',
  char: 'text',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  enum: 'text',
  set: 'text',
  time: 'text',
  inet4: 'text',
  inet6: 'text',
  date: 'date',
  datetime: 'datetime',
  timestamp: 'datetime',
  json: 'json',
  uuid: 'uuid',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
};

/**
 * information_schema DATA_TYPE + COLUMN_TYPE → logical type. `tinyint(1)` and `bit(1)` are
 * the conventional booleans; other bit widths are binary. (MariaDB's JSON is an alias of
 * LONGTEXT and reads as text.)
 */
export function logicalTypeOf(dataType: string, columnType: string): LogicalType {
  const data = dataType.toLowerCase();
  const column = columnType.toLowerCase();
  if (/^tinyint\(1\)/.test(column) || column === 'bit(1)') return 'boolean';
  if (data === 'bit') return 'binary';
  return LOGICAL_BY_DATA_TYPE[data] ?? 'unknown';
}
