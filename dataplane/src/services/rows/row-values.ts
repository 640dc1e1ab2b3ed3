import type { CellProblem, Column } from '../tables/column.js';
import { encodeCell, isWritableType } from '../tables/column-types.js';
import type { TableView } from '../tables/metadata.js';
import { userColumnName } from '../../store/user-tables/names.js';

/** Row fields as the API sends them: by column name, or by column id. */
export type FieldsInput = Record<string, unknown>;

export interface FieldProblemAt extends CellProblem {
  field: string;
}

/** What a write binds: physical column → value, and the rows to link per link column. */
export interface EncodedFields {
  values: Record<string, unknown>;
  /** Link columns: the linked row ids, by column id (written to the junction, not the row). */
  links: Record<string, string[]>;
}

export type WriteMode = 'create' | 'replace' | 'patch';

/** Finds a column by id or by name (ids win: a column may be named like another's id). */
export function columnLookup(table: TableView): (key: string) => Column | undefined {
  const byId = new Map(table.columns.map((c) => [c.id, c]));
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  return (key) => byId.get(key) ?? byName.get(key);
}

/**
 * Checks and encodes the fields of one row write. `create` applies defaults and checks required
 * columns; `replace` (PUT) sets every writable column, absent ones to their default or null;
 * `patch` touches only the fields given. Problems are collected, never thrown: bulk writes
 * report them per row.
 */
export function encodeFields(
  table: TableView,
  fields: FieldsInput,
  mode: WriteMode,
  lookup = columnLookup(table),
): { ok: true; fields: EncodedFields } | { ok: false; problems: FieldProblemAt[] } {
  const problems: FieldProblemAt[] = [];
  const values: Record<string, unknown> = {};
  const links: Record<string, string[]> = {};
  const given = new Set<string>();
  for (const [key, value] of Object.entries(fields)) {
    const column = lookup(key);
    if (!column) {
      problems.push({ field: key, code: 'unknown_field', detail: `no column "${key.slice(0, 100)}"` });
      continue;
    }
    if (given.has(column.id)) {
      problems.push({ field: key, code: 'duplicate_field', detail: `"${column.name}" given twice` });
      continue;
    }
    given.add(column.id);
    const check = encodeCell(column, value);
    if (!check.ok) problems.push({ field: key, ...check.problem });
    else if (column.type === 'link') links[column.id] = (check.value as string[] | null) ?? [];
    else values[userColumnName(column.id)] = check.value;
  }
  if (mode !== 'patch') {
    for (const column of table.columns) {
      if (given.has(column.id) || !isWritableType(column.type)) continue;
      const fallback = column.default;
      const check = encodeCell(column, fallback);
      if (!check.ok) problems.push({ field: column.name, ...check.problem });
      else if (column.type === 'link') {
        if (mode === 'replace') links[column.id] = [];
      } else if (fallback !== null || mode === 'replace') {
        values[userColumnName(column.id)] = check.value;
      }
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields: { values, links } };
}

/** Every row of a write encoded, with each refused field at its row's index. */
export function encodeRows(
  table: TableView,
  rows: readonly FieldsInput[],
  mode: WriteMode,
): { encoded: ReturnType<typeof encodeFields>[]; problems: (FieldProblemAt & { index: number })[] } {
  const lookup = columnLookup(table);
  const encoded = rows.map((fields) => encodeFields(table, fields, mode, lookup));
  const problems = encoded.flatMap((e, index) => (e.ok ? [] : e.problems.map((p) => ({ index, ...p }))));
  return { encoded, problems };
}
