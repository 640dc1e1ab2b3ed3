import type { LogicalType } from '../catalog.js';
import { assertNever, childrenOf, type FormulaAst, type NodeOf, type Span } from './ast.js';
import { parseTemporal } from './dates.js';
import { FormulaError, shorten } from './errors.js';
import { isStringLiteral, type ArgInfo, type Fail } from './function.js';
import { definitionOf } from './functions/registry.js';
import { formulaTypeOf, isTemporal, recordInfo, type FormulaType } from './types.js';

/**
 * Type-checks a parsed formula against the source's fields and returns its result type. Every
 * node's type, and the type each argument is converted to, is recorded for the compilers and
 * the evaluator (see types.ts `infoOf`). Errors are FormulaErrors spanning the offending text.
 */
export function checkFormula(
  ast: FormulaAst,
  fieldType: (name: string) => LogicalType | undefined,
): FormulaType {
  return typeOf(ast, fieldType);
}

function typeOf(n: FormulaAst, fieldType: (name: string) => LogicalType | undefined): FormulaType {
  switch (n.kind) {
    case 'number':
      return record(n, 'number');
    case 'string':
      return record(n, 'text');
    case 'boolean':
      return record(n, 'boolean');
    case 'field':
      return typeField(n, fieldType);
    case 'unary':
    case 'binary':
    case 'call':
      return typeCall(n, fieldType);
    default:
      return assertNever(n);
  }
}

function record(n: FormulaAst, type: FormulaType): FormulaType {
  recordInfo(n, { type });
  return type;
}

function typeField(n: NodeOf<'field'>, fieldType: (name: string) => LogicalType | undefined): FormulaType {
  const logical = fieldType(n.name);
  if (logical === undefined) throw error(`unknown field {${shorten(n.name)}}`, n.span);
  const type = formulaTypeOf(logical);
  if (type === undefined)
    throw error(`field {${shorten(n.name)}} has type ${logical}, which formulas cannot use`, n.span);
  recordInfo(n, { type, logical });
  return type;
}

function typeCall(
  n: NodeOf<'unary' | 'binary' | 'call'>,
  fieldType: (name: string) => LogicalType | undefined,
): FormulaType {
  const def = definitionOf(n);
  if (def === undefined) {
    throw error(`unknown function ${n.kind === 'call' ? n.name : '?'}`, nameSpan(n));
  }
  const args = childrenOf(n);
  if (args.length < def.minArgs || args.length > def.maxArgs)
    throw error(arityMessage(def.name, def, args.length), n.span);
  const infos: ArgInfo[] = args.map((arg) => ({
    type: typeOf(arg, fieldType),
    node: arg,
    temporal: isStringLiteral(arg) ? parseTemporal(arg.value)?.type : undefined,
  }));
  const fail: Fail = (message, index) => {
    throw error(message, index === undefined ? n.span : args[index]!.span);
  };
  const signature = def.signature(infos, fail);
  args.forEach((arg, i) => {
    const to = signature.params[i]!;
    if (isStringLiteral(arg) && isTemporal(to)) {
      const parsed = parseTemporal(arg.value);
      if (parsed === undefined) fail(`expected a ${to}, got text`, i);
      recordInfo(arg, { type: parsed.type, instant: parsed.instant });
    }
  });
  recordInfo(n, { type: signature.returns, params: signature.params });
  return signature.returns;
}

function arityMessage(name: string, def: { minArgs: number; maxArgs: number }, got: number): string {
  const { minArgs: min, maxArgs: max } = def;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  const noun = expected.endsWith(' 1') || expected === '1' ? 'argument' : 'arguments';
  return `${name} expects ${expected} ${noun}, got ${got}`;
}

function nameSpan(n: FormulaAst): Span {
  return n.kind === 'call' ? { start: n.span.start, end: n.span.start + n.name.length } : n.span;
}

function error(message: string, span: Span): FormulaError {
  return new FormulaError(`${message} at ${span.start}`, span);
}
