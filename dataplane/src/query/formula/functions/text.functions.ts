import { fixed, variadic, type FunctionDef } from '../function.js';
import { bindAll, cond, strictMongo, text, trunc } from '../mongo.expr.js';
import { castDouble } from '../sql.dialect.js';
import { sql, type Sql, type SqlDialect } from '../sql.fragment.js';
import { mapCase } from '../values.js';
import { concatSql } from './operators.functions.js';

/**
 * Text functions. Positions and lengths count characters (Unicode code points), never bytes;
 * matching is case-sensitive. Counts are truncated toward zero and negative counts act as 0.
 */
const MAX_COUNT = 1_000_000_000;

/** A character count as the dialect wants it; the caller guards blank `n`. */
function count(n: Sql, d: SqlDialect, min = 0): Sql {
  const lo = min === 0 ? sql`0` : sql`1`;
  return d === 'postgres'
    ? sql`CAST(LEAST(GREATEST(trunc(${n}), ${lo}), 1000000000) AS integer)`
    : sql`LEAST(GREATEST(TRUNCATE(${n}, 0), ${lo}), 1000000000)`;
}

/** Postgres GREATEST/LEAST skip NULLs, so a blank count needs its own guard there. */
function guarded(n: Sql, body: Sql, d: SqlDialect): Sql {
  return d === 'postgres' ? sql`(CASE WHEN ${n} IS NULL THEN NULL ELSE ${body} END)` : body;
}

function countOf(n: unknown, min = 0): number {
  return Math.min(Math.max(Math.trunc(n as number), min), MAX_COUNT);
}

function mongoCount(n: unknown, min = 0): unknown {
  return { $min: [{ $max: [trunc(n), min] }, MAX_COUNT] };
}

/** A binary-collation utf8mb4 operand for MySQL LOCATE (case-sensitive, character positions). */
function mysqlBinary(x: Sql): Sql {
  return sql`CONVERT(${x} USING utf8mb4) COLLATE utf8mb4_bin`;
}

const CONCAT: FunctionDef = {
  name: 'CONCAT',
  minArgs: 1,
  maxArgs: Infinity,
  signature: variadic('text', 'text'),
  sql: (args, { dialect }) => concatSql(args, dialect),
  mongo: (args) => ({ $concat: args.map((a) => ({ $ifNull: [a, text('')] })) }),
  evaluate: (args) => args.map((a) => a ?? '').join(''),
};

const LEFT: FunctionDef = {
  name: 'LEFT',
  minArgs: 2,
  maxArgs: 2,
  signature: fixed(['text', 'number'], 'text'),
  sql: ([s, n], { dialect: d }) =>
    guarded(n!, d === 'postgres' ? sql`left(${s!}, ${count(n!, d)})` : sql`LEFT(${s!}, ${count(n!, d)})`, d),
  mongo: (args) => strictMongo(args, ([s, n]) => ({ $substrCP: [s, 0, mongoCount(n)] })),
  evaluate: ([s, n]) =>
    s === null || n === null
      ? null
      : Array.from(s as string)
          .slice(0, countOf(n))
          .join(''),
};

const RIGHT: FunctionDef = {
  name: 'RIGHT',
  minArgs: 2,
  maxArgs: 2,
  signature: fixed(['text', 'number'], 'text'),
  sql: ([s, n], { dialect: d }) =>
    guarded(
      n!,
      d === 'postgres' ? sql`right(${s!}, ${count(n!, d)})` : sql`RIGHT(${s!}, ${count(n!, d)})`,
      d,
    ),
  mongo: (args) =>
    strictMongo(args, ([s, n]) =>
      bindAll(
        [{ $strLenCP: s }, mongoCount(n)],
        ([len, k]) => ({ $substrCP: [s, { $max: [{ $subtract: [len, k] }, 0] }, k] }),
        'r',
      ),
    ),
  evaluate: ([s, n]) => {
    if (s === null || n === null) return null;
    const chars = Array.from(s as string);
    return chars.slice(Math.max(chars.length - countOf(n), 0)).join('');
  },
};

const LEN: FunctionDef = {
  name: 'LEN',
  minArgs: 1,
  maxArgs: 1,
  signature: fixed(['text'], 'number'),
  sql: ([s], { dialect: d }) =>
    castDouble(d === 'postgres' ? sql`char_length(${s!})` : sql`CHAR_LENGTH(${s!})`, d),
  mongo: (args) => strictMongo(args, ([s]) => ({ $strLenCP: s })),
  evaluate: ([s]) => (s === null ? null : Array.from(s as string).length),
};

/** No MongoDB form: $toLower/$toUpper are defined for ASCII only. */
function caseMapping(name: 'LOWER' | 'UPPER'): FunctionDef {
  const to = name === 'LOWER' ? 'lower' : 'upper';
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    signature: fixed(['text'], 'text'),
    sql: ([s]) => (to === 'lower' ? sql`LOWER(${s!})` : sql`UPPER(${s!})`),
    evaluate: ([s]) => (s === null ? null : mapCase(s as string, to)),
  };
}

/** Removes leading and trailing spaces (U+0020 only: tabs and newlines stay). */
const TRIM: FunctionDef = {
  name: 'TRIM',
  minArgs: 1,
  maxArgs: 1,
  signature: fixed(['text'], 'text'),
  sql: ([s], { dialect: d }) => (d === 'postgres' ? sql`btrim(${s!}, ' ')` : sql`TRIM(BOTH ' ' FROM ${s!})`),
  mongo: ([s]) => ({ $trim: { input: s, chars: text(' ') } }),
  evaluate: ([s]) => (s === null ? null : (s as string).replace(/^ +| +$/g, '')),
};

/** Replaces every occurrence (case-sensitive); an empty search text changes nothing. */
const SUBSTITUTE: FunctionDef = {
  name: 'SUBSTITUTE',
  minArgs: 3,
  maxArgs: 3,
  signature: fixed(['text', 'text', 'text'], 'text'),
  sql: ([s, from, to], { dialect: d }) =>
    d === 'postgres' ? sql`replace(${s!}, ${from!}, ${to!})` : sql`REPLACE(${s!}, ${from!}, ${to!})`,
  mongo: (args) =>
    strictMongo(args, ([s, from, to]) =>
      cond({ $eq: [from, text('')] }, s, { $replaceAll: { input: s, find: from, replacement: to } }),
    ),
  evaluate: ([s, from, to]) =>
    s === null || from === null || to === null
      ? null
      : from === ''
        ? s
        : (s as string).split(from as string).join(to as string),
};

/**
 * FIND(needle, text, [start]): the 1-based character position of needle in text, searching from
 * position start (default 1, values below 1 act as 1); 0 when absent. An empty needle is found at start.
 */
const FIND: FunctionDef = {
  name: 'FIND',
  minArgs: 2,
  maxArgs: 3,
  signature: fixed(['text', 'text', 'number'], 'number'),
  sql: ([needle, hay, start], { dialect: d }) => {
    if (start === undefined) {
      const pos =
        d === 'postgres' ? sql`strpos(${hay!}, ${needle!})` : sql`LOCATE(${mysqlBinary(needle!)}, ${hay!})`;
      return castDouble(pos, d);
    }
    const from = count(start, d, 1);
    const pos =
      d === 'postgres'
        ? sql`strpos(substr(${hay!}, ${from}), ${needle!})`
        : sql`LOCATE(${mysqlBinary(needle!)}, SUBSTRING(CONVERT(${hay!} USING utf8mb4), ${from}))`;
    return guarded(start, castDouble(sql`(CASE WHEN ${pos} = 0 THEN 0 ELSE ${pos} + ${from} - 1 END)`, d), d);
  },
  mongo: (args) =>
    strictMongo(args, ([needle, hay, start]) =>
      bindAll(
        [start === undefined ? 1 : mongoCount(start, 1)],
        ([from]) =>
          cond(
            { $eq: [needle, text('')] },
            from,
            bindAll(
              [{ $split: [{ $substrCP: [hay, { $subtract: [from, 1] }, MAX_COUNT] }, needle] }],
              ([parts]) =>
                cond({ $eq: [{ $size: parts }, 1] }, 0, {
                  $add: [{ $strLenCP: { $arrayElemAt: [parts, 0] } }, from],
                }),
              'p',
            ),
          ),
        's',
      ),
    ),
  evaluate: ([needle, hay, start]) => {
    if (needle === null || hay === null || start === null) return null;
    const from = start === undefined ? 1 : countOf(start, 1);
    const rest = Array.from(hay as string)
      .slice(from - 1)
      .join('');
    const unit = rest.indexOf(needle as string);
    return unit < 0 ? 0 : Array.from(rest.slice(0, unit)).length + from;
  },
};

export const TEXT_FUNCTIONS: readonly FunctionDef[] = [
  CONCAT,
  LEFT,
  RIGHT,
  LEN,
  caseMapping('LOWER'),
  caseMapping('UPPER'),
  TRIM,
  SUBSTITUTE,
  FIND,
];
