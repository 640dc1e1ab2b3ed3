import {
  requireArgs,
  unify,
  variadic,
  type ArgInfo,
  type Fail,
  type FunctionDef,
  type Signature,
} from '../function.js';
import { bindAll } from '../mongo.expr.js';
import { isTrue, nullSafeEquals, typedNull } from '../sql.dialect.js';
import { sql, type Sql } from '../sql.fragment.js';
import type { FormulaType } from '../types.js';
import { sameValue } from '../values.js';
import { comparable, comparisonType } from './operators.functions.js';

/**
 * Conditions and logic. A blank condition counts as false, so AND, OR and NOT never return blank;
 * IF without an else branch, and SWITCH without a default, return blank.
 */
function ifSignature(args: readonly ArgInfo[], fail: Fail): Signature {
  const branches = args.slice(1);
  const type = unify(branches);
  const params = ['boolean' as const, ...branches.map(() => type)];
  requireArgs(args, params, fail);
  return { params, returns: type };
}

const IF: FunctionDef = {
  name: 'IF',
  minArgs: 2,
  maxArgs: 3,
  signature: ifSignature,
  sql: ([c, a, b], { dialect, returns }) =>
    sql`(CASE WHEN ${c!} THEN ${a!} ELSE ${b ?? typedNull(returns, dialect)} END)`,
  mongo: ([c, a, b]) => ({ $cond: [c, a, b ?? null] }),
  evaluate: ([c, a, b]) => (c === true ? a : (b ?? null)),
};

function logical(name: 'AND' | 'OR', join: Sql, all: boolean): FunctionDef {
  return {
    name,
    minArgs: 1,
    maxArgs: Infinity,
    signature: variadic('boolean', 'boolean'),
    sql: (args, { dialect }) =>
      sql`(${args.map((a) => isTrue(a, dialect)).reduce((acc, a, i) => (i === 0 ? a : sql`${acc}${join}${a}`), sql``)})`,
    mongo: (args) => ({ [name === 'AND' ? '$and' : '$or']: args }),
    evaluate: (args) => (all ? args.every((a) => a === true) : args.some((a) => a === true)),
  };
}

const NOT: FunctionDef = {
  name: 'NOT',
  minArgs: 1,
  maxArgs: 1,
  signature: variadic('boolean', 'boolean'),
  sql: ([a], { dialect }) => sql`(NOT ${isTrue(a!, dialect)})`,
  mongo: ([a]) => ({ $not: [a] }),
  evaluate: ([a]) => a !== true,
};

/** SWITCH(expr, pattern1, result1, ..., [default]): the result of the first pattern equal (null-safe) to expr. */
function switchSignature(args: readonly ArgInfo[], fail: Fail): Signature {
  const [subject, ...rest] = args;
  const patterns = rest.filter((_, i) => i % 2 === 0 && i + 1 < rest.length);
  let key: FormulaType = subject!.type;
  let keyInfo: ArgInfo = subject!;
  patterns.forEach((p, i) => {
    const t = comparisonType(keyInfo, p);
    if (t === undefined) fail(`cannot compare ${keyInfo.type} with ${p.type}`, 1 + i * 2);
    key = t;
    keyInfo = { ...keyInfo, type: t };
  });
  const results = rest.filter((_, i) => i % 2 === 1 || i + 1 === rest.length);
  const type = unify(results);
  const params = args.map((_, i) => (i === 0 || (i % 2 === 1 && i + 1 < args.length) ? key : type));
  requireArgs(args, params, fail);
  return { params, returns: type };
}

const SWITCH: FunctionDef = {
  name: 'SWITCH',
  minArgs: 3,
  maxArgs: Infinity,
  signature: switchSignature,
  sql: ([subject, ...rest], { dialect, params, returns }) => {
    const key = comparable(subject!, params[0]!, dialect);
    let cases = sql``;
    for (let i = 0; i + 1 < rest.length; i += 2) {
      const when = nullSafeEquals(key, comparable(rest[i]!, params[0]!, dialect), dialect);
      cases = sql`${cases} WHEN ${when} THEN ${rest[i + 1]!}`;
    }
    const otherwise = rest.length % 2 === 1 ? rest[rest.length - 1]! : typedNull(returns, dialect);
    return sql`(CASE${cases} ELSE ${otherwise} END)`;
  },
  mongo: ([subject, ...rest]) =>
    bindAll([subject], ([key]) => {
      const branches = [];
      for (let i = 0; i + 1 < rest.length; i += 2)
        branches.push({ case: { $eq: [key, rest[i]] }, then: rest[i + 1] });
      return { $switch: { branches, default: rest.length % 2 === 1 ? rest[rest.length - 1] : null } };
    }),
  evaluate: ([subject, ...rest], { params }) => {
    for (let i = 0; i + 1 < rest.length; i += 2)
      if (sameValue(subject, rest[i], params[0]!)) return rest[i + 1];
    return rest.length % 2 === 1 ? rest[rest.length - 1] : null;
  },
};

const BLANK: FunctionDef = {
  name: 'BLANK',
  minArgs: 0,
  maxArgs: 0,
  signature: () => ({ params: [], returns: 'null' }),
  sql: () => sql`NULL`,
  mongo: () => null,
  evaluate: () => null,
};

export const LOGIC_FUNCTIONS: readonly FunctionDef[] = [
  IF,
  logical('AND', sql` AND `, true),
  logical('OR', sql` OR `, false),
  NOT,
  SWITCH,
  BLANK,
];
