import type { Knex } from 'knex';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { auditEntries, type AuditRow } from './audit-entry.js';
import { instant } from './audit-log.service.js';
import { isRowEntry } from './row-state.js';
import { isSchemaEntry, SCHEMA_REVERTS } from './schema-revert.js';

/** Entries one batch may undo (one transaction; beyond this, narrow the range). */
export const MAX_BATCH_ENTRIES = 10_000;

/** Either these entries, or everything one user did in `from <= createdAt < to`. */
export type BatchSelection = { auditLogIds: string[] } | { actorId: string; from: string; to: string };

export interface SelectedEntries {
  /** Newest first: the order a batch undoes them in. */
  entries: AuditRow[];
  /**
   * A range leaves out, and lists, what it cannot undo; named entries are undone or refused.
   * (Someone who names an entry means it; a range holds whatever the user happened to do.)
   */
  lenient: boolean;
}

export async function selectEntries(
  db: Knex,
  access: WorkspaceAccess,
  selection: BatchSelection,
): Promise<SelectedEntries> {
  const query = auditEntries(db, access).orderBy([
    { column: 'created_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  if ('auditLogIds' in selection) {
    const ids = [...new Set(selection.auditLogIds)];
    const found = ids.every(isUuid) ? ((await query.whereIn('id', ids)) as AuditRow[]) : [];
    if (found.length !== ids.length) throw new NotFoundError('Audit log entry');
    const refused = found.filter((e) => !isRowEntry(e) && !isSchemaEntry(e));
    if (refused.length > 0)
      throw new ValidationError(
        `${refused.map((e) => `audit entry ${e.id} (${e.action})`).join(', ')} cannot be reverted; ` +
          `a batch undoes row changes and these schema changes: ${Object.keys(SCHEMA_REVERTS).join(', ')}`,
        refused.map((e) => ({
          path: `auditLogIds[${selection.auditLogIds.indexOf(e.id)}]`,
          message: `${e.action} cannot be reverted`,
        })),
        'not_revertable',
      );
    return { entries: found, lenient: false };
  }
  const entries = (await query
    .where('actor_id', selection.actorId)
    .where('created_at', '>=', instant(selection.from, 'from'))
    .where('created_at', '<', instant(selection.to, 'to'))
    .limit(MAX_BATCH_ENTRIES + 1)) as AuditRow[];
  if (entries.length > MAX_BATCH_ENTRIES)
    throw new ValidationError(
      `more than ${MAX_BATCH_ENTRIES} entries in the range; revert a shorter range at a time`,
      [{ path: 'from', message: 'the range holds too many entries' }],
      'too_many_entries',
    );
  return { entries, lenient: true };
}
