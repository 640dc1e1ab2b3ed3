import type { MongoExpr } from './function.js';

/**
 * Building blocks for MongoDB aggregation expressions. Text is always wrapped in $literal so a
 * value starting with '$' is never read as a field path. `$let` binds operands that an expression
 * uses more than once; compiled operands are closed expressions, so fixed variable names are safe.
 */
export function text(value: string): MongoExpr {
  return { $literal: value };
}

export function isNull(x: MongoExpr): MongoExpr {
  return { $eq: [x, null] };
}

export function cond(test: MongoExpr, then: MongoExpr, otherwise: MongoExpr): MongoExpr {
  return { $cond: [test, then, otherwise] };
}

/**
 * Binds operands to $$v0, $$v1, ... for `body`. A body that binds again must pick another
 * `prefix`, or the inner names would shadow the outer ones it still uses.
 */
export function bindAll(
  operands: readonly MongoExpr[],
  body: (vars: string[]) => MongoExpr,
  prefix = 'v',
): MongoExpr {
  if (operands.length === 0) return body([]);
  const vars: Record<string, MongoExpr> = {};
  operands.forEach((o, i) => (vars[`${prefix}${i}`] = o));
  return { $let: { vars, in: body(operands.map((_, i) => `$$${prefix}${i}`)) } };
}

/** Null propagation: blank if any operand is blank, else `body` over the bound operands. */
export function strictMongo(
  operands: readonly MongoExpr[],
  body: (vars: string[]) => MongoExpr,
  prefix = 'v',
): MongoExpr {
  return bindAll(operands, (vars) => cond({ $or: vars.map(isNull) }, null, body(vars)), prefix);
}

/** Truncation toward zero ($trunc in its [number, place] form, which every engine accepts). */
export function trunc(x: MongoExpr): MongoExpr {
  return { $trunc: [x, 0] };
}
