/**
 * A piece of SQL and the values it binds, in placeholder order. The compiler builds statements
 * only from these: `param()` is the one function that appends a value, and it appends the value
 * to `bindings` together with its `?` placeholder, so a value can never reach the SQL text. The
 * `sql` tag interpolates fragments only (no strings), which keeps that invariant checkable by
 * the type checker. Text is in knex `raw` syntax: `?` is a value, `??` an identifier binding
 * (used by the formula compiler), `\?` a literal question mark.
 */
export interface SqlFragment {
  readonly sql: string;
  readonly bindings: readonly unknown[];
}

/** A value as a bind parameter. */
export function param(value: unknown): SqlFragment {
  return { sql: '?', bindings: [value] };
}

/** SQL text written by the compiler itself (keywords, operators, constants). Never input. */
export function keyword(text: string): SqlFragment {
  return { sql: text, bindings: [] };
}

/** `sql\`${a} = ${b}\`` — literal parts are compiler text, interpolations are fragments. */
export function sql(strings: TemplateStringsArray, ...parts: SqlFragment[]): SqlFragment {
  let text = strings[0] ?? '';
  const bindings: unknown[] = [];
  parts.forEach((part, i) => {
    text += part.sql + (strings[i + 1] ?? '');
    bindings.push(...part.bindings);
  });
  return { sql: text, bindings };
}

export function joinSql(parts: readonly SqlFragment[], separator: string): SqlFragment {
  return {
    sql: parts.map((p) => p.sql).join(separator),
    bindings: parts.flatMap((p) => p.bindings),
  };
}

/** Wraps in parentheses; every compiled predicate is parenthesised so precedence never leaks. */
export function parens(part: SqlFragment): SqlFragment {
  return { sql: `(${part.sql})`, bindings: part.bindings };
}

export const TRUE_SQL = keyword('1 = 1');
export const FALSE_SQL = keyword('1 = 0');
