import { fixed, type FunctionDef } from '../function.js';
import { bindAll, cond, strictMongo, trunc } from '../mongo.expr.js';
import { sql, type Sql, type SqlDialect } from '../sql.fragment.js';
import { finite } from '../values.js';

/**
 * Number functions over IEEE-754 doubles. Blank in, blank out; results that are not real
 * numbers (SQRT(-1), POWER(-8, 0.5), POWER(0, -1), MOD(x, 0)) are blank.
 */
const NUMBER_1 = fixed(['number'], 'number');
const NUMBER_2 = fixed(['number', 'number'], 'number');

/**
 * ROUND(x, [digits]): halves round away from zero (ROUND(2.5) = 3, ROUND(-2.5) = -3), computed as
 * sign(x) * floor(|x| * 10^digits + 0.5) / 10^digits in doubles by every target, so
 * ROUND(1.005, 2) is 1 (1.005 is stored as 1.00499999...). Digits are truncated; negative
 * digits round to tens, hundreds, ...
 */
function roundSql(x: Sql, digits: Sql | undefined, d: SqlDialect): Sql {
  const pow = d === 'postgres' ? (e: Sql) => sql`power(10, ${e})` : (e: Sql) => sql`POW(10, ${e})`;
  const trunc = d === 'postgres' ? (e: Sql) => sql`trunc(${e})` : (e: Sql) => sql`TRUNCATE(${e}, 0)`;
  if (digits === undefined) return sql`(SIGN(${x}) * FLOOR(ABS(${x}) + 0.5))`;
  const t = trunc(digits);
  const up = sql`SIGN(${x}) * FLOOR(ABS(${x}) * ${pow(t)} + 0.5) / ${pow(t)}`;
  const down = sql`SIGN(${x}) * FLOOR(ABS(${x}) / ${pow(sql`(-${t})`)} + 0.5) * ${pow(sql`(-${t})`)}`;
  return sql`(CASE WHEN ${t} >= 0 THEN ${up} ELSE ${down} END)`;
}

export function roundHalfAway(x: number, digits = 0): number {
  const t = Math.trunc(digits);
  const sign = Math.sign(x);
  if (t >= 0) {
    const p = Math.pow(10, t);
    return (sign * Math.floor(Math.abs(x) * p + 0.5)) / p;
  }
  const p = Math.pow(10, -t);
  return sign * Math.floor(Math.abs(x) / p + 0.5) * p;
}

const ROUND: FunctionDef = {
  name: 'ROUND',
  minArgs: 1,
  maxArgs: 2,
  signature: fixed(['number', 'number'], 'number'),
  sql: ([x, digits], { dialect }) => roundSql(x!, digits, dialect),
  mongo: (args) =>
    strictMongo(args, ([x, digits]) =>
      bindAll(
        [trunc(digits ?? 0), cond({ $lt: [x, 0] }, -1, 1), { $abs: x }],
        ([t, sign, abs]) =>
          cond(
            { $gte: [t, 0] },
            bindAll(
              [{ $pow: [10, t] }],
              ([p]) => ({
                $multiply: [sign, { $divide: [{ $floor: { $add: [{ $multiply: [abs, p] }, 0.5] } }, p] }],
              }),
              'p',
            ),
            bindAll(
              [{ $pow: [10, { $subtract: [0, t] }] }],
              ([p]) => ({ $multiply: [sign, { $floor: { $add: [{ $divide: [abs, p] }, 0.5] } }, p] }),
              'p',
            ),
          ),
        'r',
      ),
    ),
  evaluate: ([x, digits]) =>
    x === null || digits === null
      ? null
      : finite(roundHalfAway(x as number, (digits as number | undefined) ?? 0)),
};

function unary(
  name: string,
  pg: (x: Sql) => Sql,
  my: (x: Sql) => Sql,
  mongoOp: string,
  fn: (x: number) => number,
) {
  const def: FunctionDef = {
    name,
    minArgs: 1,
    maxArgs: 1,
    signature: NUMBER_1,
    sql: ([x], { dialect }) => (dialect === 'postgres' ? pg(x!) : my(x!)),
    mongo: (args) => strictMongo(args, ([x]) => ({ [mongoOp]: x })),
    evaluate: ([x]) => (x === null ? null : fn(x as number)),
  };
  return def;
}

/** MOD(a, b): the remainder of a / b truncated toward zero, so it has the sign of a (MOD(-7, 3) = -1). */
const MOD: FunctionDef = {
  name: 'MOD',
  minArgs: 2,
  maxArgs: 2,
  signature: NUMBER_2,
  sql: ([a, b], { dialect }) =>
    dialect === 'postgres'
      ? sql`(${a!} - ${b!} * trunc(${a!} / NULLIF(${b!}, 0)))`
      : sql`MOD(${a!}, NULLIF(${b!}, 0))`,
  mongo: (args) => strictMongo(args, ([a, b]) => cond({ $eq: [b, 0] }, null, { $mod: [a, b] })),
  evaluate: ([a, b]) => (a === null || b === null || b === 0 ? null : (a as number) % (b as number)),
};

const POWER: FunctionDef = {
  name: 'POWER',
  minArgs: 2,
  maxArgs: 2,
  signature: NUMBER_2,
  sql: ([a, b], { dialect }) => {
    const trunc = dialect === 'postgres' ? sql`trunc(${b!})` : sql`TRUNCATE(${b!}, 0)`;
    const pow = dialect === 'postgres' ? sql`power(${a!}, ${b!})` : sql`POW(${a!}, ${b!})`;
    return sql`(CASE WHEN (${a!} < 0 AND ${b!} <> ${trunc}) OR (${a!} = 0 AND ${b!} < 0) THEN NULL ELSE ${pow} END)`;
  },
  mongo: (args) =>
    strictMongo(args, ([a, b]) =>
      cond(
        {
          $or: [
            { $and: [{ $lt: [a, 0] }, { $ne: [b, trunc(b)] }] },
            { $and: [{ $eq: [a, 0] }, { $lt: [b, 0] }] },
          ],
        },
        null,
        { $pow: [a, b] },
      ),
    ),
  evaluate: ([a, b]) => (a === null || b === null ? null : finite(Math.pow(a as number, b as number))),
};

const SQRT: FunctionDef = {
  name: 'SQRT',
  minArgs: 1,
  maxArgs: 1,
  signature: NUMBER_1,
  sql: ([x], { dialect }) =>
    dialect === 'postgres' ? sql`(CASE WHEN ${x!} < 0 THEN NULL ELSE sqrt(${x!}) END)` : sql`SQRT(${x!})`,
  mongo: (args) => strictMongo(args, ([x]) => cond({ $lt: [x, 0] }, null, { $sqrt: x })),
  evaluate: ([x]) => (x === null || (x as number) < 0 ? null : Math.sqrt(x as number)),
};

export const NUMBER_FUNCTIONS: readonly FunctionDef[] = [
  ROUND,
  unary(
    'ABS',
    (x) => sql`abs(${x})`,
    (x) => sql`ABS(${x})`,
    '$abs',
    Math.abs,
  ),
  unary(
    'CEILING',
    (x) => sql`ceil(${x})`,
    (x) => sql`CEILING(${x})`,
    '$ceil',
    Math.ceil,
  ),
  unary(
    'FLOOR',
    (x) => sql`floor(${x})`,
    (x) => sql`FLOOR(${x})`,
    '$floor',
    Math.floor,
  ),
  MOD,
  POWER,
  SQRT,
];
