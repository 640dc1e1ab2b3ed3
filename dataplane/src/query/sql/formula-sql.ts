import { compileFormulaToSql, type FormulaAst } from '../formula/index.js';
import type { CatalogColumn } from '../catalog.js';
import type { FieldScope } from '../field-scope.js';
import type { AnalyzedComputed } from '../plan.js';
import type { SqlDialect } from './dialect.js';
import { parens, type SqlFragment } from './sql-fragment.js';

/**
 * A computed column as SQL. The formula compiler names fields through `ref` and returns knex.raw
 * text where each field is a `??` binding; those bindings are our own opaque tokens, which we
 * replace here by the catalog identifiers this dialect quotes (so a column name with a dot or
 * ` as ` in it stays one identifier). `?` values stay bindings, in order.
 */
export function formulaSql(
  computed: AnalyzedComputed,
  scope: FieldScope,
  dialect: SqlDialect,
  column: (table: number, column: CatalogColumn) => SqlFragment,
): SqlFragment {
  const identifiers = new Map<string, SqlFragment>();
  const ref = (name: string): string => {
    const field = scope.column(name);
    if (field?.target.kind !== 'column')
      throw new Error(`formula field ${JSON.stringify(name)} did not resolve`);
    const token = `\u0001ref${identifiers.size}`;
    identifiers.set(token, column(field.target.table, field.target.column));
    return token;
  };
  const compiled = compileFormulaToSql(computed.ast as FormulaAst, dialect.name, ref);
  return parens(inlineIdentifiers(compiled, identifiers));
}

/** Walks the text as knex.raw does (`\?` literal, `??` identifier, `?` value). */
function inlineIdentifiers(
  raw: { sql: string; bindings: readonly unknown[] },
  identifiers: Map<string, SqlFragment>,
) {
  let text = '';
  let last = 0;
  let next = 0;
  const bindings: unknown[] = [];
  for (const match of raw.sql.matchAll(/\\?\?\??/g)) {
    text += raw.sql.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[0] === '\\?') {
      text += match[0];
      continue;
    }
    const value = raw.bindings[next++];
    if (match[0] !== '??') {
      text += '?';
      bindings.push(value);
      continue;
    }
    const identifier = typeof value === 'string' ? identifiers.get(value) : undefined;
    if (!identifier) throw new Error('formula SQL named an identifier it was not given');
    text += identifier.sql;
    bindings.push(...identifier.bindings);
  }
  if (next !== raw.bindings.length) throw new Error('formula SQL bindings do not match its placeholders');
  return { sql: text + raw.sql.slice(last), bindings };
}
