import type { Knex } from 'knex';
import { Workspace } from '../../store/models/workspace.model.js';
import { DEFAULT_SETTINGS } from './workspace-view.js';

/**
 * The oldest instant of `workspace`'s audit history at `now`: entries before it are purged, and
 * whatever only they could bring back (trashed columns, files a revert would restore) goes too.
 */
export function auditRetentionCutoff(workspace: Workspace, now: Date): Date {
  const days = workspace.settings.auditRetentionDays ?? DEFAULT_SETTINGS.auditRetentionDays;
  return new Date(now.getTime() - days * 86_400_000);
}

/**
 * Deletes audit entries older than each workspace's `auditRetentionDays`, in the control schema
 * and in the workspace's own schema. Run periodically by the app; returns how many rows went.
 */
export async function purgeExpiredAuditEntries(knex: Knex, now = new Date()): Promise<number> {
  let removed = 0;
  for (const workspace of await Workspace.query(knex)) {
    const cutoff = auditRetentionCutoff(workspace, now);
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
