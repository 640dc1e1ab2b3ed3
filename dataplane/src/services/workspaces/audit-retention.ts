import type { Knex } from 'knex';
import { Workspace } from '../../store/models/workspace.model.js';
import { DEFAULT_SETTINGS } from './workspace-view.js';

/**
 * Deletes audit entries older than each workspace's `auditRetentionDays`, in the control schema
 * and in the workspace's own schema. Run periodically by the app; returns how many rows went.
 */
export async function purgeExpiredAuditEntries(knex: Knex, now = new Date()): Promise<number> {
  let removed = 0;
  for (const workspace of await Workspace.query(knex)) {
    const days = workspace.settings.auditRetentionDays ?? DEFAULT_SETTINGS.auditRetentionDays;
    const cutoff = new Date(now.getTime() - days * 86_400_000);
    removed += await knex('audit_logs')
      .where('workspace_id', workspace.id)
      .where('created_at', '<', cutoff)
      .delete();
    removed += await knex
      .withSchema(workspace.schemaName)
      .table('audit_logs')
      .where('created_at', '<', cutoff)
      .delete();
  }
  return removed;
}
