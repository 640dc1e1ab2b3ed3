import type { LogicalType } from '../../query/catalog.js';

/**
 * The column model of the internal mini-DB (DESIGN §4 "ColumnSpec"). A column is metadata in
 * `lt_ws_<slug>.columns` plus, for stored types, a physical column `c_<id hex>` of the table's
 * `t_<id hex>`. Computed types (formula, lookup, rollup) and system-backed types (createdTime,
 * modifiedTime, createdBy, modifiedBy) have no physical column of their own.
 */
export const COLUMN_TYPES = [
  'text',
  'longText',
  'integer',
  'decimal',
  'boolean',
  'date',
  'dateTime',
  'singleSelect',
  'multiSelect',
  'user',
  'attachment',
  'link',
  'lookup',
  'rollup',
  'formula',
  'autoNumber',
  'createdTime',
  'modifiedTime',
  'createdBy',
  'modifiedBy',
] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface SelectChoice {
  name: string;
  color: string;
}

/** Normalised options: only the members the type uses are set. */
export interface ColumnOptions {
  /** singleSelect, multiSelect. */
  choices?: SelectChoice[];
  /** decimal: digits after the point (0–10). */
  precision?: number;
  /** formula: the formula text (Airtable-like, `{Field}` references). */
  formula?: string;
  /** link: the linked table's id. */
  tableId?: string;
  /** lookup, rollup: the link column's id, and the field of the linked table. */
  link?: string;
  field?: string;
  /** rollup: sum | avg | count | min | max. */
  aggregate?: string;
}

/** Validation rules checked on every write (pattern is checked by the database). */
export interface ColumnRules {
  minValue?: number;
  maxValue?: number;
  maxLength?: number;
  pattern?: string;
}

export interface Column {
  id: string;
  tableId: string;
  name: string;
  type: ColumnType;
  options: ColumnOptions;
  required: boolean;
  unique: boolean;
  /** The default as the API speaks it (already validated for the type), or null. */
  default: unknown;
  rules: ColumnRules;
  position: number;
}

/** Why one cell value was refused: `code` is stable (`invalid_value`, `required`, `read_only_field`, ...). */
export interface CellProblem {
  code: string;
  detail: string;
}

export type CellCheck = { ok: true; value: unknown } | { ok: false; problem: CellProblem };

export type { LogicalType };
