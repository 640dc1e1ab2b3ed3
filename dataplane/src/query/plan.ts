import type { CatalogColumn, CatalogTable, LogicalType } from './catalog.js';
import type { AggregateFn, LogicalQuery, Pagination } from './lqp.js';

/**
 * The analysed form of a validated LogicalQuery: every field reference resolved against the
 * catalog, every filter value checked and normalised, the sort keys (with tiebreakers) decided.
 * Compilers walk this, never the raw query text, so identifiers can only come from the catalog.
 * Nodes are `{ kind, ... }` unions; compilers switch on `kind` with `assertNever`.
 */
export type FieldTarget =
  | { readonly kind: 'column'; readonly table: number; readonly column: CatalogColumn }
  | { readonly kind: 'computed'; readonly index: number };

export interface ResolvedField {
  /** The reference as the query wrote it: an output name and error messages, never SQL. */
  readonly ref: string;
  readonly type: LogicalType;
  readonly nullable: boolean;
  readonly target: FieldTarget;
}

/** A normalised filter value: text, a number, a boolean, `YYYY-MM-DD` or an ISO instant (UTC, `Z`). */
export type Scalar = string | number | boolean;

export type CompareOp = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte';
export type TextMatchOp = 'contains' | 'ncontains' | 'startsWith' | 'endsWith';

export type FilterNode =
  | { readonly kind: 'and'; readonly items: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly items: readonly FilterNode[] }
  | { readonly kind: 'not'; readonly item: FilterNode }
  | {
      readonly kind: 'compare';
      readonly op: CompareOp;
      readonly field: ResolvedField;
      readonly value: Scalar;
    }
  | {
      readonly kind: 'list';
      readonly op: 'in' | 'nin';
      readonly field: ResolvedField;
      readonly values: Scalar[];
    }
  | { readonly kind: 'text'; readonly op: TextMatchOp; readonly field: ResolvedField; readonly value: string }
  | { readonly kind: 'empty'; readonly op: 'isEmpty' | 'isNotEmpty'; readonly field: ResolvedField }
  | { readonly kind: 'range'; readonly field: ResolvedField; readonly low: Scalar; readonly high: Scalar }
  | {
      readonly kind: 'relativeDate';
      readonly op: 'isToday' | 'isPast' | 'isFuture';
      readonly field: ResolvedField;
    }
  | {
      readonly kind: 'days';
      readonly op: 'inLastDays' | 'inNextDays';
      readonly field: ResolvedField;
      readonly days: number;
    };

/** Something a row (or a group) yields: a field's value or an aggregate over the group. */
export type Term =
  | { readonly kind: 'field'; readonly field: ResolvedField }
  | {
      readonly kind: 'aggregate';
      readonly fn: AggregateFn;
      readonly field?: ResolvedField;
      readonly type: LogicalType;
      readonly nullable: boolean;
    };

export interface Output {
  readonly name: string;
  readonly term: Term;
}

export interface SortKey {
  readonly term: Term;
  readonly direction: 'asc' | 'desc';
}

export interface AnalyzedJoin {
  /** 1-based position: the SQL compilers alias it `t<index>` (the source is `t0`). */
  readonly index: number;
  readonly alias: string;
  readonly table: CatalogTable;
  readonly type: 'inner' | 'left';
  readonly left: ResolvedField;
  readonly right: CatalogColumn;
}

export interface AnalyzedComputed {
  readonly name: string;
  readonly formula: string;
  /** The parsed formula (the formula module's AST). */
  readonly ast: unknown;
  readonly type: LogicalType;
}

export interface AnalyzedQuery {
  readonly query: LogicalQuery;
  readonly source: CatalogTable;
  readonly joins: readonly AnalyzedJoin[];
  readonly computed: readonly AnalyzedComputed[];
  readonly filter?: FilterNode;
  /** Group-by fields, when the query groups (`grouped`); empty = one group over all rows. */
  readonly grouped: boolean;
  readonly groupFields: readonly ResolvedField[];
  readonly outputs: readonly Output[];
  /** The user's sorts followed by tiebreakers (primary keys, or group fields), all distinct. */
  readonly orderKeys: readonly SortKey[];
  /** How many of `orderKeys` the user asked for; the rest are tiebreakers. */
  readonly userSortCount: number;
  /** Whether `orderKeys` identify a row (every key column of every table, or every group field). */
  readonly uniqueOrder: boolean;
  readonly pagination: Pagination;
}

export function termType(term: Term): LogicalType {
  return term.kind === 'field' ? term.field.type : term.type;
}

export function termNullable(term: Term): boolean {
  return term.kind === 'field' ? term.field.nullable : term.nullable;
}

export function assertNever(value: never): never {
  throw new Error(`unexpected plan node ${JSON.stringify(value)}`);
}
