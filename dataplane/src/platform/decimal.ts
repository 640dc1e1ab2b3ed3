/**
 * Exact decimal arithmetic on digit strings, just enough to check values of `bigint` and
 * `numeric(38, p)` columns without a double rounding them first: parsing, comparing, and
 * whether the database's rounding would carry into the integer part.
 */

/** A decimal as digits: `int` without leading zeros, `frac` without trailing zeros; zero is positive. */
export interface Decimal {
  negative: boolean;
  int: string;
  frac: string;
}

/** What the API accepts as a decimal string: optional minus, digits, optional point and digits. */
const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;
/** What String(number) prints: the same, with an optional exponent. */
const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

export function parseDecimalText(text: string): Decimal | undefined {
  const match = DECIMAL_TEXT.exec(text);
  return match ? decimalOf(match[1] === '-', match[2] ?? '', match[3] ?? '') : undefined;
}

/** The exact decimal a finite double prints as (its shortest round-trip form). */
export function decimalOfNumber(value: number): Decimal {
  const match = NUMBER_TEXT.exec(String(value));
  if (!match) return decimalOf(false, '0', '');
  const [, sign, int = '', frac = '', exponent = '0'] = match;
  const digits = int + frac;
  const point = int.length + Number(exponent);
  if (point <= 0) return decimalOf(sign === '-', '', '0'.repeat(-point) + digits);
  if (point >= digits.length) return decimalOf(sign === '-', digits + '0'.repeat(point - digits.length), '');
  return decimalOf(sign === '-', digits.slice(0, point), digits.slice(point));
}

function decimalOf(negative: boolean, int: string, frac: string): Decimal {
  const i = int.replace(/^0+/, '');
  const f = frac.replace(/0+$/, '');
  return { negative: negative && (i !== '' || f !== ''), int: i, frac: f };
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  if (a.negative !== b.negative) return a.negative ? -1 : 1;
  const magnitude = compareMagnitudes(a, b);
  return a.negative ? -magnitude : magnitude;
}

function compareMagnitudes(a: Decimal, b: Decimal): number {
  if (a.int.length !== b.int.length) return a.int.length < b.int.length ? -1 : 1;
  if (a.int !== b.int) return a.int < b.int ? -1 : 1;
  const width = Math.max(a.frac.length, b.frac.length);
  const fa = a.frac.padEnd(width, '0');
  const fb = b.frac.padEnd(width, '0');
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/**
 * Whether `value` fits a column of `integerDigits` digits before the point once the database has
 * rounded it (half away from zero) to `precision` digits after it: 99.996 rounds to 100.00.
 */
export function fitsNumeric(value: Decimal, integerDigits: number, precision: number): boolean {
  if (value.int.length !== integerDigits) return value.int.length < integerDigits;
  const frac = value.frac.padEnd(precision + 1, '0');
  const carries = /^9*$/.test(frac.slice(0, precision)) && (frac[precision] ?? '0') >= '5';
  return !(carries && /^9+$/.test(value.int));
}
