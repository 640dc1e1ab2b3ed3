import { BIGINT_MAX, BIGINT_MIN, integerDigitsOf } from './limits.js';

/**
 * SQL that reads text typed by people as another type, a little more leniently than the API
 * reads values (a leading `+`, `.5` and `5.`, any case of true/yes/1 and false/no/0; dates and
 * instants in the same ISO forms): a boolean test that a text converts, which never raises an
 * error whatever the text holds, and the conversion itself, to be evaluated only where the test
 * holds. CASE forces the order (PostgreSQL may evaluate AND/OR operands in any order, and a cast
 * of bad text raises an error).
 *
 * `t` is an SQL text expression evaluated several times (a quoted column, or `btrim` of one).
 * The patterns use no backslashes, so they mean the same whatever standard_conforming_strings is.
 */

const INTEGER_TEXT = `'^[+-]?0*[0-9]{1,19}$'`;

export function textIsInteger(t: string): string {
  return `CASE WHEN ${t} !~ ${INTEGER_TEXT} THEN false ELSE ${t}::numeric BETWEEN ${BIGINT_MIN} AND ${BIGINT_MAX} END`;
}

const DECIMAL_TEXT = `'^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$'`;
/** Longer texts are not read as numbers (a numeric holds at most 16383 digits after the point). */
const MAX_DECIMAL_TEXT = 1000;

/** Fits `numeric(38, precision)` once rounded to `precision` digits. */
export function textIsDecimal(t: string, precision: number): string {
  return (
    `CASE WHEN char_length(${t}) > ${MAX_DECIMAL_TEXT} THEN false WHEN ${t} !~ ${DECIMAL_TEXT} THEN false ` +
    `ELSE ${numericFits(`${t}::numeric`, precision)} END`
  );
}

/** Whether a numeric expression still fits `numeric(38, precision)` once rounded. */
export function numericFits(n: string, precision: number): string {
  return `abs(round(${n}, ${precision})) < 1e${integerDigitsOf(precision)}`;
}

const TRUE_WORDS = ['true', 'yes', '1'];
const BOOLEAN_WORDS = [...TRUE_WORDS, 'false', 'no', '0'];
const words = (list: string[]) => list.map((word) => `'${word}'`).join(', ');

export function textIsBoolean(t: string): string {
  return `lower(${t}) IN (${words(BOOLEAN_WORDS)})`;
}

export function textToBoolean(t: string): string {
  return `lower(${t}) IN (${words(TRUE_WORDS)})`;
}

const DATE_TEXT = `'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`;

/** `YYYY-MM-DD` naming a real day of years 0001–9999 (the `date` cast would raise on 2023-02-29). */
export function textIsDate(t: string): string {
  const year = `substr(${t}, 1, 4)::int`;
  const month = `substr(${t}, 6, 2)::int`;
  const first = `make_date(${year}, ${month}, 1)`;
  const daysInMonth = `((${first} + interval '1 month')::date - ${first})`;
  return (
    `CASE WHEN ${t} !~ ${DATE_TEXT} THEN false ` +
    `WHEN ${year} < 1 OR ${month} NOT BETWEEN 1 AND 12 THEN false ` +
    `ELSE substr(${t}, 9, 2)::int BETWEEN 1 AND ${daysInMonth} END`
  );
}

/** The same ISO 8601 forms the API reads (see temporal.ts): offsets to ±15:59, as PostgreSQL's. */
const INSTANT_TEXT =
  `'^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,9})?)?` +
  `([Zz]|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)?)?$'`;

export function textIsInstant(t: string): string {
  return (
    `CASE WHEN ${t} !~ ${INSTANT_TEXT} THEN false ` +
    `WHEN NOT (${textIsDate(`substr(${t}, 1, 10)`)}) THEN false ` +
    `ELSE extract(year FROM ${textToInstant(t)} AT TIME ZONE 'UTC') BETWEEN 1 AND 9999 END`
  );
}

/**
 * A text `textIsInstant` accepted, as timestamptz. Without a zone it is UTC, never the session's
 * time zone; a date alone is its UTC midnight. After the date only a zone holds `+`, `-` or `Z`.
 */
export function textToInstant(t: string): string {
  return (
    `(CASE WHEN char_length(${t}) = 10 THEN ${t} || 'T00:00:00+00' ` +
    `WHEN substr(${t}, 11) ~ '[Zz+-]' THEN ${t} ELSE ${t} || '+00' END)::timestamptz`
  );
}
