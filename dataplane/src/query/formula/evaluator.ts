import { assertNever, childrenOf, type FormulaAst } from './ast.js';
import { definitionOf } from './functions/registry.js';
import { infoOf, type FormulaType } from './types.js';
import { fieldValue, toText } from './values.js';

/**
 * Evaluates a checked formula for one row, in process, with the semantics the compiled forms
 * have. `row(field)` returns the raw value (drivers' shapes are accepted: numeric strings,
 * bigint, 0/1 booleans, ISO strings or Dates). `now` is what NOW() and TODAY() see.
 */
export function evaluateFormula(ast: FormulaAst, row: (field: string) => unknown, now: Date): unknown {
  return evaluate(ast, row, now);
}

function evaluate(n: FormulaAst, row: (field: string) => unknown, now: Date): unknown {
  const info = infoOf(n);
  switch (n.kind) {
    case 'number':
    case 'boolean':
      return n.value;
    case 'string':
      return info.instant ?? n.value;
    case 'field':
      return fieldValue(row(n.name), info.type);
    case 'unary':
    case 'binary':
    case 'call': {
      const def = definitionOf(n)!;
      const params = info.params!;
      const nodes = childrenOf(n);
      const args = nodes.map((c, i) => coerce(evaluate(c, row, now), infoOf(c).type, params[i]!));
      return def.evaluate(args, { params, returns: info.type, nodes, now });
    }
    default:
      return assertNever(n);
  }
}

function coerce(value: unknown, from: FormulaType, to: FormulaType): unknown {
  if (from === to || value === null) return value;
  return to === 'text' ? toText(value, from) : value;
}
