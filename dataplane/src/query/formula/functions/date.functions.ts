import { assertNever } from '../ast.js';
import { fixed, isStringLiteral, literalText, requireArgs, type FunctionDef } from '../function.js';
import { DEFAULT_FORMAT, formatToken, parseDateFormat, startOfUtcDay, type FormatToken } from '../dates.js';
import { strictMongo, text } from '../mongo.expr.js';
import { castDouble, literal, utcWallClock } from '../sql.dialect.js';
import { sql, type Sql, type SqlDialect } from '../sql.fragment.js';
import { concatSql } from './operators.functions.js';

/**
 * Current time and calendar parts. Everything is UTC: TODAY() is the current UTC date and
 * YEAR/MONTH/DAY read the UTC calendar. NOW() is the source's clock in SQL and MongoDB and the
 * `now` argument in process.
 */
const NOW: FunctionDef = {
  name: 'NOW',
  minArgs: 0,
  maxArgs: 0,
  signature: () => ({ params: [], returns: 'datetime' }),
  sql: (_, { dialect }) =>
    dialect === 'postgres' ? sql`date_trunc('milliseconds', CURRENT_TIMESTAMP)` : sql`UTC_TIMESTAMP(3)`,
  mongo: () => ({ $toDate: '$$NOW' }),
  evaluate: (_, { now }) => now,
};

const TODAY: FunctionDef = {
  name: 'TODAY',
  minArgs: 0,
  maxArgs: 0,
  signature: () => ({ params: [], returns: 'date' }),
  sql: (_, { dialect }) =>
    dialect === 'postgres' ? sql`CAST(timezone('UTC', CURRENT_TIMESTAMP) AS date)` : sql`UTC_DATE()`,
  mongo: () => ({ $dateTrunc: { date: '$$NOW', unit: 'day' } }),
  evaluate: (_, { now }) => startOfUtcDay(now),
};

function part(name: 'YEAR' | 'MONTH' | 'DAY'): FunctionDef {
  const pg = { YEAR: sql`YEAR`, MONTH: sql`MONTH`, DAY: sql`DAY` }[name];
  const mongoOp = { YEAR: '$year', MONTH: '$month', DAY: '$dayOfMonth' }[name];
  const read = {
    YEAR: (d: Date) => d.getUTCFullYear(),
    MONTH: (d: Date) => d.getUTCMonth() + 1,
    DAY: (d: Date) => d.getUTCDate(),
  }[name];
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    signature: fixed(['datetime'], 'number'),
    sql: ([x], { dialect: d }) =>
      castDouble(d === 'postgres' ? sql`EXTRACT(${pg} FROM ${utcWallClock(x!, d)})` : sql`${pg}(${x!})`, d),
    mongo: (args) => strictMongo(args, ([x]) => ({ [mongoOp]: x })),
    evaluate: ([x]) => (x === null ? null : read(x as Date)),
  };
}

function tokenSql(x: Sql, token: FormatToken, d: SqlDialect): Sql {
  if (d === 'postgres') {
    const u = utcWallClock(x, d);
    switch (token) {
      case 'YYYY':
        return sql`to_char(${u}, 'YYYY')`;
      case 'MM':
        return sql`to_char(${u}, 'MM')`;
      case 'DD':
        return sql`to_char(${u}, 'DD')`;
      case 'HH':
        return sql`to_char(${u}, 'HH24')`;
      case 'mm':
        return sql`to_char(${u}, 'MI')`;
      case 'ss':
        return sql`to_char(${u}, 'SS')`;
      case 'SSS':
        return sql`to_char(${u}, 'MS')`;
      default:
        return assertNever(token);
    }
  }
  switch (token) {
    case 'YYYY':
      return sql`DATE_FORMAT(${x}, '%Y')`;
    case 'MM':
      return sql`DATE_FORMAT(${x}, '%m')`;
    case 'DD':
      return sql`DATE_FORMAT(${x}, '%d')`;
    case 'HH':
      return sql`DATE_FORMAT(${x}, '%H')`;
    case 'mm':
      return sql`DATE_FORMAT(${x}, '%i')`;
    case 'ss':
      return sql`DATE_FORMAT(${x}, '%s')`;
    case 'SSS':
      return sql`LEFT(DATE_FORMAT(${x}, '%f'), 3)`;
    default:
      return assertNever(token);
  }
}

const MONGO_TOKENS: Record<FormatToken, string> = {
  YYYY: '%Y',
  MM: '%m',
  DD: '%d',
  HH: '%H',
  mm: '%M',
  ss: '%S',
  SSS: '%L',
};

/**
 * DATETIME_FORMAT(date, [format]): the format is a text literal of tokens YYYY MM DD HH mm ss SSS
 * (UTC) and literal characters; the default gives ISO 8601 (YYYY-MM-DDTHH:mm:ss.SSSZ). Every
 * target renders token by token and joins, so no format string is ever interpreted by a source.
 */
const DATETIME_FORMAT: FunctionDef = {
  name: 'DATETIME_FORMAT',
  minArgs: 1,
  maxArgs: 2,
  signature: (args, fail) => {
    if (args[1] !== undefined && !isStringLiteral(args[1].node)) fail('the format must be a text literal', 1);
    const params = ['datetime', 'text'].slice(0, args.length) as ('datetime' | 'text')[];
    requireArgs(args, params, fail);
    return { params, returns: 'text' };
  },
  sql: ([x], ctx) => {
    const d = ctx.dialect;
    const parts = parseDateFormat(ctx.nodes.length > 1 ? literalText(ctx, 1) : DEFAULT_FORMAT);
    const pieces = parts.map((p) =>
      'token' in p ? tokenSql(x!, p.token, d) : literal(p.literal, 'text', d),
    );
    const joined = pieces.length === 0 ? literal('', 'text', d) : concatSql(pieces, d);
    return sql`(CASE WHEN ${x!} IS NULL THEN NULL ELSE ${joined} END)`;
  },
  mongo: ([x], ctx) => {
    const parts = parseDateFormat(ctx.nodes.length > 1 ? literalText(ctx, 1) : DEFAULT_FORMAT);
    return strictMongo([x], ([date]) => ({
      $concat: parts.map((p) =>
        'token' in p ? { $dateToString: { date, format: MONGO_TOKENS[p.token] } } : text(p.literal),
      ),
    }));
  },
  evaluate: ([x], ctx) => {
    if (x === null) return null;
    const parts = parseDateFormat(ctx.nodes.length > 1 ? literalText(ctx, 1) : DEFAULT_FORMAT);
    return parts.map((p) => ('token' in p ? formatToken(x as Date, p.token) : p.literal)).join('');
  },
};

export const DATE_FUNCTIONS: readonly FunctionDef[] = [
  NOW,
  TODAY,
  part('YEAR'),
  part('MONTH'),
  part('DAY'),
  DATETIME_FORMAT,
];
