/**
 * Physical names of user tables and columns: derived from metadata ids only (DESIGN §3), so no
 * user-chosen name ever reaches DDL or DML. 32 hex digits + a prefix fits PostgreSQL's 63 bytes.
 */
const hexById = new Map<string, string>();

/** Names are derived for every cell of a bulk write: each id is checked and converted once. */
const hex = (id: string): string => {
  let digits = hexById.get(id);
  if (digits !== undefined) return digits;
  digits = id.replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(digits)) throw new Error(`not a metadata id: ${id}`);
  if (hexById.size >= 50_000) hexById.clear();
  hexById.set(id, digits);
  return digits;
};

export const userTableName = (tableId: string): string => `t_${hex(tableId)}`;
export const userColumnName = (columnId: string): string => `c_${hex(columnId)}`;
export const linkTableName = (columnId: string): string => `l_${hex(columnId)}`;
/** `mv_<view id>_<refresh>`: one materialization of a view (each refresh builds a new one). */
export const materializedTableName = (viewId: string, refresh: string): string => {
  if (!/^[0-9a-z]{1,12}$/.test(refresh)) throw new Error(`not a refresh tag: ${refresh}`);
  return `mv_${hex(viewId)}_${refresh}`;
};
export const materializedTablePrefix = (viewId: string): string => `mv_${hex(viewId)}_`;
export const uniqueIndexName = (columnId: string): string => `u_${hex(columnId)}`;
export const patternCheckName = (columnId: string): string => `p_${hex(columnId)}`;
/** `i_<id>_e`: equality lookups on a text column (its own collation, unlike sort indexes). */
export const equalityIndexName = (columnId: string): string => `i_${hex(columnId)}_e`;
export const sortIndexName = (columnId: string, direction: 'asc' | 'desc'): string =>
  `i_${hex(columnId)}_${direction === 'asc' ? 'a' : 'd'}`;

/** System columns every user table has (DESIGN §3), by the name the row API gives them. */
export const SYSTEM_COLUMNS = {
  id: 'id',
  version: 'version',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  createdBy: 'created_by',
  updatedBy: 'updated_by',
} as const;
