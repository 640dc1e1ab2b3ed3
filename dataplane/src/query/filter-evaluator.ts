import { hasOwn } from '../platform/own-property.js';
import { compareDecimals, decimalOfNumber, parseDecimalText, type Decimal } from '../platform/decimal.js';
import type { Catalog, LogicalType } from './catalog.js';
import type { LogicalQuery, Pagination } from './lqp.js';
import { assertNever, type AnalyzedJoin, type FilterNode, type ResolvedField, type Scalar } from './plan.js';
import { analyzeQuery } from './validate.js';

/**
 * A planned filter evaluated against one row in process, answering what the PostgreSQL
 * statement `compileFilter` builds would answer for that row (sql/filter.compiler.ts and
 * sql/postgres.dialect.ts; README "Semantics"). Realtime uses it for the state a row had before a
 * change, which the database no longer holds.
 *
 * Where the answer depends on something a process cannot know exactly, the evaluator does not
 * guess. Statically (`filterEvaluability`): case-insensitive matching with a non-ASCII needle, and
 * instants outside the years 0001–9999. Per row (the verdict `'unknown'`): an instant the rows
 * API shows cut to the millisecond that ties with the filter's bound, a text holding one of the
 * few characters whose lowercase depends on the database's locale provider, a field missing from
 * the row, or a value not of its type's shape. Verdicts are three-valued (Kleene): `or` of
 * `true` and `'unknown'` is `true`, so an undecidable part decides nothing it need not.
 */

/** `true`/`false`: the compiled predicate's answer for the row; `'unknown'`: it cannot be known here. */
export type Verdict = boolean | 'unknown';

export type Evaluability =
  { readonly evaluable: true } | { readonly evaluable: false; readonly reason: string };

/**
 * A timestamptz as the rows API shows it: ISO 8601 cut to the millisecond, so the stored instant
 * (microseconds) lies in [t, t + 1 ms). Plain ISO strings and Dates are taken as exact.
 */
export interface InstantWithinMillisecond {
  readonly withinMillisecond: string;
}

export const withinMillisecond = (iso: string): InstantWithinMillisecond => ({ withinMillisecond: iso });

/**
 * What `now()` (and `CURRENT_DATE`, its UTC day) is for the evaluation: a Date, or ISO 8601 text
 * with up to microseconds (what PostgreSQL's clock has).
 */
export type Now = Date | string;

/**
 * A field's value for the row. `null` is SQL NULL; `undefined` means "not known" (the verdict
 * of anything that reads it is `'unknown'`). Shapes, as the API shows values: text and uuid
 * strings; integers as safe numbers, bigints or digit strings; decimals as numbers or decimal
 * strings (a number means the decimal it prints as); booleans; dates `YYYY-MM-DD`; instants as
 * ISO 8601 with a zone (up to microseconds), Dates, or `withinMillisecond(iso)`. Json, binary and
 * unknown fields are only tested for NULL.
 */
export type ValueOf = (field: ResolvedField) => unknown;

/** Thrown by `evaluateFilter` when the verdict is `'unknown'`. */
export class UndecidableFilterError extends Error {
  constructor(readonly reason: string) {
    super(`the filter cannot be evaluated in process: ${reason}`);
    this.name = 'UndecidableFilterError';
  }
}

/**
 * The filter's answer for one row, as a boolean; throws `UndecidableFilterError` when the row
 * cannot be judged exactly (see `judgeFilter`, which answers `'unknown'` instead).
 */
export function evaluateFilter(node: FilterNode, valueOf: ValueOf, now: Now): boolean {
  const evaluability = filterEvaluability(node);
  if (!evaluability.evaluable) throw new UndecidableFilterError(evaluability.reason);
  const verdict = judgeFilter(node, valueOf, now);
  if (verdict === 'unknown')
    throw new UndecidableFilterError(
      'the row cannot decide it (an instant at a bound’s millisecond, a locale-dependent character, a value unknown or not of its type)',
    );
  return verdict;
}

/** The filter's three-valued answer for one row. Parts `filterEvaluability` refuses are `'unknown'`. */
export function judgeFilter(node: FilterNode, valueOf: ValueOf, now: Now): Verdict {
  return compile(node)(valueOf, clockOf(now));
}

/**
 * Whether every part of the filter can be judged exactly (rows may still answer `'unknown'`; see
 * the module comment). Fields are not judged here: `rowFilter` adds which fields a row holds.
 */
export function filterEvaluability(node: FilterNode): Evaluability {
  const problem = firstProblem(node, 'filter', () => undefined);
  return problem === undefined ? { evaluable: true } : { evaluable: false, reason: problem };
}

// ---------------------------------------------------------------------------------------------
// Rows of a mini-DB table

/** A row as the rows API shows it: values keyed by field name (see `rowFilter`). */
export type RowValues = Readonly<Record<string, unknown>>;

export type RowFilter =
  | { readonly evaluable: true; matches(row: RowValues, now: Now): Verdict }
  | { readonly evaluable: false; readonly reason: string };

/** What `rowFilter` reads of a plan; an `AnalyzedQuery` is one. */
export interface RowFilterQuery {
  readonly filter?: FilterNode;
  readonly joins?: readonly AnalyzedJoin[];
  readonly grouped?: boolean;
}

/**
 * Whether a row of the query's source table is among the query's rows, from the row's values as
 * the rows API shows them: `row` is keyed by catalog field name (a mini-DB row's `fields` by
 * column name, plus `@id`, `@version`, `@createdAt`, `@updatedAt`, `@createdBy`, `@updatedBy`
 * for the system fields a filter names). Instants are read as cut to the millisecond, a json
 * field's `null` as SQL NULL (the mini-DB never stores a JSON `null`).
 *
 * Not evaluable: a grouped query (its rows are groups), an inner join (it drops rows without a
 * match whatever the filter says), and a filter reading anything but the source table's own
 * stored columns: a joined table, a computed column (formula), a column the catalog computes in
 * SQL (rollups, lookups), or a part `filterEvaluability` refuses. Left joins repeat a row but
 * cannot drop it, so they do not matter to a filter over source columns.
 */
export function rowFilter(query: RowFilterQuery): RowFilter {
  if (query.grouped) return notEvaluable('a grouped query answers groups, not rows');
  const inner = query.joins?.find((j) => j.type === 'inner');
  if (inner) return notEvaluable(`the inner join "${inner.alias}" drops rows without a match`);
  const { filter } = query;
  if (!filter) return { evaluable: true, matches: () => true };
  const problem = firstProblem(filter, 'filter', storedSourceProblem);
  if (problem !== undefined) return notEvaluable(problem);
  const judge = compile(filter);
  return { evaluable: true, matches: (row, now) => judge((field) => apiValue(row, field), clockOf(now)) };
}

/**
 * `rowFilter` of a query over a catalog (pagination may be left out): for a view over a mini-DB
 * table, `rowFilterOf(plan.base, plan.catalog)` of its internal plan.
 */
export function rowFilterOf(
  query: Omit<LogicalQuery, 'pagination'> & { pagination?: Pagination },
  catalog: Catalog,
): RowFilter {
  const pagination: Pagination = query.pagination ?? { mode: 'offset', limit: 1, offset: 0 };
  return rowFilter(analyzeQuery({ ...query, pagination }, catalog));
}

const notEvaluable = (reason: string): RowFilter => ({ evaluable: false, reason });

function storedSourceProblem(field: ResolvedField): string | undefined {
  const { target } = field;
  if (target.kind === 'computed') return `"${field.ref}" is a computed column (a formula)`;
  if (target.table !== 0) return `"${field.ref}" is a column of a joined table`;
  if (target.column.expression) return `"${field.ref}" is computed in SQL (a rollup or lookup)`;
  return undefined;
}

function apiValue(row: RowValues, field: ResolvedField): unknown {
  if (field.target.kind !== 'column') return undefined;
  const name = field.target.column.name;
  if (!hasOwn(row, name)) return undefined;
  const value = row[name];
  return field.type === 'datetime' && typeof value === 'string' ? withinMillisecond(value) : value;
}

// ---------------------------------------------------------------------------------------------
// What cannot be judged, whatever the row

const NON_ASCII = /[\u0080-\uffff]/;
/** The types whose values compare (ordered or for equality); json, binary and unknown only test NULL. */
const COMPARABLE: ReadonlySet<LogicalType> = new Set([
  'text',
  'uuid',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
]);

type Leaf = Exclude<FilterNode, { kind: 'and' | 'or' | 'not' }>;

function firstProblem(
  node: FilterNode,
  path: string,
  fieldProblem: (field: ResolvedField) => string | undefined,
): string | undefined {
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const [i, item] of node.items.entries()) {
        const problem = firstProblem(item, `${path}.${node.kind}[${i}]`, fieldProblem);
        if (problem !== undefined) return problem;
      }
      return undefined;
    case 'not':
      return firstProblem(node.item, `${path}.not`, fieldProblem);
    default: {
      const problem = fieldProblem(node.field) ?? leafProblem(node);
      return problem === undefined ? undefined : `${path}: ${problem}`;
    }
  }
}

function leafProblem(node: Leaf): string | undefined {
  const { type, ref } = node.field;
  const unsupported = `${node.kind} is not evaluated on ${type} fields ("${ref}")`;
  switch (node.kind) {
    case 'compare':
      return COMPARABLE.has(type) ? constantsProblem(node.field, [node.value]) : unsupported;
    case 'list':
      return COMPARABLE.has(type) ? constantsProblem(node.field, node.values) : unsupported;
    case 'range':
      return COMPARABLE.has(type) ? constantsProblem(node.field, [node.low, node.high]) : unsupported;
    case 'text':
      if (type !== 'text') return unsupported;
      // PostgreSQL's ILIKE lowers both sides with lower() under the database's LC_CTYPE: towlower
      // per code point with libc, full (context-sensitive) case mapping with ICU, each of its own
      // Unicode version. Only ASCII needles are matched the same way whatever those are.
      return !NON_ASCII.test(node.value)
        ? undefined
        : `${node.op} with non-ASCII text on "${ref}": case-insensitive matching then depends on the database's locale`;
    case 'empty':
      return undefined;
    case 'relativeDate':
    case 'days':
      return type === 'date' || type === 'datetime' ? undefined : unsupported;
    default:
      return assertNever(node);
  }
}

function constantsProblem(field: ResolvedField, values: readonly Scalar[]): string | undefined {
  for (const value of values)
    if (constantKey(field.type, value) === undefined)
      return `the value ${JSON.stringify(value)} for "${field.ref}" is outside what both PostgreSQL and JavaScript read alike`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Three-valued logic

function and3(a: Verdict, b: Verdict): Verdict {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : 'unknown';
}

function or3(a: Verdict, b: Verdict): Verdict {
  if (a === true || b === true) return true;
  return a === false && b === false ? false : 'unknown';
}

const not3 = (v: Verdict): Verdict => (v === 'unknown' ? v : !v);

interface Clock {
  /** now() in microseconds since the epoch. */
  readonly micros: bigint;
  /** CURRENT_DATE (the UTC day of now) as days since the epoch. */
  readonly day: number;
}

const MICROS_PER_DAY = 86_400_000_000n;

function clockOf(now: Now): Clock {
  const micros =
    typeof now === 'string'
      ? parseInstantMicros(now)
      : Number.isFinite(now.getTime())
        ? BigInt(now.getTime()) * 1000n
        : undefined;
  if (micros === undefined) throw new TypeError(`now is not an instant: ${String(now)}`);
  return { micros, day: Number(floorDiv(micros, MICROS_PER_DAY)) };
}

/** A filter compiled once: constants parsed, bounds built; then judged row by row. */
type Judge = (valueOf: ValueOf, clock: Clock) => Verdict;

const UNKNOWN: Judge = () => 'unknown';

function compile(node: FilterNode): Judge {
  switch (node.kind) {
    case 'and': {
      const items = node.items.map(compile);
      return (valueOf, clock) => {
        let verdict: Verdict = true;
        for (const item of items) {
          verdict = and3(verdict, item(valueOf, clock));
          if (verdict === false) return false;
        }
        return verdict;
      };
    }
    case 'or': {
      const items = node.items.map(compile);
      return (valueOf, clock) => {
        let verdict: Verdict = false;
        for (const item of items) {
          verdict = or3(verdict, item(valueOf, clock));
          if (verdict === true) return true;
        }
        return verdict;
      };
    }
    case 'not': {
      // NOT COALESCE(p, FALSE): a comparison with NULL is already false here, so this is negation.
      const item = compile(node.item);
      return (valueOf, clock) => not3(item(valueOf, clock));
    }
    default: {
      if (leafProblem(node) !== undefined) return UNKNOWN;
      const { field } = node;
      const test = compileLeaf(node);
      return (valueOf, clock) => {
        const value = valueOf(field);
        return value === undefined ? 'unknown' : test(value, clock);
      };
    }
  }
}

/** A leaf's test of a known value (`null`: SQL NULL). Constants are valid (leafProblem). */
type LeafTest = (value: NonNullable<unknown> | null, clock: Clock) => Verdict;

function compileLeaf(node: Leaf): LeafTest {
  const type = node.field.type;
  const key = (v: Scalar) => constantKey(type, v) as Key;
  const between =
    (low: Bound | undefined, high: Bound | undefined): LeafTest =>
    (value) =>
      value === null ? false : within(type, value, low, high);
  switch (node.kind) {
    case 'compare': {
      const { op } = node;
      const c = key(node.value);
      switch (op) {
        case 'eq':
          return between(closed(c), closed(c));
        case 'neq':
          // IS DISTINCT FROM: NULL rows are kept.
          return (value) => (value === null ? true : not3(within(type, value, closed(c), closed(c))));
        case 'lt':
          return between(undefined, open(c));
        case 'lte':
          return between(undefined, closed(c));
        case 'gt':
          return between(open(c), undefined);
        case 'gte':
          return between(closed(c), undefined);
        default:
          return assertNever(op);
      }
    }
    case 'list': {
      // `in []` matches nothing, `nin []` everything; nin keeps NULL rows.
      const keys = node.values.map(key);
      const nin = node.op === 'nin';
      return (value) => {
        if (value === null) return nin;
        let member: Verdict = false;
        for (const c of keys) {
          member = or3(member, within(type, value, closed(c), closed(c)));
          if (member === true) break;
        }
        return nin ? not3(member) : member;
      };
    }
    case 'range':
      // BETWEEN: both ends included; low > high matches nothing.
      return between(closed(key(node.low)), closed(key(node.high)));
    case 'text': {
      const { op, value: needle } = node;
      return (value) => {
        if (value === null) return op === 'ncontains';
        if (typeof value !== 'string') return 'unknown';
        const hit = textMatch(op, value, needle);
        return op === 'ncontains' ? not3(hit) : hit;
      };
    }
    case 'empty': {
      // Text: NULL or ''; every other type: NULL.
      const text = type === 'text';
      const isEmpty = node.op === 'isEmpty';
      return (value) => (value === null || (text && value === '')) === isEmpty;
    }
    case 'relativeDate':
    case 'days':
      return (value, clock) => {
        if (value === null) return false;
        const [low, high] = relativeBounds(node, clock);
        return within(type, value, low, high);
      };
    default:
      return assertNever(node);
  }
}

// ---------------------------------------------------------------------------------------------
// Comparable keys, by type (what `key`/`keyValue` compare in PostgreSQL)

/**
 * text: the string (code point order, as `COLLATE "C"` orders UTF-8; equality is the default
 * deterministic collation's, byte for byte). uuid: lower-case text. integer: bigint. number: an
 * exact decimal (`numeric`). boolean. date: days since the epoch. datetime: microseconds since
 * the epoch (timestamptz's resolution).
 */
type Key = string | bigint | number | boolean | Decimal;

interface Bound {
  readonly key: Key;
  readonly inclusive: boolean;
}

const closed = (key: Key): Bound => ({ key, inclusive: true });
const open = (key: Key): Bound => ({ key, inclusive: false });

/** The row's value as the interval of keys it may stand for: one key, or an instant's millisecond. */
interface Span {
  readonly lo: Key;
  readonly hi: Key;
}

function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'object' && typeof b === 'object') return compareDecimals(a, b);
  throw new TypeError('keys of different types');
}

/** Whether the value lies between the bounds (absent = unbounded): all of its span, none, or part. */
function within(type: LogicalType, value: NonNullable<unknown>, low?: Bound, high?: Bound): Verdict {
  const span = cellSpan(type, value);
  if (!span) return 'unknown';
  const above = (k: Key) => !low || compareKeys(k, low.key) > (low.inclusive ? -1 : 0);
  const below = (k: Key) => !high || compareKeys(k, high.key) < (high.inclusive ? 1 : 0);
  if (above(span.lo) && below(span.hi)) return true;
  if (!above(span.hi) || !below(span.lo)) return false;
  return 'unknown';
}

const exact = (key: Key | undefined): Span | undefined =>
  key === undefined ? undefined : { lo: key, hi: key };

/** A row's value as keys; undefined when it is not of the type's shape. */
function cellSpan(type: LogicalType, value: NonNullable<unknown>): Span | undefined {
  switch (type) {
    case 'text':
      return typeof value === 'string' ? exact(value) : undefined;
    case 'uuid':
      return typeof value === 'string' ? exact(value.toLowerCase()) : undefined;
    case 'integer':
      return exact(integerKey(value));
    case 'number':
      return exact(decimalKey(value));
    case 'boolean':
      return typeof value === 'boolean' ? exact(value) : undefined;
    case 'date':
      return typeof value === 'string' ? exact(parseDateDays(value)) : undefined;
    case 'datetime': {
      if (value instanceof Date)
        return Number.isNaN(value.getTime()) ? undefined : exact(BigInt(value.getTime()) * 1000n);
      if (typeof value === 'string') return exact(parseInstantMicros(value));
      if (typeof value === 'object' && 'withinMillisecond' in value) {
        const iso = (value as InstantWithinMillisecond).withinMillisecond;
        const micros = typeof iso === 'string' ? parseInstantMicros(iso) : undefined;
        // Cut, not rounded (node-postgres, Date and to_char's MS all cut): the stored value is at
        // or after the shown millisecond, and before the next.
        if (micros === undefined || micros % 1000n !== 0n) return undefined;
        return { lo: micros, hi: micros + 999n };
      }
      return undefined;
    }
    case 'json':
    case 'binary':
    case 'unknown':
      return undefined;
    default:
      return assertNever(type);
  }
}

/** A filter value (already normalised by the validator) as a key; undefined when it cannot be one. */
function constantKey(type: LogicalType, value: Scalar): Key | undefined {
  switch (type) {
    case 'text':
    case 'uuid':
      return typeof value === 'string' ? (type === 'uuid' ? value.toLowerCase() : value) : undefined;
    case 'integer':
      return typeof value === 'number' ? integerKey(value) : undefined;
    case 'number':
      // Bound as String(value) and cast to numeric: the decimal the double prints as.
      return typeof value === 'number' ? decimalKey(value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'date':
      return typeof value === 'string' ? parseDateDays(value) : undefined;
    case 'datetime':
      return typeof value === 'string' ? parseInstantMicros(value) : undefined;
    default:
      return undefined;
  }
}

function integerKey(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/** A decimal key of a numeric value as PostgreSQL receives it (a JS number: the decimal it prints as). */
function decimalKey(value: unknown): Decimal | undefined {
  if (typeof value === 'bigint') return parseDecimalText(value.toString());
  if (typeof value === 'string') return parseDecimalText(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return decimalOfNumber(value);
}

/** Code point order (UTF-16 units order surrogates below U+E000–U+FFFF; UTF-8 bytes do not). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

const unitRank = (unit: number) => (unit < 0xd800 ? unit : unit >= 0xe000 ? unit - 0x800 : unit + 0x2000);

// ---------------------------------------------------------------------------------------------
// Dates and instants (years 0001–9999, UTC: the session time zone the compiler requires)

const MS_PER_DAY = 86_400_000;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT_TEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/;

/** Midnight UTC of a calendar day of years 0001–9999, in ms; undefined for anything else. */
function dayStartMs(year: number, month: number, day: number): number | undefined {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined;
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, years 0–99 stay themselves
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day ? probe.getTime() : undefined;
}

function parseDateDays(text: string): number | undefined {
  const m = DATE_TEXT.exec(text);
  const start = m && dayStartMs(Number(m[1]), Number(m[2]), Number(m[3]));
  return typeof start === 'number' ? start / MS_PER_DAY : undefined;
}

function parseInstantMicros(text: string): bigint | undefined {
  const m = INSTANT_TEXT.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zone = 'Z'] = m;
  const start = dayStartMs(Number(y), Number(mo), Number(d));
  if (start === undefined || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const [oh, om] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
    if (oh > 15 || om > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const ms = start + ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1000 - offsetMinutes * 60_000;
  const utcYear = new Date(ms).getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return undefined;
  return BigInt(ms) * 1000n + BigInt(fraction.padEnd(6, '0'));
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * The compiler's relative ranges. Dates: isToday is CURRENT_DATE, isPast/isFuture before/after
 * it, inLastDays n [today − n, today], inNextDays n [today, today + n]. Instants: isToday is
 * [today 00:00, tomorrow 00:00) UTC, isPast/isFuture before/after now(), inLastDays n
 * [now − n days, now], inNextDays n [now, now + n days] (days of 24 h: the session is UTC).
 */
function relativeBounds(
  node: Extract<FilterNode, { kind: 'relativeDate' | 'days' }>,
  clock: Clock,
): [Bound | undefined, Bound | undefined] {
  const dateOnly = node.field.type === 'date';
  const now: Key = dateOnly ? clock.day : clock.micros;
  const shifted = (days: number): Key =>
    dateOnly ? clock.day + days : clock.micros + BigInt(days) * MICROS_PER_DAY;
  switch (node.op) {
    case 'isToday':
      return dateOnly
        ? [closed(now), closed(now)]
        : [closed(BigInt(clock.day) * MICROS_PER_DAY), open(BigInt(clock.day + 1) * MICROS_PER_DAY)];
    case 'isPast':
      return [undefined, open(now)];
    case 'isFuture':
      return [open(now), undefined];
    case 'inLastDays':
      return [closed(shifted(-node.days)), closed(now)];
    case 'inNextDays':
      return [closed(now), closed(shifted(node.days))];
    default:
      return assertNever(node);
  }
}

// ---------------------------------------------------------------------------------------------
// Case-insensitive matching (ILIKE with `%`/`_`/`!` escaped: a literal substring, prefix or suffix)

/**
 * Non-ASCII characters whose lowercase holds an ASCII `i` in some locale provider but not the
 * same way in all: İ (libc: `i`; ICU: `i` + U+0307), and Ì Í Ĩ (ICU Lithuanian: `i` + U+0307 +
 * the accent). With a needle holding `i`, a text with one of them cannot be judged.
 */
const LOCALE_DEPENDENT_I: ReadonlySet<number> = new Set([0x130, 0xcc, 0xcd, 0x128]);
const KELVIN = 0x212a;

/**
 * ILIKE lowers both sides and compares code points. The needle is ASCII (filterEvaluability).
 * Assumed of the database's LC_CTYPE: ASCII letters lower to ASCII letters (true of every locale
 * but Turkish and Azeri, where `I` lowers to `ı`), and the only other characters whose lowercase
 * holds ASCII are K (Kelvin, lowered to `k` everywhere) and LOCALE_DEPENDENT_I. Every other
 * non-ASCII character lowers to non-ASCII ones, which no ASCII needle character matches, so
 * leaving them as they are decides the same matches.
 */
function textMatch(
  op: 'contains' | 'ncontains' | 'startsWith' | 'endsWith',
  value: string,
  needle: string,
): Verdict {
  const lowerNeedle = asciiLower(needle);
  const needsI = lowerNeedle.includes('i');
  let folded = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) folded += cp >= 0x41 && cp <= 0x5a ? String.fromCharCode(cp + 0x20) : ch;
    else if (cp === KELVIN) folded += 'k';
    else if (LOCALE_DEPENDENT_I.has(cp)) {
      if (needsI) return 'unknown';
      folded += '\u0080'; // some non-ASCII text, or an `i` no needle character can match
    } else folded += ch;
  }
  if (op === 'startsWith') return folded.startsWith(lowerNeedle);
  if (op === 'endsWith') return folded.endsWith(lowerNeedle);
  return folded.includes(lowerNeedle);
}

const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
