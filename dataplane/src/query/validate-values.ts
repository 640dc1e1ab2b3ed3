import type { LogicalType } from './catalog.js';
import type { AggregateFn, FilterOp } from './lqp.js';
import type { Scalar } from './plan.js';

/**
 * What each logical type supports, and how filter values are checked and normalised. Filters
 * dispatch on these few value kinds, never on a source's native type names.
 */
const EQUALITY: FilterOp[] = ['eq', 'neq', 'in', 'nin', 'isEmpty', 'isNotEmpty'];
const ORDERED: FilterOp[] = [...EQUALITY, 'lt', 'lte', 'gt', 'gte', 'between'];
const DATES: FilterOp[] = [...ORDERED, 'isToday', 'isPast', 'isFuture', 'inLastDays', 'inNextDays'];
const EMPTINESS: FilterOp[] = ['isEmpty', 'isNotEmpty'];

export const OPS_BY_TYPE: Record<LogicalType, readonly FilterOp[]> = {
  text: [...ORDERED, 'contains', 'ncontains', 'startsWith', 'endsWith'],
  integer: ORDERED,
  number: ORDERED,
  boolean: EQUALITY,
  date: DATES,
  datetime: DATES,
  uuid: EQUALITY,
  json: EMPTINESS,
  binary: EMPTINESS,
  unknown: EMPTINESS,
};

/** Types a user may sort, group or count distinct by. */
export const SORTABLE: ReadonlySet<LogicalType> = new Set([
  'text',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
  'uuid',
]);

/** Types that can be a keyset tiebreaker (primary key columns): the sortable ones and binary. */
export const KEYABLE: ReadonlySet<LogicalType> = new Set([...SORTABLE, 'binary']);

const NUMERIC: ReadonlySet<LogicalType> = new Set(['integer', 'number']);
const MIN_MAX: ReadonlySet<LogicalType> = new Set(['text', 'integer', 'number', 'date', 'datetime']);

export type AggregateCheck = { ok: true; type: LogicalType } | { ok: false; message: string };

/** Which field types an aggregate accepts, and the type it yields. */
export function aggregateType(fn: AggregateFn, field: LogicalType | undefined): AggregateCheck {
  const fail = (message: string): AggregateCheck => ({ ok: false, message: `${fn} ${message}` });
  switch (fn) {
    case 'count':
      return { ok: true, type: 'integer' };
    case 'countDistinct':
      return field && SORTABLE.has(field)
        ? { ok: true, type: 'integer' }
        : fail('needs a field of a sortable type');
    case 'sum':
      return field && NUMERIC.has(field) ? { ok: true, type: field } : fail('needs a number field');
    case 'avg':
      return field && NUMERIC.has(field) ? { ok: true, type: 'number' } : fail('needs a number field');
    case 'min':
    case 'max':
      return field && MIN_MAX.has(field)
        ? { ok: true, type: field }
        : fail('needs a text, number, date or datetime field');
  }
}

/** Join keys must compare without casts in every engine. */
export function joinFamily(type: LogicalType): string | undefined {
  if (NUMERIC.has(type)) return 'number';
  if (type === 'date' || type === 'datetime') return 'time';
  return KEYABLE.has(type) ? type : undefined;
}

export type ValueCheck = { ok: true; value: Scalar } | { ok: false; message: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_TEXT_VALUE = 10_000;

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1;
}

/** `YYYY-MM-DD`, or an ISO 8601 date-time (no zone = UTC) normalised to `YYYY-MM-DDTHH:MM:SS.sssZ`. */
function checkTime(type: 'date' | 'datetime', value: unknown): ValueCheck {
  const expected = type === 'date' ? 'expected a date (YYYY-MM-DD)' : 'expected an ISO 8601 date-time';
  if (typeof value !== 'string') return { ok: false, message: expected };
  const match = (type === 'date' ? DATE : DATETIME).exec(value);
  if (!match || !validDate(match[1]!, match[2]!, match[3]!)) return { ok: false, message: expected };
  if (type === 'date') return { ok: true, value };
  const zone = match[8] ?? 'Z';
  const iso = `${match[1]}-${match[2]}-${match[3]}T${match[4] ?? '00'}:${match[5] ?? '00'}:${match[6] ?? '00'}${(match[7] ?? '').slice(0, 4)}${zone}`;
  const time = Date.parse(iso);
  return Number.isNaN(time)
    ? { ok: false, message: expected }
    : { ok: true, value: new Date(time).toISOString() };
}

/** Checks one comparison value against a field type and returns its normalised form. */
export function checkValue(type: LogicalType, value: unknown): ValueCheck {
  switch (type) {
    case 'text':
      if (typeof value !== 'string') return { ok: false, message: 'expected string' };
      return value.length > MAX_TEXT_VALUE
        ? { ok: false, message: `must be at most ${MAX_TEXT_VALUE} characters` }
        : { ok: true, value };
    case 'uuid':
      return typeof value === 'string' && UUID.test(value)
        ? { ok: true, value: value.toLowerCase() }
        : { ok: false, message: 'expected a UUID' };
    case 'integer':
      return Number.isSafeInteger(value)
        ? { ok: true, value: value as number }
        : { ok: false, message: 'expected integer' };
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? { ok: true, value }
        : { ok: false, message: 'expected number' };
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, message: 'expected boolean' };
    case 'date':
    case 'datetime':
      return checkTime(type, value);
    case 'json':
    case 'binary':
    case 'unknown':
      return { ok: false, message: `${type} fields take no comparison values` };
  }
}
