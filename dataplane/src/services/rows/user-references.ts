import type { Knex } from 'knex';
import { userColumnName } from '../../store/user-tables/names.js';
import type { TableView } from '../tables/metadata.js';
import type { RowProblem } from './row-problems.js';

/**
 * A user column names a member of the workspace: checked for every value a write binds, in one
 * query, so a bulk write of 10 000 rows costs one round trip. Problems name the row and column.
 */
export async function userReferenceProblems(
  db: Knex,
  workspaceId: string,
  table: TableView,
  rows: readonly Record<string, unknown>[],
): Promise<RowProblem[]> {
  const columns = table.columns.filter((c) => c.type === 'user');
  if (columns.length === 0) return [];
  const wanted = new Set<string>();
  for (const row of rows)
    for (const c of columns) {
      const value = row[userColumnName(c.id)];
      if (typeof value === 'string') wanted.add(value);
    }
  if (wanted.size === 0) return [];
  const members = new Set(
    (
      (await db('workspace_members')
        .where({ workspace_id: workspaceId })
        .whereIn('user_id', [...wanted])
        .select('user_id')) as { user_id: string }[]
    ).map((m) => m.user_id),
  );
  return rows.flatMap((row, index) =>
    columns.flatMap((c) => {
      const value = row[userColumnName(c.id)];
      return typeof value === 'string' && !members.has(value)
        ? [{ index, field: c.name, code: 'invalid_user', detail: 'is not a member of this workspace' }]
        : [];
    }),
  );
}
