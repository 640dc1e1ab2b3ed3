import {
  requireArgs,
  unify,
  variadic,
  type ArgInfo,
  type Fail,
  type FunctionDef,
  type Signature,
} from '../function.js';
import { cond, isNull, text } from '../mongo.expr.js';
import { castDouble } from '../sql.dialect.js';
import { sql, type Sql, type SqlDialect } from '../sql.fragment.js';
import { compareValues } from '../values.js';

/**
 * Aggregates over their argument list inside one row: SUM(a, b, c). Blank arguments are skipped
 * (SUM of only blanks is 0, AVG/MIN/MAX of only blanks are blank). Aggregation over groups or
 * linked rows is the query compiler's groupBy, not a formula.
 */
function list(parts: readonly Sql[], separator: Sql): Sql {
  return parts.reduce((acc, p, i) => (i === 0 ? p : sql`${acc}${separator}${p}`), sql``);
}

function present(x: Sql): Sql {
  return sql`(CASE WHEN ${x} IS NULL THEN 0 ELSE 1 END)`;
}

const SUM: FunctionDef = {
  name: 'SUM',
  minArgs: 1,
  maxArgs: Infinity,
  signature: variadic('number', 'number'),
  sql: (args) =>
    sql`(${list(
      args.map((a) => sql`COALESCE(${a}, 0)`),
      sql` + `,
    )})`,
  mongo: (args) => ({ $sum: args }),
  evaluate: (args) => args.reduce<number>((acc, a) => acc + ((a as number | null) ?? 0), 0),
};

const AVG: FunctionDef = {
  name: 'AVG',
  minArgs: 1,
  maxArgs: Infinity,
  signature: variadic('number', 'number'),
  sql: (args) => {
    const total = list(
      args.map((a) => sql`COALESCE(${a}, 0)`),
      sql` + `,
    );
    return sql`((${total}) / NULLIF(${list(args.map(present), sql` + `)}, 0))`;
  },
  mongo: (args) => ({ $avg: args }),
  evaluate: (args) => {
    const values = args.filter((a): a is number => a !== null);
    return values.length === 0 ? null : values.reduce((acc, a) => acc + a, 0) / values.length;
  },
};

const COUNT: FunctionDef = {
  name: 'COUNT',
  minArgs: 1,
  maxArgs: Infinity,
  signature: variadic('number', 'number'),
  sql: (args, { dialect }) => castDouble(sql`(${list(args.map(present), sql` + `)})`, dialect),
  mongo: (args) => ({ $sum: args.map((a) => cond(isNull(a), 0, 1)) }),
  evaluate: (args) => args.filter((a) => a !== null).length,
};

/** COUNTA counts values that are not blank; empty text counts as blank. */
const COUNTA: FunctionDef = {
  name: 'COUNTA',
  minArgs: 1,
  maxArgs: Infinity,
  signature: (args) => ({ params: args.map((a) => a.type), returns: 'number' }),
  sql: (args, { dialect, params }) => {
    const filled = args.map((a, i) => {
      if (params[i] !== 'text') return present(a);
      const length = dialect === 'postgres' ? sql`char_length(${a})` : sql`CHAR_LENGTH(${a})`;
      return sql`(CASE WHEN ${a} IS NULL OR ${length} = 0 THEN 0 ELSE 1 END)`;
    });
    return castDouble(sql`(${list(filled, sql` + `)})`, dialect);
  },
  mongo: (args) => ({ $sum: args.map((a) => cond({ $in: [a, [null, text('')]] }, 0, 1)) }),
  evaluate: (args) => args.filter((a) => a !== null && a !== '').length,
};

/** MIN/MAX take numbers, or dates and date-times (compared as instants). */
function extremeSignature(name: string) {
  return (args: readonly ArgInfo[], fail: Fail): Signature => {
    const type = unify(args);
    if (type !== 'number' && type !== 'date' && type !== 'datetime' && type !== 'null') {
      const bad = args.findIndex((a) => a.type !== 'number' && a.type !== 'date' && a.type !== 'datetime');
      fail(`${name} takes numbers or dates, got ${args[bad]?.type ?? type}`, bad < 0 ? undefined : bad);
    }
    const params = args.map(() => type);
    requireArgs(args, params, fail);
    return { params, returns: type };
  };
}

/** Postgres LEAST/GREATEST skip NULLs; MySQL's return NULL if any is NULL, so blanks are replaced first. */
function extremeSql(fn: 'LEAST' | 'GREATEST', args: readonly Sql[], d: SqlDialect): Sql {
  const call = (parts: readonly Sql[]) =>
    fn === 'LEAST' ? sql`LEAST(${list(parts, sql`, `)})` : sql`GREATEST(${list(parts, sql`, `)})`;
  if (args.length === 1) return args[0]!;
  if (d === 'postgres') return call(args);
  const any = sql`COALESCE(${list(args, sql`, `)})`;
  return call(args.map((a) => sql`COALESCE(${a}, ${any})`));
}

function extreme(name: 'MIN' | 'MAX'): FunctionDef {
  const sign = name === 'MIN' ? -1 : 1;
  return {
    name,
    minArgs: 1,
    maxArgs: Infinity,
    signature: extremeSignature(name),
    sql: (args, { dialect }) => extremeSql(name === 'MIN' ? 'LEAST' : 'GREATEST', args, dialect),
    mongo: (args) => ({ [name === 'MIN' ? '$min' : '$max']: args }),
    evaluate: (args, { returns }) =>
      args.reduce<unknown>((best, a) => {
        if (a === null) return best;
        return best === null || compareValues(a, best, returns) * sign > 0 ? a : best;
      }, null),
  };
}

export const AGGREGATE_FUNCTIONS: readonly FunctionDef[] = [
  SUM,
  AVG,
  COUNT,
  COUNTA,
  extreme('MIN'),
  extreme('MAX'),
];
