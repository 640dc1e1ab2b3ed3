import {
  isStringLiteral,
  literalText,
  requireArgs,
  type ArgInfo,
  type CallContext,
  type Fail,
  type FunctionDef,
} from '../function.js';
import { addMonths, monthsBetween, parseDateUnit, UNIT_MS, UNITS, type DateUnit } from '../dates.js';
import { bindAll, cond, strictMongo, trunc } from '../mongo.expr.js';
import { castDouble, utcWallClock } from '../sql.dialect.js';
import { constant, sql, type Sql, type SqlDialect } from '../sql.fragment.js';

/**
 * Date arithmetic in UTC with a unit given as a text literal: seconds, minutes, hours, days,
 * weeks, months, years (singular or plural, any case). Amounts are truncated toward zero.
 */
function unitOf(args: readonly ArgInfo[], index: number, fail: Fail): DateUnit {
  const n = args[index]!.node;
  const unit = isStringLiteral(n) ? parseDateUnit(n.value) : undefined;
  if (unit === undefined)
    fail(`the unit must be a text literal, one of ${UNITS.map((u) => `'${u}s'`).join(', ')}`, index);
  return unit;
}

const DATE_UNITS: readonly DateUnit[] = ['day', 'week', 'month', 'year'];
const MONTHS_PER: Partial<Record<DateUnit, number>> = { month: 1, year: 12 };

function unitFromCtx(ctx: CallContext, index: number): DateUnit {
  return parseDateUnit(literalText(ctx, index))!;
}

/** MySQL interval unit keywords (compiler constants). */
const MYSQL_UNIT: Record<DateUnit, Sql> = {
  second: sql`SECOND`,
  minute: sql`MINUTE`,
  hour: sql`HOUR`,
  day: sql`DAY`,
  week: sql`WEEK`,
  month: sql`MONTH`,
  year: sql`YEAR`,
};

/** A Postgres interval of `n` (already truncated) units. */
function pgInterval(unit: DateUnit, n: Sql): Sql {
  const int = sql`CAST(${n} AS integer)`;
  switch (unit) {
    case 'second':
      return sql`make_interval(secs => ${n})`;
    case 'minute':
      return sql`make_interval(mins => ${int})`;
    case 'hour':
      return sql`make_interval(hours => ${int})`;
    case 'day':
      return sql`make_interval(days => ${int})`;
    case 'week':
      return sql`make_interval(weeks => ${int})`;
    case 'month':
      return sql`make_interval(months => ${int})`;
    case 'year':
      return sql`make_interval(years => ${int})`;
  }
}

function dateAddSql(x: Sql, n: Sql, unit: DateUnit, dateOnly: boolean, d: SqlDialect): Sql {
  if (d === 'mysql') return sql`DATE_ADD(${x}, INTERVAL TRUNCATE(${n}, 0) ${MYSQL_UNIT[unit]})`;
  const t = sql`trunc(${n})`;
  if (dateOnly && (unit === 'day' || unit === 'week')) {
    return sql`(${x} + CAST(${t} * ${constant(unit === 'week' ? 7 : 1)} AS integer))`;
  }
  if (dateOnly) return sql`CAST(${x} + ${pgInterval(unit, t)} AS date)`;
  return sql`timezone('UTC', ${utcWallClock(x, d)} + ${pgInterval(unit, t)})`;
}

/** Adds k months in MongoDB, clamping the day to the target month's length like the other targets. */
function mongoAddMonths(x: unknown, k: unknown): unknown {
  const total = { $add: [{ $multiply: [{ $year: x }, 12] }, { $subtract: [{ $month: x }, 1] }, k] };
  return bindAll(
    [total],
    ([t]) =>
      bindAll(
        [{ $floor: { $divide: [t, 12] } }],
        ([y]) =>
          bindAll(
            [{ $add: [{ $subtract: [t, { $multiply: [y, 12] }] }, 1] }],
            ([m]) => ({
              $dateFromParts: {
                year: y,
                month: m,
                day: { $min: [{ $dayOfMonth: x }, mongoDaysInMonth(y!, m!)] },
                hour: { $hour: x },
                minute: { $minute: x },
                second: { $second: x },
                millisecond: { $millisecond: x },
              },
            }),
            'm',
          ),
        'y',
      ),
    't',
  );
}

function mongoDaysInMonth(y: string, m: string): unknown {
  const divisible = (n: number) => ({ $eq: [{ $mod: [y, n] }, 0] });
  const leap = { $or: [{ $and: [divisible(4), { $not: [divisible(100)] }] }, divisible(400)] };
  const lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return cond({ $eq: [m, 2] }, cond(leap, 29, 28), { $arrayElemAt: [lengths, { $subtract: [m, 1] }] });
}

/**
 * DATEADD(date, n, unit). A date plus days, weeks, months or years stays a date; anything plus
 * hours, minutes or seconds is a datetime. A day past the end of the month is clamped (Jan 31 +
 * 1 month = Feb 28/29).
 */
const DATEADD: FunctionDef = {
  name: 'DATEADD',
  minArgs: 3,
  maxArgs: 3,
  signature: (args, fail) => {
    const unit = unitOf(args, 2, fail);
    const first = args[0]!;
    const isDate = first.type === 'date' || (first.type === 'text' && first.temporal === 'date');
    const type = isDate && DATE_UNITS.includes(unit) ? 'date' : 'datetime';
    const params = [type, 'number', 'text'] as const;
    requireArgs(args, params, fail);
    return { params, returns: type };
  },
  sql: ([x, n], ctx) => dateAddSql(x!, n!, unitFromCtx(ctx, 2), ctx.returns === 'date', ctx.dialect),
  mongo: ([x, n], ctx) => {
    const unit = unitFromCtx(ctx, 2);
    const months = MONTHS_PER[unit];
    return strictMongo([x, n], ([date, amount]) =>
      months === undefined
        ? { $add: [date, { $multiply: [trunc(amount), UNIT_MS[unit]!] }] }
        : mongoAddMonths(date, { $multiply: [trunc(amount), months] }),
    );
  },
  evaluate: ([x, n], ctx) => {
    if (x === null || n === null) return null;
    const unit = unitFromCtx(ctx, 2);
    const amount = Math.trunc(n as number);
    const months = MONTHS_PER[unit];
    return months === undefined
      ? new Date((x as Date).getTime() + amount * UNIT_MS[unit]!)
      : addMonths(x as Date, amount * months);
  },
};

function diffSql(a: Sql, b: Sql, unit: DateUnit, d: SqlDialect): Sql {
  const ms = UNIT_MS[unit];
  if (d === 'mysql') {
    if (ms !== undefined) {
      return castDouble(sql`TRUNCATE(TIMESTAMPDIFF(MICROSECOND, ${b}, ${a}) / ${constant(ms * 1000)}, 0)`, d);
    }
    return castDouble(sql`TIMESTAMPDIFF(${MYSQL_UNIT[unit]}, ${b}, ${a})`, d);
  }
  if (ms !== undefined) {
    return castDouble(
      sql`trunc((EXTRACT(EPOCH FROM ${a}) - EXTRACT(EPOCH FROM ${b})) * 1000 / ${constant(ms)})`,
      d,
    );
  }
  const ua = utcWallClock(a, d);
  const ub = utcWallClock(b, d);
  const index = (u: Sql) => sql`(EXTRACT(YEAR FROM ${u}) * 12 + EXTRACT(MONTH FROM ${u}))`;
  const into = (u: Sql) => sql`EXTRACT(EPOCH FROM (${u} - date_trunc('month', ${u})))`;
  const m = sql`(${index(ua)} - ${index(ub)})`;
  const months = sql`(CASE WHEN ${m} > 0 AND ${into(ua)} < ${into(ub)} THEN ${m} - 1 WHEN ${m} < 0 AND ${into(ua)} > ${into(ub)} THEN ${m} + 1 ELSE ${m} END)`;
  return castDouble(unit === 'year' ? sql`trunc(${months} / 12)` : months, d);
}

function mongoMonthsBetween(a: string, b: string): unknown {
  const index = (x: string) => ({ $add: [{ $multiply: [{ $year: x }, 12] }, { $month: x }] });
  const into = (x: string) => ({
    $subtract: [x, { $dateFromParts: { year: { $year: x }, month: { $month: x }, day: 1 } }],
  });
  return bindAll(
    [{ $subtract: [index(a), index(b)] }, into(a), into(b)],
    ([m, ra, rb]) => ({
      $switch: {
        branches: [
          { case: { $and: [{ $gt: [m, 0] }, { $lt: [ra, rb] }] }, then: { $subtract: [m, 1] } },
          { case: { $and: [{ $lt: [m, 0] }, { $gt: [ra, rb] }] }, then: { $add: [m, 1] } },
        ],
        default: m,
      },
    }),
    'd',
  );
}

/**
 * DATETIME_DIFF(a, b, unit): a − b in whole units, truncated toward zero. Seconds to weeks divide
 * the elapsed time; months and years count complete calendar months (Jan 31 → Feb 29 is 0 months).
 */
const DATETIME_DIFF: FunctionDef = {
  name: 'DATETIME_DIFF',
  minArgs: 3,
  maxArgs: 3,
  signature: (args, fail) => {
    unitOf(args, 2, fail);
    const params = ['datetime', 'datetime', 'text'] as const;
    requireArgs(args, params, fail);
    return { params, returns: 'number' };
  },
  sql: ([a, b], ctx) => diffSql(a!, b!, unitFromCtx(ctx, 2), ctx.dialect),
  mongo: ([a, b], ctx) => {
    const unit = unitFromCtx(ctx, 2);
    const ms = UNIT_MS[unit];
    return strictMongo([a, b], ([x, y]) => {
      if (ms !== undefined) return trunc({ $divide: [{ $subtract: [x, y] }, ms] });
      const months = mongoMonthsBetween(x!, y!);
      return unit === 'year' ? trunc({ $divide: [months, 12] }) : months;
    });
  },
  evaluate: ([a, b], ctx) => {
    if (a === null || b === null) return null;
    const unit = unitFromCtx(ctx, 2);
    const ms = UNIT_MS[unit];
    if (ms !== undefined) return Math.trunc(((a as Date).getTime() - (b as Date).getTime()) / ms);
    const months = monthsBetween(a as Date, b as Date);
    return unit === 'year' ? Math.trunc(months / 12) : months;
  },
};

export const DATE_MATH_FUNCTIONS: readonly FunctionDef[] = [DATEADD, DATETIME_DIFF];
