/**
 * A string as a PostgreSQL string constant, for the few places where a value must be part of the
 * SQL text itself (the USING expression of ALTER TABLE takes no parameters).
 *
 * Always the standard form `'...'` with quotes doubled: backslashes stay literal characters
 * (standard_conforming_strings is on, the default since PostgreSQL 9.1), and no `E'...'` form is
 * ever emitted, so a backslash or an `E'` in the text is inert. NUL cannot be part of a
 * PostgreSQL string at all and is refused.
 */
export function sqlStringLiteral(text: string): string {
  if (text.includes('\u0000')) throw new RangeError('a SQL string literal cannot contain NUL');
  return `'${text.replaceAll("'", "''")}'`;
}

/** `expression IN ('a', 'b')`, or false for an empty list (`IN ()` is not SQL). */
export function sqlInList(expression: string, values: readonly string[]): string {
  return values.length === 0 ? 'false' : `${expression} IN (${values.map(sqlStringLiteral).join(', ')})`;
}

/** `ARRAY['a', 'b']::text[]`. */
export function sqlTextArray(values: readonly string[]): string {
  return `ARRAY[${values.map(sqlStringLiteral).join(', ')}]::text[]`;
}
