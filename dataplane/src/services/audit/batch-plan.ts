import type { Knex } from 'knex';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { isUuid } from '../../platform/ids.js';
import { auditState, type RowView } from '../rows/row-view.js';
import type { TableView } from '../tables/metadata.js';
import type { WorkspaceAccess } from '../workspaces/workspace-access.js';
import { auditEntries, type AuditRow } from './audit-entry.js';
import { instant } from './audit-log.service.js';
import type { RowRevertAction } from './row-revert.js';
import {
  fitFields,
  isRowEntry,
  isSchemaConsequence,
  stateBefore,
  type RowState,
  type SkippedColumn,
} from './row-state.js';

/** Entries one batch may undo (one transaction; beyond this, narrow the range). */
export const MAX_BATCH_ENTRIES = 10_000;

/** Either these entries, or everything one user did in `from <= createdAt < to`. */
export type BatchSelection = { auditLogIds: string[] } | { actorId: string; from: string; to: string };

/** One change of a batch: which entry it undoes, and the row's state before and after it. */
export interface PlannedChange {
  auditLogId: string;
  entryAction: string;
  resourceType: 'row';
  resourceId: string;
  tableId: string;
  /** What undoing the entry does to the row now. */
  action: RowRevertAction;
  from: RowState | null;
  to: { fields: Record<string, unknown> } | null;
  skippedColumns: SkippedColumn[];
}

/** Entries left out of a time-range batch: schema changes, and cells a type change cleared. */
export interface IgnoredEntry {
  auditLogId: string;
  action: string;
}

/** Where a plan reads tables and rows: plain reads for a dry run, locked ones inside the write. */
export interface PlanReader {
  table(tableId: string): Promise<TableView>;
  row(table: TableView, rowId: string): Promise<RowView | undefined>;
}

/** The entries a batch undoes, newest first; a range leaves out what only a schema revert undoes. */
export async function selectEntries(
  db: Knex,
  access: WorkspaceAccess,
  selection: BatchSelection,
): Promise<{ entries: AuditRow[]; ignored: IgnoredEntry[] }> {
  const query = auditEntries(db, access).orderBy([
    { column: 'created_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  if ('auditLogIds' in selection) {
    const ids = [...new Set(selection.auditLogIds)];
    const found = ids.every(isUuid) ? ((await query.whereIn('id', ids)) as AuditRow[]) : [];
    if (found.length !== ids.length) throw new NotFoundError('Audit log entry');
    const refused = found.filter((e) => !isRowEntry(e));
    if (refused.length > 0)
      throw new ValidationError(
        'batch revert undoes row changes only; revert schema changes one at a time',
        refused.map((e) => ({
          path: `auditLogIds[${selection.auditLogIds.indexOf(e.id)}]`,
          message: `${e.action} is not a row change`,
        })),
        'not_revertable',
      );
    return { entries: found, ignored: [] };
  }
  const all = (await query
    .where('actor_id', selection.actorId)
    .where('created_at', '>=', instant(selection.from, 'from'))
    .where('created_at', '<', instant(selection.to, 'to'))
    .limit(MAX_BATCH_ENTRIES + 1)) as AuditRow[];
  if (all.length > MAX_BATCH_ENTRIES)
    throw new ValidationError(
      `more than ${MAX_BATCH_ENTRIES} entries in the range; revert a shorter range at a time`,
      [{ path: 'from', message: 'the range holds too many entries' }],
      'too_many_entries',
    );
  const batchable = (e: AuditRow) => isRowEntry(e) && !isSchemaConsequence(e);
  return {
    entries: all.filter(batchable),
    ignored: all.filter((e) => !batchable(e)).map((e) => ({ auditLogId: e.id, action: e.action })),
  };
}

/**
 * Undoes each entry in turn, newest first, on a simulated copy of the rows: each change starts
 * from the state the previous ones left, so the list says exactly what applying it does. Every
 * value is checked against its column here, so a dry run fails as the real run would.
 */
export async function planBatch(reader: PlanReader, entries: readonly AuditRow[]): Promise<PlannedChange[]> {
  const tables = new Map<string, TableView>();
  const states = new Map<string, RowState | null>();
  const changes: PlannedChange[] = [];
  for (const entry of entries)
    await forEntry(entry, async () => {
      const rowId = entry.resource_id as string;
      const tableId = entry.parent_id;
      if (!tableId || !isUuid(rowId))
        throw new ValidationError('the entry names no row of a table', [], 'not_revertable');
      const table = tables.get(tableId) ?? (await reader.table(tableId));
      tables.set(tableId, table);
      if (!states.has(rowId)) {
        const row = await reader.row(table, rowId);
        states.set(rowId, row ? auditState(table, row) : null);
      }
      const from = states.get(rowId) ?? null;
      const target = stateBefore(entry);
      const fitted = target ? fitFields(table, target.fields, from ? 'patch' : 'create') : undefined;
      const to = fitted ? { fields: fitted.input } : null;
      const action = actionOf(from, to);
      if (action !== 'none')
        states.set(
          rowId,
          to && { version: (from?.version ?? 0) + 1, fields: { ...from?.fields, ...to.fields } },
        );
      changes.push({
        auditLogId: entry.id,
        entryAction: entry.action,
        resourceType: 'row',
        resourceId: rowId,
        tableId,
        action,
        from,
        to,
        skippedColumns: fitted?.skipped ?? [],
      });
    });
  return changes;
}

function actionOf(from: RowState | null, to: { fields: Record<string, unknown> } | null): RowRevertAction {
  if (!to) return from ? 'row.delete' : 'none';
  if (!from) return 'row.create';
  const same = Object.entries(to.fields).every(
    ([columnId, value]) => JSON.stringify(from.fields[columnId] ?? null) === JSON.stringify(value ?? null),
  );
  return same ? 'none' : 'row.update';
}

/** A refusal while planning names the entry it came from (a table gone is the entry's problem). */
async function forEntry(entry: AuditRow, plan: () => Promise<void>): Promise<void> {
  try {
    await plan();
  } catch (error) {
    if (error instanceof NotFoundError)
      throw new ValidationError(
        `audit entry ${entry.id}: its table no longer exists or is archived`,
        [{ path: `entries.${entry.id}`, message: error.message }],
        'not_revertable',
      );
    if (error instanceof ValidationError)
      throw new ValidationError(
        `audit entry ${entry.id}: ${error.message}`,
        error.errors.map((p) => ({ ...p, path: `entries.${entry.id}.${p.path}` })),
        error.code,
      );
    throw error;
  }
}
