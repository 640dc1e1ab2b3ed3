import type { CellCheck, Column } from '../column.js';
import { accept, invalidValue, refuse, type Encoder } from './cell-check.js';
import {
  compareDecimals,
  decimalOfNumber,
  fitsNumeric,
  parseDecimalText,
  type Decimal,
} from '../../../platform/decimal.js';
import { exceedsLength, isStorableText, isUuid, kindOf } from './input.js';
import {
  BIGINT_MAX,
  BIGINT_MIN,
  DEFAULT_PRECISION,
  integerDigitsOf,
  MAX_FRACTION_DIGITS,
  MAX_LONG_TEXT_LENGTH,
  MAX_TEXT_LENGTH,
} from './limits.js';
import { parseDate, parseInstant } from './temporal.js';

/**
 * Encoders of the single-value types. Values are bound as node-postgres parameters: numbers as
 * JS numbers or decimal strings, dates as `YYYY-MM-DD`, instants as ISO strings in UTC.
 */

/** Text stays as given, the empty string included (it is not NULL; `required` treats it as missing). */
function textOf(max: number): Encoder {
  return (value, column) => {
    if (typeof value !== 'string') return invalidValue(`expected a string, got ${kindOf(value)}`);
    if (!isStorableText(value))
      return invalidValue('text cannot contain NUL characters or unpaired surrogates');
    const limit = Math.min(max, column.rules.maxLength ?? max);
    if (exceedsLength(value, limit)) return invalidValue(`must be at most ${limit} characters`);
    return accept(value);
  };
}

export const encodeText = textOf(MAX_TEXT_LENGTH);
export const encodeLongText = textOf(MAX_LONG_TEXT_LENGTH);

const INTEGER_TEXT = /^-?\d+$/;
/** More significant digits than this cannot be a bigint (2^63 has 19). */
const BIGINT_DIGITS = 19;

/**
 * A safe integer, or (for bigint values a double cannot hold, which the API also answers as
 * strings) a string of decimal digits within the bigint range. Bound as a number when safe,
 * else as the canonical digit string.
 */
export const encodeInteger: Encoder = (value, column) => {
  const expected = 'expected an integer (a string of digits beyond ±2^53)';
  let decimal: Decimal;
  let bound: number | string;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return invalidValue(expected);
    bound = value === 0 ? 0 : value; // -0 is 0
    decimal = decimalOfNumber(bound);
  } else if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    decimal = parseDecimalText(value) as Decimal;
    if (decimal.int.length > BIGINT_DIGITS) return refuse('out_of_range', 'must fit a 64-bit integer');
    const big = BigInt(value);
    if (big < BIGINT_MIN || big > BIGINT_MAX) return refuse('out_of_range', 'must fit a 64-bit integer');
    bound = Number.isSafeInteger(Number(big)) ? Number(big) : big.toString();
  } else {
    return invalidValue(expected);
  }
  return withinRules(decimal, column) ?? accept(bound);
};

/**
 * A finite number or a decimal string. Not rounded here: the database rounds to the column's
 * precision (half away from zero), so it is checked to still fit `numeric(38, precision)` after.
 */
export const encodeDecimal: Encoder = (value, column) => {
  const precision = column.options.precision ?? DEFAULT_PRECISION;
  let decimal: Decimal | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) decimal = decimalOfNumber(value);
  else if (typeof value === 'string') decimal = parseDecimalText(value);
  if (!decimal) return invalidValue(`expected a number or a decimal string, got ${kindOf(value)}`);
  if (decimal.frac.length > MAX_FRACTION_DIGITS) {
    return invalidValue(`must have at most ${MAX_FRACTION_DIGITS} digits after the point`);
  }
  const digits = integerDigitsOf(precision);
  if (!fitsNumeric(decimal, digits, precision)) {
    return refuse('out_of_range', `must have at most ${digits} digits before the point`);
  }
  const bound = typeof value === 'number' ? (value === 0 ? 0 : value) : value;
  return withinRules(decimal, column) ?? accept(bound);
};

/** minValue / maxValue, compared exactly (a double would let 1.0000000000000000001 pass max 1). */
function withinRules(value: Decimal, column: Column): CellCheck | undefined {
  const { minValue, maxValue } = column.rules;
  if (minValue !== undefined && compareDecimals(value, decimalOfNumber(minValue)) < 0) {
    return refuse('out_of_range', `must be at least ${minValue}`);
  }
  if (maxValue !== undefined && compareDecimals(value, decimalOfNumber(maxValue)) > 0) {
    return refuse('out_of_range', `must be at most ${maxValue}`);
  }
  return undefined;
}

export const encodeBoolean: Encoder = (value) =>
  typeof value === 'boolean' ? accept(value) : invalidValue(`expected true or false, got ${kindOf(value)}`);

export const encodeDate: Encoder = (value) => {
  const date = typeof value === 'string' ? parseDate(value) : undefined;
  return date === undefined
    ? invalidValue('expected a calendar date YYYY-MM-DD of years 0001–9999')
    : accept(date);
};

export const encodeDateTime: Encoder = (value) => {
  const instant = typeof value === 'string' ? parseInstant(value) : undefined;
  return instant === undefined
    ? invalidValue('expected an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS, zone Z or ±HH:MM, none = UTC)')
    : accept(instant.toISOString());
};

/** A user's id; whether they are a member of the workspace is the caller's check. */
export const encodeUser: Encoder = (value) =>
  isUuid(value) ? accept(value.toLowerCase()) : invalidValue('expected a user id (UUID)');
