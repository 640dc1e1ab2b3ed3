/**
 * The sizes the API promises for column options and cell values. Encoders, option checks and
 * type changes read them from here so the three never disagree.
 */
export const MAX_TEXT_LENGTH = 100_000;
export const MAX_LONG_TEXT_LENGTH = 1_000_000;

export const MAX_CHOICES = 500;
export const MAX_CHOICE_NAME_LENGTH = 100;
/** A multiSelect holds distinct choice names, so it never holds more than there can be choices. */
export const MAX_MULTI_SELECT = MAX_CHOICES;

/** decimal columns are `numeric(38, precision)`: 38 digits in all, `precision` after the point. */
export const NUMERIC_DIGITS = 38;
export const DEFAULT_PRECISION = 2;
export const MAX_PRECISION = 10;
/** Digits after the point a decimal string may carry (the database rounds them to `precision`). */
export const MAX_FRACTION_DIGITS = 100;

export const BIGINT_MIN = -(2n ** 63n);
export const BIGINT_MAX = 2n ** 63n - 1n;

export const MAX_FORMULA_LENGTH = 10_000;
export const MAX_ATTACHMENTS = 100;
export const MAX_LINKS = 10_000;

export const MAX_RULE_LENGTH = 1_000_000;
export const MAX_PATTERN_LENGTH = 500;

/** Digits before the point a `numeric(38, precision)` column holds. */
export function integerDigitsOf(precision: number): number {
  return NUMERIC_DIGITS - precision;
}
