import type { BinaryOp } from '../ast.js';
import { fixed, type ArgInfo, type Fail, type FunctionDef, type Signature } from '../function.js';
import { cond, strictMongo, text } from '../mongo.expr.js';
import { binaryText, nullSafeEquals } from '../sql.dialect.js';
import { sql, type Sql, type SqlDialect } from '../sql.fragment.js';
import { isTemporal, type FormulaType } from '../types.js';
import { compareValues, finite, sameValue } from '../values.js';

/**
 * Operators: arithmetic on numbers (blank in, blank out; x / 0 is blank), `&` joining text
 * (blank counts as ''), and comparisons (`=`/`!=` null-safe, ordering blank if either side is).
 */
const NUMBERS = fixed(['number', 'number'], 'number');

function arithmetic(op: Sql, mongoOp: string, fn: (a: number, b: number) => number): FunctionDef {
  return {
    name: op.text,
    minArgs: 2,
    maxArgs: 2,
    signature: NUMBERS,
    sql: ([a, b]) => sql`(${a!} ${op} ${b!})`,
    mongo: (args) => ({ [mongoOp]: args }),
    evaluate: ([a, b]) => (a === null || b === null ? null : finite(fn(a as number, b as number))),
  };
}

const divide: FunctionDef = {
  name: '/',
  minArgs: 2,
  maxArgs: 2,
  signature: NUMBERS,
  sql: ([a, b]) => sql`(${a!} / NULLIF(${b!}, 0))`,
  mongo: (args) => strictMongo(args, ([a, b]) => cond({ $eq: [b, 0] }, null, { $divide: [a, b] })),
  evaluate: ([a, b]) => (a === null || b === null || b === 0 ? null : finite((a as number) / (b as number))),
};

const concat: FunctionDef = {
  name: '&',
  minArgs: 2,
  maxArgs: 2,
  signature: fixed(['text', 'text'], 'text'),
  sql: (args, { dialect }) => concatSql(args, dialect),
  mongo: (args) => ({ $concat: args.map((a) => ({ $ifNull: [a, text('')] })) }),
  evaluate: (args) => args.map((a) => a ?? '').join(''),
};

/** Joins text with blanks as '' (Postgres concat() skips NULLs; MySQL CONCAT_WS does). */
export function concatSql(args: readonly Sql[], d: SqlDialect): Sql {
  const list = args.reduce((acc, a, i) => (i === 0 ? a : sql`${acc}, ${a}`), sql``);
  return d === 'postgres' ? sql`concat(${list})` : sql`CONCAT_WS('', ${list})`;
}

export const negate: FunctionDef = {
  name: '-',
  minArgs: 1,
  maxArgs: 1,
  signature: fixed(['number'], 'number'),
  sql: ([a]) => sql`(-${a!})`,
  mongo: ([a]) => ({ $subtract: [0, a] }),
  evaluate: ([a]) => (a === null ? null : -(a as number)),
};

/**
 * The type both sides of a comparison are converted to: their shared type; datetime for a date
 * against a date-time; the other side's type against BLANK() or against a date literal ('2024-01-31').
 */
export function comparisonType(a: ArgInfo, b: ArgInfo): FormulaType | undefined {
  if (a.type === b.type) return a.type;
  if (a.type === 'null') return b.type;
  if (b.type === 'null') return a.type;
  const ta = isTemporal(a.type) ? a.type : a.temporal;
  const tb = isTemporal(b.type) ? b.type : b.temporal;
  if (ta === undefined || tb === undefined || (!isTemporal(a.type) && !isTemporal(b.type))) return undefined;
  return ta === 'datetime' || tb === 'datetime' ? 'datetime' : 'date';
}

function comparisonSignature(args: readonly ArgInfo[], fail: Fail): Signature {
  const type = comparisonType(args[0]!, args[1]!);
  if (type === undefined) fail(`cannot compare ${args[0]!.type} with ${args[1]!.type}`);
  return { params: [type, type], returns: 'boolean' };
}

/** SQL operands of a comparison; text compares in binary (code point) order. */
export function comparable(x: Sql, type: FormulaType, d: SqlDialect): Sql {
  return type === 'text' ? binaryText(x, d) : x;
}

function comparison(op: '=' | '!=' | '<' | '<=' | '>' | '>=', test: (order: number) => boolean): FunctionDef {
  const ordering = op !== '=' && op !== '!=';
  const mongoOp = { '=': '$eq', '!=': '$ne', '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte' }[op];
  const sqlOp = { '=': sql`=`, '!=': sql`!=`, '<': sql`<`, '<=': sql`<=`, '>': sql`>`, '>=': sql`>=` }[op];
  return {
    name: op,
    minArgs: 2,
    maxArgs: 2,
    signature: comparisonSignature,
    sql: (args, { dialect, params }) => {
      const [a, b] = args.map((x) => comparable(x, params[0]!, dialect));
      if (op === '=') return nullSafeEquals(a!, b!, dialect);
      if (op === '!=') return sql`(NOT ${nullSafeEquals(a!, b!, dialect)})`;
      return sql`(${a!} ${sqlOp} ${b!})`;
    },
    mongo: (args) => (ordering ? strictMongo(args, (vars) => ({ [mongoOp]: vars })) : { [mongoOp]: args }),
    evaluate: ([a, b], { params }) => {
      if (!ordering) return sameValue(a, b, params[0]!) === (op === '=');
      return a === null || b === null ? null : test(compareValues(a, b, params[0]!));
    },
  };
}

export const OPERATORS: Record<BinaryOp, FunctionDef> = {
  '+': arithmetic(sql`+`, '$add', (a, b) => a + b),
  '-': arithmetic(sql`-`, '$subtract', (a, b) => a - b),
  '*': arithmetic(sql`*`, '$multiply', (a, b) => a * b),
  '/': divide,
  '&': concat,
  '=': comparison('=', (o) => o === 0),
  '!=': comparison('!=', (o) => o !== 0),
  '<': comparison('<', (o) => o < 0),
  '<=': comparison('<=', (o) => o <= 0),
  '>': comparison('>', (o) => o > 0),
  '>=': comparison('>=', (o) => o >= 0),
};
