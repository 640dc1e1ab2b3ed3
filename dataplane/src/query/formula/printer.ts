import { assertNever, type BinaryOp, type FormulaAst } from './ast.js';

/**
 * Formula text for a tree, with the fewest parentheses the grammar needs:
 * parseFormula(printFormula(ast)) gives back the same tree (spans aside).
 */
const PRECEDENCE: Record<BinaryOp, number> = {
  '=': 1,
  '!=': 1,
  '<': 1,
  '<=': 1,
  '>': 1,
  '>=': 1,
  '&': 2,
  '+': 3,
  '-': 3,
  '*': 4,
  '/': 4,
};

export function printFormula(ast: FormulaAst): string {
  switch (ast.kind) {
    case 'number':
      return ast.value < 0 || Object.is(ast.value, -0) ? `(-${String(-ast.value)})` : String(ast.value);
    case 'string':
      return `"${ast.value.replace(/[\\"\n\r\t]/g, (c) => STRING_ESCAPES[c]!)}"`;
    case 'boolean':
      return ast.value ? 'TRUE' : 'FALSE';
    case 'field':
      return `{${ast.name.replace(/[\\{}]/g, (c) => `\\${c}`)}}`;
    case 'unary': {
      const operand = printFormula(ast.operand);
      return ast.operand.kind === 'binary' ? `-(${operand})` : `-${operand}`;
    }
    case 'binary': {
      const level = PRECEDENCE[ast.op];
      const left = wrap(ast.left, (p) => p < level);
      const right = wrap(ast.right, (p) => p <= level);
      return `${left} ${ast.op} ${right}`;
    }
    case 'call':
      return `${ast.name}(${ast.args.map(printFormula).join(', ')})`;
    default:
      return assertNever(ast);
  }
}

const STRING_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function wrap(child: FormulaAst, needsParens: (precedence: number) => boolean): string {
  const text = printFormula(child);
  return child.kind === 'binary' && needsParens(PRECEDENCE[child.op]) ? `(${text})` : text;
}
