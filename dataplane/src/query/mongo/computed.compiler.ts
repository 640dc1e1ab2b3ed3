import type { Document } from 'bson';
import { FieldScope } from '../field-scope.js';
import { checkFormula, compileFormulaToMongo, evaluateFormula, type FormulaAst } from '../formula/index.js';
import type { AnalyzedQuery, ResolvedField } from '../plan.js';
import { toFormulaInput } from './bson-values.js';
import { computedSlot, FieldPaths } from './paths.js';
import type { InProcessColumn } from './plan.js';

/**
 * Computed columns → one `$addFields` into `__lt_cN` each. A formula with a function MongoDB
 * cannot express faithfully (compileFormulaToMongo answers null) is evaluated in process after
 * the pipeline, with evaluateFormula over the stored fields it references, which the final
 * `$project` carries along. Formulas reference stored fields only (validateQuery).
 */
export interface CompiledComputed {
  stages: Document[];
  paths: FieldPaths;
  inProcess: InProcessColumn[];
  pushedDown: string[];
}

/** The stored fields a checked formula references (checking again records nothing new). */
function referencedFields(ast: FormulaAst, scope: FieldScope): ResolvedField[] {
  const fields = new Map<string, ResolvedField>();
  checkFormula(ast, (name) => {
    const field = scope.column(name);
    if (field) fields.set(name, field);
    return field?.type;
  });
  return [...fields.values()];
}

export function compileComputed(plan: AnalyzedQuery): CompiledComputed {
  const scope = new FieldScope(plan.source, plan.joins);
  const stored = new FieldPaths();
  const ref = (name: string) => {
    const field = scope.column(name);
    if (!field) throw new Error(`formula field ${JSON.stringify(name)} was not resolved by validateQuery`);
    return `$${stored.pathOf(field)}`;
  };
  const out: CompiledComputed = { stages: [], paths: stored, inProcess: [], pushedDown: [] };
  const inProcess = plan.computed.map((computed, i) => {
    const ast = computed.ast as FormulaAst;
    const expr = compileFormulaToMongo(ast, ref);
    if (expr !== null) {
      out.stages.push({ $addFields: { [computedSlot(i)]: expr } });
      out.pushedDown.push(`computed:${computed.name}`);
      return false;
    }
    const fields = referencedFields(ast, scope);
    out.inProcess.push({
      name: computed.name,
      inputs: fields.map((f) => ({ field: f.ref, path: stored.pathOf(f) as string })),
      evaluate: (row, now) => evaluateFormula(ast, (name) => toFormulaInput(row[name] ?? null), now),
    });
    return true;
  });
  out.paths = new FieldPaths(inProcess);
  return out;
}
