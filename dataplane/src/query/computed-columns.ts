import type { FieldProblem } from '../platform/errors.js';
import { ValidationError } from '../platform/errors.js';
import type { LogicalType } from './catalog.js';
import type { FieldScope } from './field-scope.js';
import { checkFormula, parseFormula, type FormulaType } from './formula/index.js';
import type { LogicalQuery } from './lqp.js';
import type { AnalyzedComputed } from './plan.js';

/**
 * Computed columns: each formula is parsed and type-checked against the source and joined
 * columns (formulas cannot reference other computed columns). A name must not shadow a field.
 */
export function analyzeComputed(
  query: LogicalQuery,
  scope: FieldScope,
  problems: FieldProblem[],
): AnalyzedComputed[] {
  const computed: AnalyzedComputed[] = [];
  (query.computedColumns ?? []).forEach((column, i) => {
    const path = `computedColumns[${i}]`;
    if (scope.column(column.name) || computed.some((c) => c.name === column.name)) {
      problems.push({
        path: `${path}.name`,
        message: `${JSON.stringify(column.name)} is already a field name`,
      });
      return;
    }
    try {
      const ast = parseFormula(column.formula);
      const type = checkFormula(ast, (name: string) => scope.column(name)?.type);
      computed.push({ name: column.name, formula: column.formula, ast, type: logicalTypeOf(type) });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const span = (error.extensions as { span?: { start: number; end: number } }).span;
      const where = span ? ` (at ${span.start}..${span.end})` : '';
      problems.push({ path: `${path}.formula`, message: `${error.message}${where}` });
    }
  });
  return computed;
}

/** A formula's result type as a column type; BLANK() alone has no type of its own. */
function logicalTypeOf(type: FormulaType): LogicalType {
  switch (type) {
    case 'text':
    case 'number':
    case 'boolean':
    case 'date':
    case 'datetime':
      return type;
    case 'null':
      return 'unknown';
  }
}
