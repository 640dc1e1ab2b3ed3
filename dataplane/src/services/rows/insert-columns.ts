import { type BulkColumn } from '../../store/user-tables/bulk-insert.js';
import { userColumnName } from '../../store/user-tables/names.js';
import { physicalColumnOf } from '../tables/column-spec.js';
import type { TableView } from '../tables/metadata.js';

type Raw = Record<string, unknown>;

const SYSTEM_INSERTED: BulkColumn[] = [
  { name: 'id', sqlType: 'uuid' },
  { name: 'created_by', sqlType: 'uuid' },
  { name: 'updated_by', sqlType: 'uuid' },
];

/** The columns an insert of `values` fills: the system ones it sets and every stored column given. */
export function bulkColumns(table: TableView, values: readonly Raw[]): BulkColumn[] {
  const given = new Set<string>();
  for (const row of values) for (const key of Object.keys(row)) given.add(key);
  const stored = table.columns.flatMap((c) => {
    const physical = physicalColumnOf(c);
    const name = userColumnName(c.id);
    return physical && given.has(name) ? [{ name, sqlType: physical.sqlType }] : [];
  });
  return [...SYSTEM_INSERTED, ...stored];
}
