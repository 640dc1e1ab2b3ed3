import type { Document } from 'bson';
import type { LogicalType } from '../catalog.js';

/**
 * What the compiler hands the adapter: the pipeline to run and what to do with its output.
 * The pipeline ends in a `$project` onto slot names (`o0`, `k0`, `i0`, ...): user-chosen names
 * (computed columns, aggregates, dotted paths) are never keys in the pipeline, and the result
 * step renames slots to output names.
 */
export interface OutputColumn {
  /** The row key: column, `alias.column`, computed column or aggregate name. */
  name: string;
  /** Where the pipeline put the value; absent for a computed column evaluated in process. */
  slot?: string;
  type: LogicalType;
}

/** A computed column MongoDB cannot evaluate: computed after the pipeline, row by row. */
export interface InProcessColumn {
  name: string;
  /** The stored fields the formula references and where the pipeline finds them. */
  inputs: { field: string; path: string; slot?: string }[];
  /** Evaluates the formula over `{field reference: stored value}`. */
  evaluate(row: Record<string, unknown>, now: Date): unknown;
}

export interface MongoPlan {
  /** The source database (undefined = the connection's default). */
  database?: string;
  collection: string;
  pipeline: Document[];
  columns: OutputColumn[];
  inProcess: InProcessColumn[];
  /** Rows wanted (the pipeline asks for one more, to know whether there is a next page). */
  limit: number;
  /** Keyset pagination: the cursor fingerprint and the slots the sort key values are projected into. */
  keyset?: { fingerprint: string; slots: string[] };
  /** Grouping over no fields answers one row even without input (SQL aggregate semantics). */
  emptyGroupRow?: Record<string, unknown>;
  pushedDown: string[];
  inProcessParts: string[];
}
