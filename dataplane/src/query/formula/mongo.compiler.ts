import { assertNever, childrenOf, type FormulaAst } from './ast.js';
import type { MongoExpr } from './function.js';
import { definitionOf } from './functions/registry.js';
import { text } from './mongo.expr.js';
import { infoOf, type FormulaType } from './types.js';

/**
 * Compiles a checked formula to a MongoDB aggregation expression (for $addFields/$project), or
 * null when some function has no faithful MongoDB form; the caller then evaluates the formula
 * in process with evaluateFormula. `ref(field)` returns the field path ('$amount').
 */
export function compileFormulaToMongo(ast: FormulaAst, ref: (field: string) => string): object | null {
  const out = compile(ast, ref);
  if (out === UNSUPPORTED) return null;
  // A bare literal or path is wrapped so the result is always an expression object.
  return typeof out === 'object' && out !== null && !(out instanceof Date) ? out : { $literal: out };
}

const UNSUPPORTED = Symbol('unsupported');

function compile(n: FormulaAst, ref: (field: string) => string): MongoExpr | typeof UNSUPPORTED {
  const info = infoOf(n);
  switch (n.kind) {
    case 'number':
    case 'boolean':
      return n.value;
    case 'string':
      return info.instant ?? text(n.value);
    case 'field':
      return { $ifNull: [ref(n.name), null] };
    case 'unary':
    case 'binary':
    case 'call': {
      const def = definitionOf(n)!;
      if (def.mongo === undefined) return UNSUPPORTED;
      const params = info.params!;
      const nodes = childrenOf(n);
      const args: MongoExpr[] = [];
      for (const [i, c] of nodes.entries()) {
        const arg = compile(c, ref);
        if (arg === UNSUPPORTED) return UNSUPPORTED;
        args.push(coerce(arg, infoOf(c).type, params[i]!));
      }
      return def.mongo(args, { params, returns: info.type, nodes });
    }
    default:
      return assertNever(n);
  }
}

/** The conversions `accepts` allows, as MongoDB expressions. */
function coerce(x: MongoExpr, from: FormulaType, to: FormulaType): MongoExpr {
  if (from === to || from === 'null' || to !== 'text') return x;
  switch (from) {
    case 'number':
      return { $toString: { $add: [x, 0] } };
    case 'boolean':
      return { $toString: x };
    case 'date':
      return { $dateToString: { date: x, format: '%Y-%m-%d' } };
    case 'datetime':
      return { $dateToString: { date: x, format: '%Y-%m-%dT%H:%M:%S.%LZ' } };
    default:
      throw new Error(`no conversion from ${from} to ${to}`);
  }
}
