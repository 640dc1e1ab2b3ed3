/**
 * The formula language's public surface (DESIGN §3): Airtable-like expressions over a row's
 * fields. Everything outside query/formula uses only what this file exports.
 *
 *   parseFormula(text)                      → FormulaAst        (FormulaError with a span on bad syntax)
 *   checkFormula(ast, fieldType)            → FormulaType       (FormulaError with a span on type errors)
 *   compileFormulaToSql(ast, dialect, ref)  → { sql, bindings } (values always bindings; fields via `ref`)
 *   compileFormulaToMongo(ast, ref)         → a MongoDB aggregation expression, or null if not expressible
 *   evaluateFormula(ast, row, now)          → the value, with the same semantics as the compiled forms
 */
export {};
