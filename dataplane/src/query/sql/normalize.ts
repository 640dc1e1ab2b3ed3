import type { LogicalType } from '../catalog.js';
import type { CursorValue } from '../keyset-cursor.js';

/** Takes a value that is neither null nor undefined. */
export type Normalizer = (value: NonNullable<unknown>) => unknown;

const toBoolean: Normalizer = (value) => {
  if (typeof value === 'boolean') return value;
  if (Buffer.isBuffer(value)) return value.some((b) => b !== 0);
  return Number(value) !== 0;
};

/** One function per logical type, chosen once per output column rather than per value. */
const NORMALIZERS: Record<LogicalType, Normalizer> = {
  integer: toNumberIfSafe,
  number: toNumberIfSafe,
  boolean: toBoolean,
  text: (value) => (Buffer.isBuffer(value) ? value.toString('utf8') : value),
  uuid: (value) => (Buffer.isBuffer(value) ? value.toString('utf8') : value),
  date: (value) => (value instanceof Date ? localDate(value) : value),
  datetime: toIsoInstant,
  json: (value) => (typeof value === 'string' ? parseJson(value) : value),
  binary: (value) => (Buffer.isBuffer(value) ? value.toString('base64') : value),
  unknown: (value) => {
    if (value instanceof Date) return value.toISOString();
    if (Buffer.isBuffer(value)) return value.toString('base64');
    return typeof value === 'bigint' ? value.toString() : value;
  },
};

/**
 * Driver values to the JSON the API returns, the same for pg and mysql2: integers and decimals
 * as numbers when a double holds them exactly (else the decimal string), booleans from
 * TINYINT/BIT, dates `YYYY-MM-DD`, instants ISO 8601 UTC, binary base64, JSON parsed.
 */
export function normalizerFor(type: LogicalType): Normalizer {
  return NORMALIZERS[type];
}

/** `normalizerFor` for one value, null and undefined as null. */
export function normalizeValue(type: LogicalType, value: unknown): unknown {
  return value === null || value === undefined ? null : NORMALIZERS[type](value);
}

/** A key as a cursor holds it: lossless (numbers stay strings when a double would round them). */
export function cursorValue(type: LogicalType, value: unknown): CursorValue {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (type === 'boolean' && typeof value === 'number') return value !== 0;
  return value as CursorValue;
}

const SIGNIFICANT = /^-?0*(\d*?)\.?(\d*?)0*$/;
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+\.\d+$/;
/** At most 15 digits (sign and point aside): every such decimal survives the trip through a double. */
const SHORT = 17;

export function toNumberIfSafe(value: unknown): unknown {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value !== 'string') return value;
  if (INTEGER.test(value)) return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (!DECIMAL.test(value)) return value;
  if (value.length < SHORT) return Number(value);
  // A decimal with at most 15 significant digits survives the trip through a double.
  const match = SIGNIFICANT.exec(value);
  const digits = match ? `${match[1]}${match[2]}`.replace(/^0+/, '') : value;
  return digits.length <= 15 ? Number(value) : value;
}

/** What the compilers' to_char/DATE_FORMAT render: microseconds, UTC. */
const RENDERED_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function toIsoInstant(value: unknown): unknown {
  // Cutting to milliseconds is what Date would do (it truncates), without parsing every value.
  if (typeof value === 'string' && RENDERED_INSTANT.test(value)) return `${value.slice(0, 23)}Z`;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : value;
}

/** node-postgres parses a `date` as local midnight: its local parts are the date. */
function localDate(d: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
