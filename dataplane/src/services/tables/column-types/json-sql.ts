/**
 * SQL giving the API JSON (a jsonb) of a stored cell, exactly what `decodeCell` makes of the
 * driver's value: for states the database records itself (audit entries written in the very
 * statement that changes a row). `ref` is a trusted, quoted column reference; NULL stays NULL.
 * test/integration/minidb/cell-json-sql.test.ts holds every type to `decodeCell`.
 */
export type JsonSql = (ref: string) => string;

export const jsonAsIs: JsonSql = (ref) => `to_jsonb(${ref})`;

/** jsonb cells are their own JSON. */
export const jsonOfJsonb: JsonSql = (ref) => ref;

export const jsonOfUuid: JsonSql = (ref) => `to_jsonb(${ref}::text)`;

export const jsonOfDate: JsonSql = (ref) => `to_jsonb(to_char(${ref}, 'YYYY-MM-DD'))`;

/** `Date#toISOString()`: UTC, milliseconds cut (as node-postgres and Date cut them). */
export const jsonOfInstant: JsonSql = (ref) =>
  `to_jsonb(to_char(${ref} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;

/**
 * `toNumberIfSafe` of the value's text: a JSON number while a double holds it exactly, else the
 * decimal string. Integers: |n| ≤ 2^53 − 1. Decimals: under 17 characters, or at most 15
 * significant digits (leading zeros and the fraction's trailing zeros aside).
 */
export const jsonOfNumber: JsonSql = (ref) => {
  const text = `(${ref})::text`;
  const significant = `length(ltrim(split_part(${text}, '.', 1) || rtrim(split_part(${text}, '.', 2), '0'), '-0'))`;
  return (
    `CASE WHEN ${ref} IS NULL THEN NULL ` +
    `WHEN position('.' in ${text}) = 0 THEN ` +
    `CASE WHEN ${ref} BETWEEN -9007199254740991 AND 9007199254740991 THEN to_jsonb(${ref}) ELSE to_jsonb(${text}) END ` +
    `WHEN length(${text}) < 17 OR ${significant} <= 15 THEN to_jsonb(${ref}) ` +
    `ELSE to_jsonb(${text}) END`
  );
};
