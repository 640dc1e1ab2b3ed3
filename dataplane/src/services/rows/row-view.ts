import { hasOwn, setOwn } from '../../platform/own-property.js';
import { SYSTEM_COLUMNS, userColumnName } from '../../store/user-tables/names.js';
import type { AuditEntry } from '../unit-of-work.js';
import { decodeCell, isStoredType } from '../tables/column-types.js';
import type { TableView } from '../tables/metadata.js';
import { SYSTEM_BACKED } from '../tables/table-catalog.js';

/** A row as the API answers it (DESIGN §4). */
export interface RowView {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  fields: Record<string, unknown>;
}

export type FieldKey = 'name' | 'id';

type Raw = Record<string, unknown>;

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));

/**
 * A physical row (as the platform's driver returns it) in API form. Formula columns are not
 * physical: `computed` carries their values when the caller read them (a query), else they are
 * left out and the caller reads the row through the query layer.
 */
export function toRowView(table: TableView, raw: Raw, fieldKey: FieldKey = 'name', computed?: Raw): RowView {
  const fields: Record<string, unknown> = {};
  for (const column of table.columns) {
    const key = fieldKey === 'id' ? column.id : column.name;
    const system = SYSTEM_BACKED[column.type];
    if (system) setOwn(fields, key, decodeCell(column, raw[system]));
    else if (isStoredType(column.type))
      setOwn(fields, key, decodeCell(column, raw[userColumnName(column.id)]));
    else if (computed && hasOwn(computed, column.name)) setOwn(fields, key, computed[column.name]);
  }
  return {
    id: String(raw[SYSTEM_COLUMNS.id]),
    version: Number(raw[SYSTEM_COLUMNS.version]),
    createdAt: iso(raw[SYSTEM_COLUMNS.createdAt]),
    updatedAt: iso(raw[SYSTEM_COLUMNS.updatedAt]),
    fields,
  };
}

/**
 * A row's fields as they were before an update, from the old values the update returned (the
 * written columns only): the other stored fields did not change; fields the write moves by
 * itself (modified time and user) are left out, unknown rather than wrong.
 */
export function fieldsBefore(table: TableView, after: RowView, old: Raw): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const column of table.columns) {
    if (column.type === 'modifiedTime' || column.type === 'modifiedBy') continue;
    const physical = userColumnName(column.id);
    if (isStoredType(column.type) && hasOwn(old, physical))
      setOwn(fields, column.name, decodeCell(column, old[physical]));
    else if (hasOwn(after.fields, column.name)) setOwn(fields, column.name, after.fields[column.name]);
  }
  return fields;
}

/** The audited state of a row: stored values by column id (names change, ids do not). */
export function auditState(
  table: TableView,
  row: RowView,
): { version: number; fields: Record<string, unknown> } {
  const fields: Record<string, unknown> = {};
  for (const column of table.columns)
    if (isStoredType(column.type) && hasOwn(row.fields, column.name))
      fields[column.id] = row.fields[column.name];
  return { version: row.version, fields };
}

/** The audit entry of one row change (`parentId`: the row's table, for table history). */
export function rowAuditEntry(
  workspaceId: string,
  tableId: string,
  action: 'row.create' | 'row.update' | 'row.delete',
  rowId: string,
  states: { before?: unknown; after?: unknown },
): AuditEntry {
  return { workspaceId, action, resourceType: 'row', resourceId: rowId, parentId: tableId, ...states };
}

export const pick = (from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(keys.filter((k) => k in from).map((k) => [k, from[k]]));
