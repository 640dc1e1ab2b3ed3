import { expect } from 'chai';
import type { LogicalType } from '../../../../dataplane/src/query/catalog.js';
import {
  checkFormula,
  FormulaError,
  parseFormula,
  type FormulaAst,
} from '../../../../dataplane/src/query/formula/index.js';

/** The fields the unit tests' formulas may reference. */
export const FIELDS: Record<string, LogicalType> = {
  amount: 'number',
  qty: 'integer',
  name: 'text',
  'Full name': 'text',
  id: 'uuid',
  due: 'date',
  at: 'datetime',
  done: 'boolean',
  meta: 'json',
  blob: 'binary',
};

export const fieldType = (name: string): LogicalType | undefined => FIELDS[name];

/** Parses and checks; returns the tree. */
export function checked(text: string): FormulaAst {
  const ast = parseFormula(text);
  checkFormula(ast, fieldType);
  return ast;
}

/** A span-free S-expression of a tree, for compact assertions on structure. */
export function sexpr(ast: FormulaAst): string {
  switch (ast.kind) {
    case 'number':
      return String(ast.value);
    case 'string':
      return JSON.stringify(ast.value);
    case 'boolean':
      return ast.value ? 'TRUE' : 'FALSE';
    case 'field':
      return `{${ast.name}}`;
    case 'unary':
      return `(neg ${sexpr(ast.operand)})`;
    case 'binary':
      return `(${ast.op} ${sexpr(ast.left)} ${sexpr(ast.right)})`;
    case 'call':
      return `(${[ast.name, ...ast.args.map(sexpr)].join(' ')})`;
  }
}

/** Runs `fn`, which must throw a FormulaError, and returns it. */
export function formulaError(fn: () => unknown): FormulaError {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(FormulaError);
    return error as FormulaError;
  }
  throw new Error('expected a FormulaError');
}

/** The text a FormulaError's span covers. */
export function spanned(text: string, error: FormulaError): string {
  return text.slice(error.span.start, error.span.end);
}
