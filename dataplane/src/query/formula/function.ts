import type { FormulaAst } from './ast.js';
import type { Sql, SqlDialect } from './sql.fragment.js';
import type { FormulaType, TemporalType } from './types.js';

/**
 * One function or operator of the language: its parameter checks and return type, and its
 * Postgres/MySQL, MongoDB and in-process forms, declared together (Teable-style). Arguments reach
 * the forms already converted to `params` (README "Coercion"), so a form only handles its own types.
 */
export type MongoExpr = unknown;

export interface ArgInfo {
  readonly type: FormulaType;
  readonly node: FormulaAst;
  /** For a string literal that reads as a date or date-time: which one. */
  readonly temporal?: TemporalType;
}

export interface Signature {
  /** The type each argument is converted to. */
  readonly params: readonly FormulaType[];
  readonly returns: FormulaType;
}

/** Rejects the call: the span is argument `arg`'s, or the whole call's. */
export type Fail = (message: string, arg?: number) => never;

export interface CallContext {
  readonly params: readonly FormulaType[];
  readonly returns: FormulaType;
  /** The argument nodes, for arguments that must be literals (units, formats). */
  readonly nodes: readonly FormulaAst[];
}

export interface SqlContext extends CallContext {
  readonly dialect: SqlDialect;
}

export interface EvalContext extends CallContext {
  readonly now: Date;
}

export interface FunctionDef {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  signature(args: readonly ArgInfo[], fail: Fail): Signature;
  sql(args: readonly Sql[], ctx: SqlContext): Sql;
  /** Absent when MongoDB cannot express it faithfully; such formulas are evaluated in process. */
  mongo?(args: readonly MongoExpr[], ctx: CallContext): MongoExpr;
  evaluate(args: readonly unknown[], ctx: EvalContext): unknown;
}

/**
 * Implicit conversions: blank fits any type; number, boolean, date and datetime convert to text;
 * a date converts to a datetime (its UTC midnight); a string literal that reads as a date
 * converts to date or datetime. Text never converts to number or boolean.
 */
export function accepts(arg: ArgInfo, to: FormulaType): boolean {
  if (arg.type === to || arg.type === 'null') return true;
  switch (to) {
    case 'text':
      return arg.type !== 'text';
    case 'datetime':
      return arg.type === 'date' || arg.temporal !== undefined;
    case 'date':
      return arg.temporal === 'date';
    default:
      return false;
  }
}

export function requireArgs(args: readonly ArgInfo[], params: readonly FormulaType[], fail: Fail): void {
  args.forEach((arg, i) => {
    const to = params[i]!;
    if (accepts(arg, to)) return;
    if (isStringLiteral(arg.node) && (to === 'date' || to === 'datetime')) {
      fail(
        `expected a ${to}; ${JSON.stringify(arg.node.value)} is not one (write YYYY-MM-DD or YYYY-MM-DD HH:mm:ss)`,
        i,
      );
    }
    fail(`expected ${to}, got ${arg.type}`, i);
  });
}

/** A signature with one type per position (the first `args.length` of them are used). */
export function fixed(params: readonly FormulaType[], returns: FormulaType) {
  return (args: readonly ArgInfo[], fail: Fail): Signature => {
    const used = params.slice(0, args.length);
    requireArgs(args, used, fail);
    return { params: used, returns };
  };
}

/** A signature where every argument has the same type. */
export function variadic(param: FormulaType, returns: FormulaType) {
  return (args: readonly ArgInfo[], fail: Fail): Signature => {
    const params = args.map(() => param);
    requireArgs(args, params, fail);
    return { params, returns };
  };
}

/**
 * The common type of values that meet in one place (IF branches, SWITCH results): their shared
 * type; datetime when dates and date-times mix; otherwise text, to which everything converts.
 */
export function unify(args: readonly ArgInfo[]): FormulaType {
  const types = new Set(args.map((a) => a.type).filter((t) => t !== 'null'));
  if (types.size === 0) return 'null';
  if (types.size === 1) return [...types][0]!;
  const temporal = [...types].every((t) => t === 'date' || t === 'datetime');
  if (temporal) return 'datetime';
  const withLiterals = args.every(
    (a) => a.type === 'null' || a.type === 'date' || a.type === 'datetime' || a.temporal,
  );
  if (withLiterals)
    return args.some((a) => a.type === 'datetime' || a.temporal === 'datetime') ? 'datetime' : 'date';
  return 'text';
}

export function isStringLiteral(n: FormulaAst): n is Extract<FormulaAst, { kind: 'string' }> {
  return n.kind === 'string';
}

/** The value of an argument that the signature required to be a string literal. */
export function literalText(ctx: CallContext, index: number): string {
  const n = ctx.nodes[index];
  if (n === undefined || !isStringLiteral(n)) throw new Error(`argument ${index} must be a string literal`);
  return n.value;
}
