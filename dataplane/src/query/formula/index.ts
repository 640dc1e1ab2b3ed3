/**
 * The formula language's public surface (DESIGN §3): Airtable-like expressions over a row's
 * fields. Everything outside query/formula uses only what this file exports. See README.md for
 * the grammar and the semantics every target shares.
 *
 *   parseFormula(text)                      → FormulaAst        (FormulaError with a span on bad syntax)
 *   checkFormula(ast, fieldType)            → FormulaType       (FormulaError with a span on type errors)
 *   compileFormulaToSql(ast, dialect, ref)  → { sql, bindings } (values always bindings; fields via `ref`)
 *   compileFormulaToMongo(ast, ref)         → a MongoDB aggregation expression, or null if not expressible
 *   evaluateFormula(ast, row, now)          → the value, with the same semantics as the compiled forms
 *
 * compile* and evaluateFormula need a tree that checkFormula has checked (it records the types).
 */
export { parseFormula } from './parser.js';
export { printFormula } from './printer.js';
export { checkFormula } from './checker.js';
export { compileFormulaToSql } from './sql.compiler.js';
export { compileFormulaToMongo } from './mongo.compiler.js';
export { evaluateFormula } from './evaluator.js';
export { FormulaError } from './errors.js';
export { FORMULA_TYPES, type FormulaType } from './types.js';
export {
  MAX_FORMULA_LENGTH,
  MAX_HEIGHT,
  MAX_NESTING,
  type BinaryOp,
  type FormulaAst,
  type Span,
} from './ast.js';
export type { SqlBinding, SqlDialect } from './sql.fragment.js';
