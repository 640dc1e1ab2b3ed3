import { assertNever, childrenOf, type FormulaAst } from './ast.js';
import { FormulaError } from './errors.js';
import { definitionOf } from './functions/registry.js';
import { coerce, column, instant, literal } from './sql.dialect.js';
import { ident, SqlTooLongError, type Sql, type SqlBinding, type SqlDialect } from './sql.fragment.js';
import { infoOf, isTemporal } from './types.js';

/**
 * Compiles a checked formula to one SQL expression in knex.raw form. Field references become
 * `??` with the identifier `ref(field)` in the bindings; every literal becomes `?` with its
 * value in the bindings. Usable as `knex.raw(sql, bindings)`.
 */
export function compileFormulaToSql(
  ast: FormulaAst,
  dialect: SqlDialect,
  ref: (field: string) => string,
): { sql: string; bindings: SqlBinding[] } {
  try {
    const out = compile(ast, dialect, ref);
    return { sql: out.text, bindings: [...out.bindings] };
  } catch (e) {
    if (e instanceof SqlTooLongError) {
      throw new FormulaError('formula is too complex to compile to SQL', ast.span);
    }
    throw e;
  }
}

function compile(n: FormulaAst, d: SqlDialect, ref: (field: string) => string): Sql {
  const info = infoOf(n);
  switch (n.kind) {
    case 'number':
      return literal(n.value, 'number', d);
    case 'boolean':
      return literal(n.value, 'boolean', d);
    case 'string':
      return info.instant && isTemporal(info.type)
        ? instant(info.instant, info.type, d)
        : literal(n.value, 'text', d);
    case 'field':
      return column(ident(ref(n.name)), info.type, d);
    case 'unary':
    case 'binary':
    case 'call': {
      const def = definitionOf(n)!;
      const params = info.params!;
      const nodes = childrenOf(n);
      const args = nodes.map((c, i) => coerce(compile(c, d, ref), infoOf(c).type, params[i]!, d));
      return def.sql(args, { dialect: d, params, returns: info.type, nodes });
    }
    default:
      return assertNever(n);
  }
}
