/**
 * SQL fragments in knex.raw form: text with `?` (value) and `??` (identifier) placeholders and
 * the bindings for them, in order. Fragments are only built by the `sql` tag, whose literal parts
 * are compiler constants, and by `bind`/`ident`, which append a placeholder and its binding
 * together, so formula text can never reach the SQL string.
 */
export type SqlDialect = 'postgres' | 'mysql';

/** What a binding can be: a literal value, or an identifier for a `??` placeholder. */
export type SqlBinding = string | number | boolean;

export interface Sql {
  readonly text: string;
  readonly bindings: readonly SqlBinding[];
}

/** Compiled SQL larger than this is refused (some functions repeat an operand, so nesting multiplies). */
export const MAX_SQL_LENGTH = 100_000;

export class SqlTooLongError extends Error {
  constructor() {
    super(`compiled SQL exceeds ${MAX_SQL_LENGTH} characters`);
  }
}

export function sql(strings: TemplateStringsArray, ...parts: readonly Sql[]): Sql {
  let text = strings[0]!;
  const bindings: SqlBinding[] = [];
  parts.forEach((part, i) => {
    text += part.text + strings[i + 1]!;
    bindings.push(...part.bindings);
  });
  if (text.length > MAX_SQL_LENGTH) throw new SqlTooLongError();
  return { text, bindings };
}

export function bind(value: SqlBinding): Sql {
  return { text: '?', bindings: [value] };
}

export function ident(name: string): Sql {
  return { text: '??', bindings: [name] };
}

export function join(parts: readonly Sql[], separator: Sql): Sql {
  return parts.reduce((acc, part, i) => (i === 0 ? part : sql`${acc}${separator}${part}`), sql``);
}

/** A numeric constant owned by the compiler (unit lengths, ...); a finite number cannot carry text. */
export function constant(n: number): Sql {
  if (!Number.isFinite(n)) throw new Error(`not a finite constant: ${n}`);
  return { text: String(n), bindings: [] };
}
