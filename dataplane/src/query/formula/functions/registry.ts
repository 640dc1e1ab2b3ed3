import { assertNever, type FormulaAst } from '../ast.js';
import type { FunctionDef } from '../function.js';
import { AGGREGATE_FUNCTIONS } from './aggregate.functions.js';
import { DATE_FUNCTIONS } from './date.functions.js';
import { DATE_MATH_FUNCTIONS } from './date-math.functions.js';
import { LOGIC_FUNCTIONS } from './logic.functions.js';
import { NUMBER_FUNCTIONS } from './number.functions.js';
import { negate, OPERATORS } from './operators.functions.js';
import { TEXT_FUNCTIONS } from './text.functions.js';

/** Every function of the language by (upper-case) name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(
  [
    ...LOGIC_FUNCTIONS,
    ...TEXT_FUNCTIONS,
    ...NUMBER_FUNCTIONS,
    ...DATE_FUNCTIONS,
    ...DATE_MATH_FUNCTIONS,
    ...AGGREGATE_FUNCTIONS,
  ].map((f) => [f.name, f]),
);

/** The definition behind an operator or call node (undefined for an unknown function name). */
export function definitionOf(n: FormulaAst): FunctionDef | undefined {
  switch (n.kind) {
    case 'unary':
      return negate;
    case 'binary':
      return OPERATORS[n.op];
    case 'call':
      return FUNCTIONS.get(n.name);
    case 'number':
    case 'string':
    case 'boolean':
    case 'field':
      return undefined;
    default:
      return assertNever(n);
  }
}
