import type { Knex } from 'knex';
import { Workspace } from '../../store/models/workspace.model.js';
import { dropLinkTable } from '../../store/user-tables/links.js';
import { userTableName } from '../../store/user-tables/names.js';
import { trashedColumnName } from '../../store/user-tables/trash.js';
import { auditRetentionCutoff } from '../workspaces/audit-retention.js';

interface DeletedColumn {
  table_id: string;
  detail: { resourceId?: string; before?: { type?: string } };
}

/**
 * Drops the data of columns deleted longer ago than the workspace's audit retention: by then the
 * audit entry that could revert the deletion is gone too. Columns restored since (a revert) are
 * back in `columns` and left alone. Returns how many columns were purged.
 */
export async function purgeTrashedColumns(knex: Knex, now = new Date()): Promise<number> {
  let purged = 0;
  for (const workspace of await Workspace.query(knex)) {
    const cutoff = auditRetentionCutoff(workspace, now);
    const schema = workspace.schemaName;
    const deleted = (await knex
      .withSchema(schema)
      .table('table_changes as c')
      .where('c.action', 'column.delete')
      .where('c.created_at', '<', cutoff)
      .whereNull('c.purged_at')
      .whereNotExists((q) =>
        q
          .select(knex.raw('1'))
          .from(`${schema}.columns as live`)
          .whereRaw("live.id::text = c.detail->>'resourceId'"),
      )
      .select('c.table_id', 'c.detail')) as DeletedColumn[];
    for (const { table_id: tableId, detail } of deleted) {
      const columnId = detail.resourceId;
      if (!columnId) continue;
      await knex.transaction(async (trx) => {
        await trx.raw('ALTER TABLE IF EXISTS ??.?? DROP COLUMN IF EXISTS ??', [
          schema,
          userTableName(tableId),
          trashedColumnName(columnId),
        ]);
        if (detail.before?.type === 'link') await dropLinkTable(trx, schema, columnId);
        await trx
          .withSchema(schema)
          .table('table_changes')
          .where({ table_id: tableId, action: 'column.delete' })
          .whereRaw("detail->>'resourceId' = ?", [columnId])
          .update({ purged_at: now });
      });
      purged++;
    }
  }
  return purged;
}
